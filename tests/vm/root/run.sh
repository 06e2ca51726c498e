#!/bin/bash
# The real-root boots: initramfs images made by Debian's mkinitramfs
# (initramfs-tools + the nbd-client package's hook and local-top/nbd) and
# by dracut 059 (its nbd module), nbdbox in place of /sbin/nbd-client,
# boot an ext4 root image served by nbdkit (exportname-strict) through
# every root= / nbdroot= form their scripts accept; some boots restart
# the server under the running root. Ends with
#   vmroot: N passed, N failed
#
#   run.sh [BOOT...]        boots by name (default: all; see BOOTS below)
# Env: VMROOT_CLIENT=debian  the nbd-client package's binary instead
#      NBDBOX=binary         (default: make static)
#      VMROOT_INITRD_WRAP=cmd  "cmd INITRD GENERATOR" prints the image to
#                            boot instead (bench/vm-root-boot.sh)
#      VM_VERBOSE=1 VM_KEEP=1 VM_CACHE (see tests/vm/README)
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
. "$TOP/tests/vm/host.sh"
. "$TOP/tests/vm/root/build.sh"
. "$TOP/tests/vm/root/sdroot.sh"
vm_deps

S=vmroot
fail_setup() { echo "$S: setup: $*" >&2; echo "$S: 0 passed, 1 failed"; exit 1; }
for c in mkinitramfs dracut mke2fs debugfs e2fsck dhclient; do
	command -v "$c" >/dev/null || fail_setup "no $c (tests/install-deps.sh installs it)"
done

CLIENT=${VMROOT_CLIENT:-nbdbox}
BIN=$(vm_nbdbox) || fail_setup "make static failed"
vr_kernel_tree || fail_setup "kernel"
FS=$(vr_rootfs "$BIN") || fail_setup "root image"
DISK=$(vr_partimg "$BIN") || fail_setup "partitioned image"
[ "$CLIENT" = debian ] && GEN_CLIENT=debian || GEN_CLIENT=$BIN
# The generators' images are made when a boot first needs them.
IT= DR= DRCL=
GEN_CLIENT_NAME=$CLIENT
. "$TOP/tests/vm/root/cmdline.sh"

# NAME GENERATOR IMAGE(fs|disk) EXPORT GUESTPORT(std|host) RESTARTS KERNEL-ARGS
# ($P: the server's port as the guest sees it; std is nbd-client's 10809.)
# Networking: initramfs-tools by klibc ipconfig (dhcp, or static naming
# ens2, the name udev gives the e1000 in slot 2 of -nodefaults); dracut by
# network-legacy (dhclient).
STATIC_IP=ip=10.0.2.15::10.0.2.2:255.255.255.0::ens2:off
# The systemd root: under TCG on a loaded host a dracut boot reaches the
# data disks' device units after systemd's 90 s default (seen: "Timed out
# waiting for device dev-nbd1.device" at 272 s to multi-user); 5 minutes.
SD_ARGS=systemd.default_device_timeout_sec=300
BOOTS='
it-3field   itools fs   root      std  1 root=/dev/nbd0 nbdroot=$H,root,nbd0 ip=dhcp
it-portpath itools fs   root      host 0 root=/dev/nbd0 nbdroot=$H:$P/root $STATIC_IP
it-path     itools fs   /srv/root std  2 root=/dev/nbd0 nbdroot=$H:/srv/root ip=dhcp
it-part     itools disk disk      host 0 root=/dev/nbd0p1 nbdroot=$H:$P/disk $STATIC_IP
dr-name     dracut fs   root      std  1 root=nbd:$H:root:ext4 ip=dhcp
dr-port     dracut fs   ""        host 0 root=nbd:$H:$P:ext4 ip=dhcp
dr-netroot  dracut fs   root      std  2 root=/dev/nbd0 netroot=nbd:$H:root:ext4 ip=dhcp
dr-opts     dracut fs   root      std  0 root=nbd:$H:root:ext4:rw:-b,4096,-t,20 ip=dhcp vmbs=4096
itcl-2field itcl   fs   root      std  0 root=/dev/nbd0 nbdroot=$H,root ip=dhcp
itcl-uri    itcl   disk disk      host 0 root=/dev/nbd0p1 nbdroot=nbd://$H:$P/disk ip=dhcp
drcl-name   drcl   fs   root      std  1 root=nbd:$H:root:ext4 ip=dhcp
drcl-portname drcl fs   root      host 0 root=nbd:$H:$P/root:ext4 ip=dhcp
drcl-uri    drcl   fs   root      host 0 root=nbd://$H:$P/root ip=dhcp
bb-3field   bbox   fs   root      std  0 nbdroot=$H,root,nbd0
bb-2field   bbox   fs   root      std  0 nbdroot=$H,root
bb-portpath bbox   fs   root      host 0 nbdroot=$H:$P/root
bb-path     bbox   fs   /srv/root std  0 nbdroot=$H:/srv/root
bb-part     bbox   disk disk      host 0 root=/dev/nbd0p1 nbdroot=$H:$P/disk
bb-dracut   bbox   fs   root      host 0 root=nbd:$H:$P/root:ext4
bb-dropts   bbox   fs   root      std  0 netroot=nbd:$H:root:ext4:rw:-b,4096,-t,20 vmbs=4096
bb-uri      bbox   fs   root      host 1 nbdroot=nbd://nbdserver:$P/root vmhost=$H
bb-tls      bbtls  fs   root      host 1 nbdroot=nbds://alice@$H:$P/root?tls-psk-file=/etc/nbd/psk vmktls=1
bb-failover bbox   fs   root      host 1 nbdroot=nbd://$H:$P/root nbdroot.alt=$H:$PA
sd-it       sdit   sd   root      std  1 root=/dev/nbd0 nbdroot=$H,root,nbd0 ip=dhcp vmstopdata=1 $SD_ARGS
sd-dr       sddr   sd   root      std  1 root=nbd:$H:root:ext4 ip=dhcp $SD_ARGS
sd-reboot   sdit   sd   root      std  0 root=/dev/nbd0 nbdroot=$H,root,nbd0 ip=dhcp vmend=reboot $SD_ARGS
bb-spread   bbox   fs   root      host 1 nbdroot=nbd://$H:$P/root nbdroot.alt=$H:$PA nbdroot.alt=$H:$PB nbdroot.spread=3 vmro=1 vmkill=root
'
# By hand only (see README): forms the distributions' scripts mis-parse;
# bb-read for bench/vm-root-gap-read.sh; bb-ioctl, which fails on 6.1.
EXTRA_BOOTS='
it-2field   itools fs   root      std  0 root=/dev/nbd0 nbdroot=$H,root ip=dhcp
dr-portname dracut fs   root      host 0 root=nbd:$H:$P/root:ext4 ip=dhcp
bb-read     bbox   fs   root      host 1 nbdroot=nbd://$H:$P/root vmio=read
bb-ioctl    bbox   fs   root      std  1 netroot=nbd:$H:root:ext4:rw:-L vmio=idle vmstop=0
'
H=$H_GUEST
pass=0 failn=0
res() { # NAME PASS|FAIL DETAIL (host-side checks)
	echo "  $1 $2 ${3:-}"
	[ "$2" = PASS ] && pass=$((pass + 1)) || failn=$((failn + 1))
}

on_line() {
	case $1 in
	*RESULT\ *) echo "  ${1#*RESULT }" ;;
	*SD-END\ poweroff*) sd_poweroff_at=$(date +%s) ;;
	*) [ -n "${VM_VERBOSE:-}" ] && echo "    | $1" ;;
	esac
	return 0
}

# The ext4 file system inside a served image (partition 1 of a disk).
fs_of() {
	case $2 in
	disk) dd if="$1" of="$1.p1" bs=1M skip=1 2>/dev/null; echo "$1.p1" ;;
	*) echo "$1" ;;
	esac
}

run_boot() { # the fields of one BOOTS line
	name=$1 gen=$2 kind=$3 exp=$4 gport=$5 restarts=$6
	shift 6
	eval "exp=$exp"
	img=$W/$name.img
	case $kind in
	fs) cp --sparse=always "$FS" "$img" ;;
	sd) [ -n "${SD_IMG:-}" ] || sd_root "$GEN_CLIENT_NAME" || { res "$name-boot" FAIL "no systemd root"; return; }
	    cp --sparse=always "$SD_IMG" "$img" && sd_boot_img "$img" ;;
	*) cp --sparse=always "$DISK" "$img" ;;
	esac
	chmod 666 "$img"
	# One server named root (the init's SIGNAL names it), on a new port.
	SERVERS=
	unset GPORT_root
	[ "$gport" = std ] && GPORT_root=10809
	srvx=
	if [ "$gen" = bbtls ]; then
		if [ -z "${VR_PSK:-}" ]; then
			. "$TOP/tests/pki.sh"
			make_pki "$W/pki" >/dev/null 2>&1 || { res "$name-boot" FAIL "make_pki failed"; return; }
			VR_PSK=$W/pki/psk/keys.psk
			VR_TLSBIN=$(vm_nbdbox_tls)
		fi
		[ -n "$VR_TLSBIN" ] || { res "$name-boot" FAIL "no TLS build (libwolfssl-dev?)"; return; }
		srvx="--tls=require --tls-psk=$VR_PSK"
	fi
	srv_add root "nbdkit -f -i 127.0.0.1 -p \$PORT $srvx --filter=exportname file $img \
		exportname='$exp' exportname-strict=true" || { res "$name-boot" FAIL "nbdkit did not start"; return; }
	P=${GPORT_root:-$PORT_root}
	# The systemd root's data disk: /etc/nbdtab's nbd1 at a fixed guest port.
	if [ "$kind" = sd ]; then
		for x in data scratch; do
			sd_dataimg "$W/$name.$x" && chmod 666 "$W/$name.$x"
			[ $x = data ] && GPORT_data=$SD_DATA_PORT || GPORT_scratch=$SD_SCRATCH_PORT
			srv_add $x "nbdkit -f -i 127.0.0.1 -p \$PORT --filter=exportname file $W/$name.$x \
				exportname=$x exportname-strict=true" || { res "$name-boot" FAIL "nbdkit ($x) did not start"; return; }
		done
	fi
	# Failover: a second server of the same image, logging its connections.
	case "$*" in *nbdroot.alt=*)
		rm -f "$W/alt.nbdlog"
		srv_add alt "nbdkit -f -i 127.0.0.1 -p \$PORT --filter=log --filter=exportname file $img \
			exportname='$exp' exportname-strict=true logfile=$W/alt.nbdlog" ||
			{ res "$name-boot" FAIL "nbdkit (alt) did not start"; return; }
		PA=$PORT_alt ;;
	esac
	# Spread: a third server of the same image.
	case "$*" in *nbdroot.spread=*)
		srv_add alt2 "nbdkit -f -i 127.0.0.1 -p \$PORT --filter=exportname file $img \
			exportname='$exp' exportname-strict=true" ||
			{ res "$name-boot" FAIL "nbdkit (alt2) did not start"; return; }
		PB=$PORT_alt2 ;;
	esac
	tok=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	eval "args=\"$*\""
	# Limits for a loaded machine: itools boots take 30-60 s, dracut's
	# 80-200 s under TCG, busybox-only ones 20-60 s.
	initrd=
	case $gen in
	itools) IT=${IT:-$(vr_itools "$GEN_CLIENT")}; initrd=$IT limit=300 ;;
	dracut) DR=${DR:-$(vr_dracut "$GEN_CLIENT")}; initrd=$DR limit=600 ;;
	itcl) initrd=$(vr_itools "$GEN_CLIENT" cmdline) limit=300 ;;
	drcl) DRCL=${DRCL:-$(vr_dracut "$GEN_CLIENT" cmdline)}; initrd=$DRCL limit=600 ;;
	bbox) initrd=$(vr_bbox "$BIN") limit=200 ;;
	bbtls) initrd=$(vr_bbox "$VR_TLSBIN" "$VR_PSK:/etc/nbd/psk") limit=240 ;;
	# The systemd root: multi-user in 80-160 s under TCG (more on a loaded
	# host), its restarts 40 s, poweroff 6-11 s; a reboot is two boots.
	sdit) initrd=$SD_IT limit=600 ;;
	sddr) initrd=$SD_DR limit=800 ;;
	esac
	case "$*" in *vmend=reboot*) limit=$((limit * 2)) ;; esac
	[ -f "$initrd" ] || { res "$name-boot" FAIL "no initramfs ($gen)"; srv_stop root; return; }
	# bench/vm-root-boot.sh: a command that prints a derived image
	if [ -n "${VMROOT_INITRD_WRAP:-}" ]; then
		initrd=$($VMROOT_INITRD_WRAP "$initrd" "$gen") ||
			{ res "$name-boot" FAIL "VMROOT_INITRD_WRAP failed"; srv_stop root; return; }
	fi
	[ "$restarts" -gt 0 ] && limit=$((limit + 60))
	# The --cmdline images: nbdbox the only NBD client (issue 10); and the
	# one the systemd root's update-initramfs made after the package's
	# install and opt-in (issue 21).
	case $gen/$GEN_CLIENT_NAME in itcl/*|drcl/*|sdit/nbdbox)
		if why=$(vr_only_nbdbox "$initrd"); then res "$name-only-nbdbox" PASS "$why"
		else res "$name-only-nbdbox" FAIL "in the image: $why"; fi ;;
	esac
	echo "  [$name] $gen, $CLIENT: $args"
	rm -f "$W/console" "$W/console.log"
	t0=$(date +%s)
	# Not quiet: the generators' progress lines and kernel errors (level
	# 3 and below) show on the console, and the console is checked.
	# no_timer_check: on a loaded host the IO-APIC timer check fails
	# under TCG ("IO-APIC + timer doesn't work!", a panic at 0.05 s).
	sd_poweroff_at=
	VM_REBOOT=$(case "$*" in *vmend=reboot*) echo 1 ;; esac) \
	VM_APPEND_LOG="loglevel=4 no_timer_check" vm_boot "$limit" "$initrd" "$args rw rd.shell=0 rd.emergency=reboot vmroot=$name vmtoken=$tok vmrestart=$restarts"
	vm_read on_line
	t_end=$(date +%s)
	secs=$(( t_end - t0 ))
	srv_stop root
	[ "$kind" = sd ] && { srv_stop data; srv_stop scratch; sd_checks "$name" "$*"; }
	ro=0
	case "$*" in *vmro=1*) ro=1 ;; esac
	case " $SERVERS " in *" alt2 "*) srv_stop alt2 ;; esac
	case " $SERVERS " in *" alt "*)
		srv_stop alt
		n=$(grep -c " Connect export=" "$W/alt.nbdlog" 2>/dev/null)
		# a read-only root: reads
		w=$(grep -c " $([ $ro = 1 ] && echo Read || echo Write) id=" "$W/alt.nbdlog" 2>/dev/null)
		if [ "${n:-0}" -ge 1 ] && [ "${w:-0}" -ge 1 ]; then
			res "$name-alt" PASS "the second server took the root over: $n connection(s), $w $([ $ro = 1 ] && echo reads || echo writes) in its log"
		else
			res "$name-alt" FAIL "the second server saw ${n:-0} connection(s), ${w:-0} writes"
		fi ;;
	esac
	mkdir -p "$TOP/build" && cp "$W/console.log" "$TOP/build/vmroot-$name.console"
	pass=$((pass + $(grep -c "RESULT $name-[^ ]* PASS" "$W/console.log")))
	failn=$((failn + $(grep -c "RESULT $name-[^ ]* FAIL" "$W/console.log")))
	# A systemd root's boot ends when qemu does (a power-off), not killed
	# at the limit (Debian's client: the power-off hangs).
	if grep -q "^ROOT-DONE $name" "$W/console.log" ||
		{ [ "$kind" = sd ] && grep -q "SD-END poweroff" "$W/console.log" && [ "$secs" -lt "$limit" ]; }; then
		res "$name-boot" PASS "to the root's init and power-off in ${secs}s"
	else
		res "$name-boot" FAIL "the root's init did not finish (${secs}s); console tail:"
		tail -n 30 "$W/console.log" | sed 's/^/    | /'
	fi
	f=$(fs_of "$img" "$kind")
	got=$(debugfs -R "cat /token" "$f" 2>/dev/null)
	[ $ro = 1 ] && got=$(sed -n 's/^ROOT-TOKEN //p' "$W/console.log" | tr -d '\r')
	case $got in
	"$tok /dev/nbd0"*" pid1") res "$name-token" PASS "debugfs: /token '$got'" ;;
	*) res "$name-token" FAIL "debugfs: /token '$got', want '$tok /dev/nbd0... pid1'" ;;
	esac
	if out=$(e2fsck -fn "$f" 2>&1) && ! dumpe2fs -h "$f" 2>/dev/null | grep -q needs_recovery; then
		res "$name-fsck" PASS "e2fsck -fn clean, no needs_recovery"
	else
		res "$name-fsck" FAIL "$(echo "$out" | tail -n 3 | tr '\n' ' ') $(dumpe2fs -h "$f" 2>/dev/null | grep features)"
	fi
	if [ "$restarts" -gt 0 ]; then
		k=$(sed -n 's/^ROOT-LINES //p' "$W/console.log")
		kills=$(grep -c -e '^host: restarting root' -e '^host: stopped root' "$W/console.log")
		# "line K UPTIME": kept for bench/vm-root-gap.sh
		debugfs -R "cat /lines" "$f" 2>/dev/null > "$TOP/build/vmroot-$name.lines"
		cut -d' ' -f2 "$TOP/build/vmroot-$name.lines" > "$W/$name.lines"
		if [ $ro = 1 ]; then
			# A read-only root keeps its lines in the guest (lines-guest,
			# reads): here only that the server was stopped.
			[ "$kills" = "$restarts" ] && res "$name-kills" PASS "$kills server(s) stopped for good" ||
				res "$name-kills" FAIL "$kills server stop(s) of $restarts"
		elif [ -n "$k" ] && [ "$kills" = "$restarts" ] && seq 1 "$k" | cmp -s - "$W/$name.lines"; then
			res "$name-lines" PASS "all $k lines in the image after $kills server kill(s), 10 s down each"
		else
			res "$name-lines" FAIL "$(wc -l < "$W/$name.lines") lines in the image, init wrote '${k:-?}', $kills kill(s) of $restarts"
		fi
	fi
	# (The systemd root's scratch disk, nbd2, is detached under its mount
	# on purpose: sdtest's stop-scratch. And at shutdown, after the data
	# disk's clean unmount, udev's probe of the closed device can still be
	# reading when ExecStop detaches it: READ errors on nbd1 there, seen
	# once in sd-reboot; the data checks above are what proves the data.)
	errs=$(grep -i -e 'I/O error' -e 'EXT4-fs error' -e 'Buffer I/O' -e 'blocked for more than' \
		-e 'Aborting journal' "$W/console.log" | grep -v -e 'nbd2' -e '^stop-scratch' |
		{ if [ "$kind" = sd ]; then grep -v -e 'dev nbd1, .*(READ)' -e 'nbd1, .*async page read'; else cat; fi } |
		head -n 2)
	[ -z "$errs" ] && res "$name-console" PASS "no I/O, ext4 or hung-task line on the console" ||
		res "$name-console" FAIL "$(echo "$errs" | tr '\n' '|')"
	rm -f "$img" "$img.p1"
}

# Host-side checks of a systemd-root boot (after qemu ended at $t_end):
# the power-off's time, the data disk's content and state, the order of
# its unmount and detach at shutdown, / read-only at the end.
# The bound: 45 s from `systemctl poweroff` to qemu's exit. Measured 6-11 s
# under TCG (up to ~20 s on a loaded host); systemd waits 90 s for a unit
# that does not stop (DefaultTimeoutStopSec), so a shutdown that hangs on
# the NBD device or its network fails here instead of passing late.
SD_POWEROFF_MAX=45
sd_checks() { # NAME ARGS
	n=$1
	tp=$(grep -n "SD-END poweroff" "$W/console.log" | tail -n 1 | cut -d: -f1)
	if [ -n "$sd_poweroff_at" ] && [ $((t_end - sd_poweroff_at)) -le $SD_POWEROFF_MAX ]; then
		res "$n-poweroff" PASS "systemctl poweroff to qemu's exit in $((t_end - sd_poweroff_at)) s (bound $SD_POWEROFF_MAX s)"
	else
		res "$n-poweroff" FAIL "power-off took $([ -n "$sd_poweroff_at" ] && echo $((t_end - sd_poweroff_at)) || echo '?') s (bound $SD_POWEROFF_MAX s)"
	fi
	grep -q "SD-ROOT-RO $n" "$W/console.log" && res "$n-root-ro" PASS "/ read-only when systemd-shutdown ran its hooks" ||
		res "$n-root-ro" FAIL "no SD-ROOT-RO line: / still read-write at the end"
	boots=1
	case $2 in *vmend=reboot*) boots=2
		grep -q "ROOT-INIT $n boot 2" "$W/console.log" && res "$n-second-boot" PASS "systemctl reboot: the second boot reached the test" ||
			res "$n-second-boot" FAIL "no second boot" ;;
	esac
	b=1
	while [ $b -le $boots ]; do
		got=$(debugfs -R "cat /token-$b" "$W/$n.data" 2>/dev/null)
		[ "$got" = "$tok boot $b" ] && res "$n-data-token$b" PASS "data disk: /token-$b '$got'" ||
			res "$n-data-token$b" FAIL "data disk: /token-$b '$got', want '$tok boot $b'"
		b=$((b + 1))
	done
	if out=$(e2fsck -fn "$W/$n.data" 2>&1) && ! dumpe2fs -h "$W/$n.data" 2>/dev/null | grep -q needs_recovery; then
		res "$n-data-fsck" PASS "data disk: e2fsck -fn clean, no needs_recovery (unmounted before the detach)"
	else
		res "$n-data-fsck" FAIL "data disk: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
	fi
	# The shutdown's order, from systemd's status lines after the last SD-END.
	sed -n "${tp:-1},\$p" "$W/console.log" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' > "$W/$n.shutdown"
	u=$(grep -n 'Unmounted data.mount' "$W/$n.shutdown" | head -n 1 | cut -d: -f1)
	d=$(grep -n 'Stopping nbd@nbd1.service' "$W/$n.shutdown" | head -n 1 | cut -d: -f1)
	if [ -n "$u" ] && [ -n "$d" ] && [ "$u" -lt "$d" ]; then
		res "$n-data-order" PASS "shutdown: /data unmounted (line $u) before nbd@nbd1's stop began (line $d)"
	else
		res "$n-data-order" FAIL "shutdown: unmount line '${u:-none}', nbd@nbd1 stop line '${d:-none}'"
	fi
	rm -f "$W/$n.data" "$W/$n.scratch" "$W/$n.shutdown"
}

start=$(date +%s)
sel=" $* "
# Named boots come from both lists; without names, BOOTS only.
[ $# -gt 0 ] && BOOTS="$BOOTS$EXTRA_BOOTS"
LIST=$W/boots
: > "$LIST"
while read -r line; do
	[ -n "$line" ] || continue
	set -- $line
	if [ -n "${sel// /}" ]; then
		case $sel in *" $1 "*) ;; *) continue ;; esac
	fi
	echo "$line" >> "$LIST"
done <<EOF
$BOOTS
EOF
ran=$(wc -l < "$LIST")
[ "$ran" -gt 0 ] || fail_setup "no boot matches: $*"

# Two boots at a time when there are two cores: each guest is one TCG
# thread, the host side (nbdkit, the console reader) is light. Every boot
# has its own servers on ports of its own and its own work directory;
# the images the generators make are made first, once, not by two lanes
# at a time. VMROOT_LANES=1: one after another (the benches boot one).
LANES=${VMROOT_LANES:-$([ "$(nproc)" -ge 2 ] && echo 2 || echo 1)}
[ "$ran" -lt "$LANES" ] && LANES=$ran
if [ "$LANES" -gt 1 ]; then
	gens=" $(awk '{ print $2 }' "$LIST" | sort -u | tr '\n' ' ') "
	case $gens in *" itools "*) IT=${IT:-$(vr_itools "$GEN_CLIENT")} ;; esac
	case $gens in *" itcl "*) vr_itools "$GEN_CLIENT" cmdline > /dev/null ;; esac
	case $gens in *" dracut "*) DR=${DR:-$(vr_dracut "$GEN_CLIENT")} ;; esac
	case $gens in *" drcl "*) DRCL=${DRCL:-$(vr_dracut "$GEN_CLIENT" cmdline)} ;; esac
fi
# The systemd root and its images, once, before any lane boots it.
if grep -q '^sd-' "$LIST"; then
	sd_root "$GEN_CLIENT_NAME" || fail_setup "systemd root"
fi
# Deal the boots out by their expected length: dracut's take about three
# times a busybox one, mkinitramfs's one and a half.
i=0
while [ $i -lt "$LANES" ]; do : > "$W/lane$i.boots"; eval "load$i=0"; i=$((i + 1)); done
while read -r line; do
	set -- $line
	case $2 in sddr) w=9 ;; sdit) w=6 ;; dracut|drcl) w=6 ;; itools|itcl) w=3 ;; *) w=2 ;; esac
	best=0 i=1
	while [ $i -lt "$LANES" ]; do
		[ "$(eval echo "\$load$i")" -lt "$(eval echo "\$load$best")" ] && best=$i
		i=$((i + 1))
	done
	echo "$line" >> "$W/lane$best.boots"
	eval "load$best=\$((load$best + w))"
done < "$LIST"

# One lane: its boots one after another, in a subshell with its own $W,
# servers and qemu; its counts go to a file (the output is streamed).
run_lane() { # LANE
	# Not local: the EXIT trap runs after the function has returned.
	LTOP=$W LANE=$1
	W=$LTOP/lane$LANE.d
	mkdir -p "$W" && chmod 755 "$W"
	SERVERS= VM_PIDS= pass=0 failn=0
	trap 'for p in $VM_PIDS; do kill "$p" 2>/dev/null; done
	      for s in $SERVERS; do srv_stop "$s"; done
	      echo "$pass $failn" > "$LTOP/lane$LANE.counts"' EXIT
	trap 'exit 130' INT TERM
	while read -r line; do
		set -- $line
		run_boot "$@" </dev/null
	done < "$LTOP/lane$LANE.boots"
}

[ "$LANES" -gt 1 ] && echo "$S: $ran boots, $LANES at a time"
lanes=
i=0
while [ $i -lt "$LANES" ]; do
	( run_lane $i ) &
	lanes="$lanes $!"
	VM_PIDS="$VM_PIDS $!"
	i=$((i + 1))
done
wait $lanes
i=0
while [ $i -lt "$LANES" ]; do
	if read -r p f < "$W/lane$i.counts" 2>/dev/null; then
		pass=$((pass + p)) failn=$((failn + f))
	else
		echo "  lane $i ended without its counts: counting 1 failed"
		failn=$((failn + 1))
	fi
	i=$((i + 1))
done
echo "$S: $ran boots ($CLIENT) took $(( $(date +%s) - start ))s"
echo "$S: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
