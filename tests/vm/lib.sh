# Helpers for the guest scenarios (sourced; busybox sh).
# /etc/vm.conf gives H (the host as the guest sees it) and P_NAME, the port
# of each host server; see run.sh.

[ -f /etc/vm.conf ] && . /etc/vm.conf

scn_name() { n=${1##*/}; n=${n%.sh}; echo "${n#[0-9][0-9]-}"; }

# result NAME PASS|FAIL DETAIL... on the console, one line.
result() {
	n=$1 st=$2; shift 2
	echo "RESULT $n $st $*" | tee -a /tmp/results
}
pass() { result "$SCN${1:+-$1}" PASS "${2:-}"; }
fail() { result "$SCN${1:+-$1}" FAIL "${2:-}"; }
# check SUB DETAIL CMD...: PASS if CMD succeeds.
check() {
	sub=$1 det=$2; shift 2
	if "$@" >/tmp/check.out 2>&1; then pass "$sub" "$det"
	else fail "$sub" "$det: $(tail -n 3 /tmp/check.out | tr '\n' ' ')"; fi
}

uri() { echo "nbd://$H:$(eval echo \$P_$1)/${2:-}"; }

# attach ARGS...: run nbd-attach, print the device, 1 if none.
attach() {
	dev=$(nbd-attach "$@" 2>/tmp/attach.err) || {
		echo "nbd-attach $*: exit $? $(cat /tmp/attach.err)" >&2; return 1; }
	# The device and nothing else: scripts take stdout as the path.
	case $dev in /dev/nbd[0-9]*[!0-9]* | /dev/nbd) ok=n ;; /dev/nbd[0-9]*) ok=y ;; *) ok=n ;; esac
	[ $ok = y ] || { echo "nbd-attach $*: printed '$dev'" >&2; return 1; }
	wait_size "$dev" || { echo "$dev: size stays 0" >&2; return 1; }
	echo "$dev"
}

# The ioctl child reaches NBD_DO_IT a little after attach returns.
wait_size() {
	i=0
	while [ "$(cat /sys/block/${1#/dev/}/size 2>/dev/null || echo 0)" = 0 ]; do
		[ $i -ge 100 ] && return 1
		sleep 0.1; i=$((i + 1))
	done
}

# md5 of the first MIB MiB of a device or file, read direct (no page cache).
md5of() {
	case $1 in /dev/*) fl=iflag=direct ;; *) fl= ;; esac
	dd if="$1" bs=1M count="$2" $fl 2>/dev/null | md5sum | cut -d' ' -f1
}

# A reproducible pattern file of MIB MiB (not all zero, not repeating).
pattern() {
	[ -f /tmp/pattern.$1 ] || dd if=/dev/urandom of=/tmp/pattern.$1 bs=1M count="$1" 2>/dev/null
	echo /tmp/pattern.$1
}

# Host control: a line the host's console reader acts on (see run.sh).
host_signal() { echo "SIGNAL $*"; }

cleanup_all() {
	umount /mnt 2>/dev/null
	nbd-detach -a >/dev/null 2>&1
	# Any ioctl-mode daemon still about (nbd-detach -a should have ended it).
	sleep 0.2
}

skip() { result "$SCN${1:+-$1}" SKIP "${2:-}"; }
# need_applet NAME: SKIP the scenario when this nbdbox lacks the applet.
need_applet() {
	nbdbox --list 2>/dev/null | grep -qx "$1" && return 0
	skip "" "nbdbox has no $1 applet"
	return 1
}

# roundtrip URI [nbd-attach OPTIONS...]: the round trip every transport
# must pass: attach (no device argument: the kernel picks), a small ext4,
# a file of known content, detach, attach again, same md5; then a raw
# 16 MiB dd pattern written at 16 MiB, detach, attach, read back.
roundtrip() {
	u=$1; shift
	dev=$(attach "$@" "$u") || { fail attach "no device"; return 1; }
	pass attach "$dev"
	want=$(md5of "$(pattern 1)" 1)
	if mke2fs -q -F -b 4096 "$dev" 8192 >/tmp/mkfs.out 2>&1 &&
		mount -t ext4 "$dev" /mnt && cp /tmp/pattern.1 /mnt/f && umount /mnt; then
		nbd-detach "$dev" || fail detach "nbd-detach $dev: exit $?"
		dev=$(attach "$@" "$u") || { fail fs "re-attach failed"; return 1; }
		if mount -t ext4 -o ro "$dev" /mnt; then
			got=$(md5of /mnt/f 1)
			umount /mnt
			[ "$got" = "$want" ] && pass fs "ext4 file md5 ok after re-attach on $dev" ||
				fail fs "md5 $got, want $want"
		else
			fail fs "mount after re-attach failed"
		fi
	else
		fail fs "mke2fs/mount/write failed: $(tail -n 2 /tmp/mkfs.out)"
		umount /mnt 2>/dev/null
	fi
	want=$(md5of "$(pattern 16)" 16)
	if ! dd if=/tmp/pattern.16 of="$dev" bs=1M seek=16 oflag=direct conv=fsync 2>/tmp/dd.err; then
		fail dd "write: $(tail -n 1 /tmp/dd.err)"; return 1
	fi
	nbd-detach "$dev" || fail detach "nbd-detach $dev: exit $?"
	dev=$(attach "$@" "$u") || { fail dd "re-attach failed"; return 1; }
	got=$(dd if="$dev" bs=1M skip=16 count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	[ "$got" = "$want" ] && pass dd "16 MiB pattern md5 ok after re-attach on $dev" ||
		fail dd "md5 $got, want $want"
	nbd-detach "$dev" || fail detach "nbd-detach $dev: exit $?"
}

# Established TCP connections from the guest to port P.
conns_to() {
	hp=$(printf '%04X' "$1")
	awk -v p=":$hp" '$3 ~ p"$" && $4 == "01"' /proc/net/tcp | wc -l
}

# wait_server NAME: until the host's server NAME answers a probe (at most
# 20 s). Through the relay a stopped server looks like a connection closed
# before the greeting, not a refused connect, so --wait does not apply.
wait_server() {
	i=0
	until nbdbox nbd-probe -T 5 "$(uri "$1")" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -ge 40 ] && return 1
		sleep 0.5
	done
}

# persist_read [nbd-attach OPTIONS]: see scenarios/50-persist.sh.
persist_read() { # [nbd-attach OPTIONS]
	wait_server persist || { fail "" "server persist not up"; return; }
	dev=$(attach --persist "$@" "$(uri persist)") || { fail "" "attach failed"; return; }
	dd if="$dev" bs=64k count=$((PERSIST_MIB * 16)) iflag=direct 2>/tmp/dd.err |
		md5sum | cut -d' ' -f1 > /tmp/persist.md5 &
	rd=$!
	sleep 1
	t0=$(cut -d' ' -f1 /proc/uptime)
	host_signal restart-server persist 3
	wait $rd
	t1=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "persist: read ended ${secs}s after the restart request"
	# Leave the server up for whoever comes next.
	wait_server persist
	got=$(cat /tmp/persist.md5)
	if [ "$got" != "$PERSIST_MD5" ]; then
		fail "" "md5 $got, want $PERSIST_MD5; dd: $(tail -n 2 /tmp/dd.err | tr '\n' ' ')"
	elif awk -v s="$secs" 'BEGIN { exit !(s < 3) }'; then
		# The server stays down 3 s: a read that ended sooner missed it.
		fail "" "the read ended ${secs}s after the restart request: it did not span the outage"
	else
		pass "" "read across a server restart, md5 ok (ended ${secs}s after the kill)"
	fi
}

# The TLS scenarios: the TLS build (run.sh puts it in as /bin/nbdbox-tls)
# first on PATH for its applets; the kernel's kTLS counters.
use_tls_build() {
	[ -x /bin/nbdbox-tls ] || return 0
	mkdir -p /tmp/tlsbin
	for a in nbdbox nbd-attach nbd-detach nbd-probe nbd-list; do
		ln -sf /bin/nbdbox-tls /tmp/tlsbin/$a
	done
	PATH=/tmp/tlsbin:$PATH
}
tls_stat() { # COUNTER
	awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat 2>/dev/null
}
