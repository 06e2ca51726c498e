#!/bin/bash
# The Debian package, end to end (root; mmdebstrap, debhelper, lintian):
#  - dpkg-buildpackage -us -uc -b in a clean clone of the tree (the
#    working tree's tracked files, as `git stash create` takes them), twice:
#    the version of debian/changelog and a higher one (the upgrade);
#    lintian: no error, and every warning named in the README;
#  - a Debian 12 root (tests/pkg/mkroot.sh, cached) without Debian's
#    nbd-client package: both packages installed (tests/pkg/install-into.sh),
#    the initramfs the root's own update-initramfs makes (lsinitramfs)
#    without nbdbox until /etc/default/nbdbox opts in, then with nbdbox as
#    its only NBD client; /etc/nbdtab kept by a reinstall and an upgrade;
#    apt purge leaves no file behind (listings before and after);
#  - the same root with Debian's nbd-client package: nbdbox beside it
#    (no file of it touched), opt-in yes and cmdline, purge; then
#    nbdbox-nbd-client in its place (apt removes nbd-client, /etc/nbdtab
#    stays as the administrator wrote it);
#  - dracut (the host's, with the package's modules): nbdbox only when
#    add_dracutmodules asks for it, then with the libraries it links.
#   bash tests/pkg/run.sh        ends with "pkg: N passed, N failed"
#   NBDBOX_PKG_KEEP=1            keep the work directory (/var/tmp/nbdbox-pkg.*)
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/       /' | head -n 30; }
# check DESC CMD...: one test
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
finish() { echo "pkg: $pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }
t0=$SECONDS
[ "$(id -u)" = 0 ] || { bad "needs root (chroot, mmdebstrap)"; finish; }
for t in dpkg-buildpackage lintian mmdebstrap git dch; do
	command -v $t > /dev/null || { bad "needs $t"; finish; }
done

W=$(mktemp -d /var/tmp/nbdbox-pkg.XXXXXX)
[ "${NBDBOX_PKG_KEEP:-}" = 1 ] || trap 'rm -rf "$W"' EXIT
INTO=$TOP/tests/pkg/install-into.sh
in_root() { "$INTO" --run "$R" "$@"; }

# ---- build (tests/pkg/build.sh: a clean clone of the tree as it is)
if tests/pkg/build.sh "$W/v1" 2> /dev/null; then ok "dpkg-buildpackage -us -uc -b in a clean clone ($((SECONDS - t0)) s)"
else bad "dpkg-buildpackage" "$(tail -n 30 "$W/v1/build.log")"; finish; fi
V1=$(dpkg-deb -f "$W"/v1/nbdbox_*.deb Version)
tests/pkg/build.sh "$W/v2" +pkgtest1 2> /dev/null ||
	{ bad "dpkg-buildpackage (the higher version)" "$(tail -n 30 "$W/v2/build.log")"; finish; }
V2=$(dpkg-deb -f "$W"/v2/nbdbox_*.deb Version)
check "versions $V1 < $V2" dpkg --compare-versions "$V1" lt "$V2"
for p in nbdbox nbdbox-nbd-client; do
	check "$p built" test -f "$W/v1/${p}_${V1}_$(dpkg --print-architecture).deb"
done
DEB1=$(ls "$W"/v1/nbdbox_*.deb) CLI1=$(ls "$W"/v1/nbdbox-nbd-client_*.deb)
DEB2=$(ls "$W"/v2/nbdbox_*.deb) CLI2=$(ls "$W"/v2/nbdbox-nbd-client_*.deb)

# lintian: no error; each warning's tag in the README (said and why).
lint=$(lintian --pedantic "$W"/v1/*.changes 2>&1 | grep -v 'running with root privileges')
errs=$(grep '^E:' <<< "$lint")
[ -z "$errs" ] && ok "lintian: no errors" || bad "lintian errors" "$errs"
unsaid=$(grep '^W:' <<< "$lint" | awk '{print $3}' | sort -u | while read -r tag; do
	grep -q -- "$tag" README || echo "$tag"; done)
[ -z "$unsaid" ] && ok "lintian: every warning in the README ($(grep -c '^W:' <<< "$lint"))" ||
	bad "lintian warnings the README does not list" "$unsaid"

# What the binary package holds.
contents=$(dpkg-deb -c "$DEB1" | awk '{print $6}')
for f in ./usr/sbin/nbdbox ./usr/sbin/nbd-attach ./usr/share/man/man1/nbdbox.1.gz \
	./usr/share/man/man8/nbd-attach.8.gz ./usr/share/man/man5/nbdbox-nbdtab.5.gz \
	./usr/share/man/man7/nbdbox-root.7.gz ./usr/share/bash-completion/completions/nbdbox \
	./usr/share/initramfs-tools/hooks/nbdbox ./usr/lib/dracut/modules.d/99nbdbox/module-setup.sh \
	./etc/default/nbdbox; do
	grep -qx -- "$f" <<< "$contents" || bad "nbdbox.deb lacks $f"
done
check "nbdbox.deb: no nbd-client, nbdtab or nbd@.service of its own" \
	bash -c '! grep -E "sbin/nbd-client|man8/nbd-client\.8|man5/nbdtab\.5|nbd@\.service|etc/nbdtab" <<< "$1"' - "$contents"
check "update-initramfs by a dpkg trigger (activate-noawait), not by hand" \
	bash -c 'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./triggers | grep -qx "activate-noawait update-initramfs" &&
		! { dpkg-deb --ctrl-tarfile "$1" | tar -xO ./postinst 2> /dev/null | grep -q update-initramfs; }' - "$DEB1"

# ---- the roots
cache=$(tests/pkg/mkroot.sh) || { bad "tests/pkg/mkroot.sh"; finish; }
NBDCLIENT=$(ls "$cache"/nbd-client_*.deb)
fresh_root() {
	R=$W/root; rm -rf "$R"; mkdir -p "$R"
	tar -xf "$cache/root.tar" -C "$R"
	KVER=$(ls "$R/lib/modules")
}
# Every file name of the root but the package database, logs, caches and
# scratch: what purge must give back.
listing() {
	(cd "$R" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run \
		-o -path ./tmp -o -path ./var/tmp -o -path ./var/log -o -path ./var/cache \
		-o -path ./var/lib/dpkg -o -path ./var/lib/apt \) -prune -o -print | LC_ALL=C sort)
}
image() { in_root lsinitramfs -l "/boot/initrd.img-$KVER"; }
# has_nbdbox LISTING: nbdbox's binary or script in the image
has_nbdbox() { grep -qE ' (usr/)?sbin/nbdbox$| scripts/local-top/nbdbox$' <<< "$1"; }
# runs_localtop: the image's scripts/local-top/ORDER runs nbdbox's script
# (mkinitramfs orders only the scripts it finds in its own directories: a
# script in the image but not in ORDER never runs)
runs_localtop() {
	in_root sh -c 'd=$(mktemp -d) && unmkinitramfs "/boot/initrd.img-$1" "$d" &&
		cat $(find "$d" -path "*/scripts/local-top/ORDER"); rm -rf "$d"' - "$KVER" |
		grep -q '^/scripts/local-top/nbdbox '
}
install_debs() { "$INTO" "$R" "$@" > "$W/apt.log" 2>&1 || { cat "$W/apt.log"; return 1; }; }
status() { in_root dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2> /dev/null | tr -d ' '; }
# only_nbdbox: the image's NBD client is nbdbox: the binary, nbd-client a
# link to it (or none), no other nbd-client, nbd.ko, no GnuTLS or libnl.
only_nbdbox() {
	local img=$1
	grep -qE ' usr/sbin/nbdbox$' <<< "$img" &&
	! grep -E '(^|/)nbd-client( |$)' <<< "$img" | grep -qv -- '-> nbdbox' &&
	grep -q 'drivers/block/nbd.ko' <<< "$img" &&
	! grep -qE 'libgnutls|libnl-' <<< "$img"
}

# ---- without Debian's nbd-client
fresh_root
before=$(listing)
check "A: apt install ./nbdbox.deb ./nbdbox-nbd-client.deb" install_debs "$DEB1" "$CLI1"
check "A: the trigger rebuilt the initramfs" grep -q 'Processing triggers for initramfs-tools' "$W/apt.log"
check "A: /usr/sbin/nbd-client -> nbdbox" test "$(readlink "$R/usr/sbin/nbd-client")" = nbdbox
check "A: nbd-client runs (nbdbox's)" bash -c '"$0" --run "$1" nbd-client -V | grep -q nbdbox' "$INTO" "$R"
check "A: nbd-client.8 and nbdtab.5 are nbdbox's pages" bash -c \
	'[ "$(readlink "$1/usr/share/man/man8/nbd-client.8.gz")" = nbdbox-nbd-client.8.gz ] &&
	 [ "$(readlink "$1/usr/share/man/man5/nbdtab.5.gz")" = nbdbox-nbdtab.5.gz ] &&
	 zcat "$1/usr/share/man/man8/nbdbox-nbd-client.8.gz" | grep -q "^\.TH"' - "$R"
check "A: nbd@.service is contrib/systemd's (nbd-attach --tab %i -T 30 --wait 60)" bash -c \
	'cmp -s contrib/systemd/nbd@.service "$1" && grep -q "^ExecStart=.*nbd-attach --tab %i -T 30 --wait 60$" "$1"' - "$R/lib/systemd/system/nbd@.service"
check "A: every applet's completion" bash -c 'for a in nbdbox nbd-list nbd-probe nbd-attach nbd-detach nbd-copy nbd-client; do
	[ -e "$1/usr/share/bash-completion/completions/$a" ] || exit 1; done' - "$R"
img=$(image)
check "A: not opted in: no nbdbox in the initramfs" eval '! has_nbdbox "$img"' 
check "A: --initramfs yes: update-initramfs -u" "$INTO" --initramfs yes "$R"
img=$(image)
check "A: opted in: nbdbox the image's only NBD client" only_nbdbox "$img"
check "A: opted in, no nbd-client package: nbdbox's local-top (nbd-attach --cmdline)" \
	grep -q ' scripts/local-top/nbdbox$' <<< "$img"
check "A: opted in: local-top/ORDER runs nbdbox's script" runs_localtop
printf 'nbd3 10.0.0.5 mine persist\n' > "$W/nbdtab"
cp "$W/nbdtab" "$R/etc/nbdtab"
check "A: apt install --reinstall" install_debs --reinstall "$DEB1" "$CLI1"
check "A: reinstall kept /etc/nbdtab" cmp -s "$W/nbdtab" "$R/etc/nbdtab"
check "A: upgrade to $V2" install_debs "$DEB2" "$CLI2"
check "A: upgraded" test "$(in_root dpkg-query -W -f='${Version}' nbdbox)" = "$V2"
check "A: upgrade kept /etc/nbdtab" cmp -s "$W/nbdtab" "$R/etc/nbdtab"
check "A: upgrade kept the opt-in" grep -qx NBDBOX_INITRAMFS=yes "$R/etc/default/nbdbox"
check "A: the image after the upgrade still has nbdbox" only_nbdbox "$(image)"
check "A: apt purge" bash -c '"$0" --run "$1" apt-get purge -y -q nbdbox nbdbox-nbd-client > "$2" 2>&1' "$INTO" "$R" "$W/apt.log"
check "A: purged" test -z "$(status nbdbox)$(status nbdbox-nbd-client)"
d=$(diff <(echo "$before") <(listing))
[ -z "$d" ] && ok "A: purge left no file behind" || bad "A: files left or lost by purge" "$d"
img=$(image)
check "A: the image after purge has no nbdbox" eval '! has_nbdbox "$img"' 

# ---- beside Debian's nbd-client
fresh_root
check "B: Debian's nbd-client installed" install_debs "$NBDCLIENT"
before=$(listing)
sum() { (cd "$R" && md5sum sbin/nbd-client lib/systemd/system/nbd@.service etc/nbdtab usr/share/man/man8/nbd-client.8.gz usr/share/man/man5/nbdtab.5.gz); }
sums=$(sum)
check "B: apt install ./nbdbox.deb beside it" install_debs "$DEB1"
check "B: nbd-client's files untouched" test "$sums" = "$(sum)"
check "B: /sbin/nbd-client is nbd-client's" test "$(in_root dpkg-query -S /sbin/nbd-client | cut -d: -f1)" = nbd-client
img=$(image)
check "B: not opted in: nbd-client's own binary in the image, no nbdbox" eval \
	'! has_nbdbox "$img" && grep -E " (usr/)?sbin/nbd-client$" <<< "$img" | grep -q "^-"' 
check "B: --initramfs yes" "$INTO" --initramfs yes "$R"
img=$(image)
check "B: yes: nbdbox the image's only NBD client" only_nbdbox "$img"
check "B: yes: the nbd-client package's local-top/nbd calls it" bash -c \
	'grep -q " scripts/local-top/nbd$" <<< "$1" && ! grep -q " scripts/local-top/nbdbox$" <<< "$1"' - "$img"
check "B: --initramfs cmdline" "$INTO" --initramfs cmdline "$R"
img=$(image)
check "B: cmdline: only nbdbox, its local-top instead of the package's" bash -c \
	'grep -q " scripts/local-top/nbdbox$" <<< "$1" && ! grep -q " scripts/local-top/nbd$" <<< "$1"' - "$img"
check "B: cmdline: nbdbox the only NBD client" only_nbdbox "$img"
check "B: cmdline: local-top/ORDER runs nbdbox's script" runs_localtop
cp "$W/nbdtab" "$R/etc/nbdtab"
check "B: reinstall nbdbox" install_debs --reinstall "$DEB1"
check "B: upgrade nbdbox" install_debs "$DEB2"
check "B: /etc/nbdtab (nbd-client's) kept" cmp -s "$W/nbdtab" "$R/etc/nbdtab"
check "B: apt purge nbdbox" bash -c '"$0" --run "$1" apt-get purge -y -q nbdbox > "$2" 2>&1' "$INTO" "$R" "$W/apt.log"
d=$(diff <(echo "$before" | grep -v '^./etc/nbdtab$') <(listing | grep -v '^./etc/nbdtab$'))
[ -z "$d" ] && ok "B: purge left no file behind" || bad "B: files left or lost by purge" "$d"
check "B: nbd-client's files untouched after purge" eval \
	'cmp -s "$W/nbdtab" "$R/etc/nbdtab" && [ "$(grep -v etc/nbdtab <<< "$sums")" = "$(sum | grep -v etc/nbdtab)" ]' 
check "B: nbdbox-nbd-client in place of nbd-client" install_debs "$DEB2" "$CLI2"
check "B: nbd-client removed by the Conflicts" test "$(status nbd-client)" != ii
check "B: /usr/sbin/nbd-client -> nbdbox" test "$(readlink "$R/usr/sbin/nbd-client")" = nbdbox
check "B: /etc/nbdtab as the administrator wrote it" cmp -s "$W/nbdtab" "$R/etc/nbdtab"

# ---- dracut: the host's dracut (Debian's dracut and initramfs-tools
# conflict: no root of its own) with the package's modules and binary.
if command -v dracut > /dev/null && [ -d /usr/lib/dracut/modules.d ]; then
	X=$W/deb; mkdir -p "$X" "$W/dconf"
	dpkg-deb -x "$DEB1" "$X"
	cp -a /usr/lib/dracut "$W/dracut"
	cp -a "$X"/usr/lib/dracut/modules.d/99nbdbox* "$W/dracut/modules.d/"
	drac() { # drac IMAGE: dracut with the package's modules, conf in $W/dconf
		NBDBOX=$X/usr/sbin/nbdbox dracutbasedir=$W/dracut dracut -q --force --no-hostonly \
			--no-kernel --conf /dev/null --confdir "$W/dconf" "$1" > "$W/dracut.log" 2>&1 &&
			lsinitrd "$1"
	}
	img=$(drac "$W/d0.img")
	check "D: dracut, not asked for: no nbdbox" eval '[ -n "$img" ] && ! has_nbdbox "$img"'
	echo 'add_dracutmodules+=" nbdbox "' > "$W/dconf/nbdbox.conf"
	img=$(drac "$W/d1.img")
	check "D: dracut, add_dracutmodules+=\" nbdbox \": nbdbox and the libraries it links" eval \
		'has_nbdbox "$img" && grep -q "libwolfssl.so" <<< "$img" &&
		 ! grep -E " (usr/)?sbin/nbd-client$" <<< "$img" | grep -q "^-"'
else
	bad "D: no dracut on this host (dracut-core)"
fi

echo "pkg: $((SECONDS - t0)) s"
finish
