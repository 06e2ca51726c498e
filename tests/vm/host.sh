# Host side of the VM tests (sourced by tests/vm/run.sh and bench/vm-*.sh):
# servers on 127.0.0.1, the guest configuration, the qemu boot, and the
# console reader that reacts to the guest's SIGNAL lines.
# Caller sets: TOP (repo root). Provides W (work dir), cleanup on EXIT.

VMDIR=$TOP/tests/vm
H_GUEST=10.0.2.100    # where the guest finds the host's servers (guestfwd)
# ARCH=amd64 (default) | arm64 | armhf | s390x: the guest's CPU, with
# Debian's kernel for it (kernel.sh) and nbdbox cross-built static for it.
ARCH=${ARCH:-amd64}
export ARCH
case $ARCH in
amd64) VM_TRIPLET= VM_QEMU_PKG=qemu-system-x86 ;;
arm64) VM_TRIPLET=aarch64-linux-gnu VM_QEMU_PKG=qemu-system-arm ;;
armhf) VM_TRIPLET=arm-linux-gnueabihf VM_QEMU_PKG=qemu-system-arm ;;
s390x) VM_TRIPLET=s390x-linux-gnu VM_QEMU_PKG=qemu-system-misc ;;
*) echo "vm: unknown ARCH '$ARCH' (amd64 arm64 armhf s390x)" >&2; exit 1 ;;
esac

vm_log() { echo "vm: $*" >&2; }

vm_need() { # vm_need CMD PACKAGE: install what a fresh Debian 12 lacks
	command -v "$1" >/dev/null 2>&1 && return 0
	vm_log "installing $2"
	apt-get install -y "$2" >/dev/null 2>&1 ||
		{ apt-get update >/dev/null 2>&1; apt-get install -y "$2" >/dev/null; }
}
vm_deps() {
	vm_need qemu-system-x86_64 qemu-system-x86
	[ "$ARCH" = amd64 ] || vm_need "$(vm_qemu_cmd)" "$VM_QEMU_PKG"
	vm_need nbdkit nbdkit
	vm_need nbd-server nbd-server
	vm_need qemu-nbd qemu-utils
	vm_need qemu-img qemu-utils
	vm_need musl-gcc musl-tools
	vm_need cpio cpio
	vm_need depmod kmod
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
		apt-get install -y busybox-static >/dev/null
}

W=$(mktemp -d "${TMPDIR:-/tmp}/nbdbox-vm.XXXXXX")
# nbd-server drops to user nbd: it must reach its image.
chmod 755 "$W"
SERVERS=""
VM_PIDS=""

vm_cleanup() {
	set +e
	# A signal that lands inside `IFS= read` runs this with IFS empty.
	IFS=$' \t\n'
	for p in $VM_PIDS; do kill "$p" 2>/dev/null; done
	stoppers=""
	for s in $SERVERS; do srv_stop "$s" & stoppers="$stoppers $!"; done
	for p in $stoppers; do wait "$p"; done
	for p in $VM_PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${VM_KEEP:-}" ] && vm_log "kept $W" || rm -rf "$W"
}
trap vm_cleanup EXIT
trap 'exit 130' INT TERM

# free_port: a free TCP port on 127.0.0.1
. "$TOP/tests/ports.sh"

# srv_add NAME CMD...: remember how to start server NAME on port $PORT_NAME
# (CMD may use $PORT, it is eval'ed at start), then start it.
srv_add() {
	n=$1; shift
	eval "PORT_$n=\$(free_port)"
	eval "SRVCMD_$n=\$*"
	SERVERS="$SERVERS $n"
	srv_start "$n"
}
srv_start() {
	n=$1
	PORT=$(eval echo "\$PORT_$n")
	cmd=$(eval echo "\"\$SRVCMD_$n\"")
	case $cmd in
	nbdkit*) # -f: stays in front. nbdkit sets PR_SET_PDEATHSIG, so its
		# parent must outlive it: a keeper shell that only waits for it
		# (a restart is started from a short-lived subshell).
		(
			eval "exec $cmd" &
			echo $! > "$W/$n.pid"
			wait
		) >>"$W/$n.log" 2>&1 &
		i=0
		until [ -s "$W/$n.pid" ] || [ $i -gt 100 ]; do sleep 0.01; i=$((i + 1)); done ;;
	*) # forks by itself and writes $W/$n.pid
		eval "$cmd" >>"$W/$n.log" 2>&1 ;;
	esac
	# Ready when the port answers.
	i=0
	until ss -Htln "sport = :$PORT" | grep -q .; do
		i=$((i + 1)); [ $i -gt 100 ] && { vm_log "server $n did not start: $(tail -n 3 "$W/$n.log")"; return 1; }
		sleep 0.05
	done
}
srv_stop() { # NAME [SIGNAL]
	n=$1
	[ -f "$W/$n.pid" ] || return 0
	p=$(cat "$W/$n.pid"); rm -f "$W/$n.pid"
	[ -n "$p" ] || return 0
	kill -s "${2:-TERM}" "$p" 2>/dev/null || return 0
	i=0
	while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
	kill -9 "$p" 2>/dev/null
	PORT=$(eval echo "\$PORT_$n")
	# Per-connection children (nbd-server forks) die with their parent;
	# wait until nobody listens so a restart can bind.
	i=0
	while ss -Htln "sport = :$PORT" | grep -q . && [ $i -lt 50 ]; do sleep 0.05; i=$((i + 1)); done
}

# The guest's view: where each server is, plus anything the caller adds
# (vm_conf KEY VALUE).
vm_conf() { echo "$1='$2'" >> "$W/vm.conf"; }
vm_conf_servers() {
	vm_conf H "$H_GUEST"
	for n in $SERVERS; do vm_conf "P_$n" "$(eval echo "\$PORT_$n")"; done
}

# The TLS build for the TLS scenario: make static (TLS by default, the
# small wolfSSL that scripts/wolfssl-musl.sh builds from Debian's source
# package), the binary make install installs; make static-tls when .config
# has TLS off; or what NBDBOX_TLS names. Another CPU: its make static
# (TLS by default too), linked apart (vm_nbdbox).
vm_nbdbox_tls() {
	if [ -n "${NBDBOX_TLS:-}" ]; then echo "$NBDBOX_TLS"; return; fi
	if [ -n "$VM_TRIPLET" ]; then vm_nbdbox; return; fi
	if [ -z "${NBDBOX:-}" ] && vm_nbdbox > /dev/null &&
		! "$TOP/nbdbox.static" nbd-list --help 2>&1 | grep -q "built without TLS"; then
		echo "$TOP/nbdbox.static"; return
	fi
	make -C "$TOP" static-tls >"$W/make-tls.log" 2>&1 || { cat "$W/make-tls.log" >&2; return 1; }
	echo "$TOP/nbdbox.static-tls"
}

# The static binary (make static: TLS by default) unless NBDBOX names one
# (NBDBOX=./nbdbox.small: the small profile, make small).
vm_nbdbox() {
	if [ -n "${NBDBOX:-}" ]; then echo "$NBDBOX"; return; fi
	if [ -n "$VM_TRIPLET" ]; then
		b=build-static-$VM_TRIPLET/nbdbox
		make -C "$TOP" static CROSS_COMPILE="$VM_TRIPLET-" STATIC_BIN="$b" \
			>"$W/make.log" 2>&1 || { cat "$W/make.log" >&2; return 1; }
		echo "$TOP/$b"; return
	fi
	make -C "$TOP" static >"$W/make.log" 2>&1 || { cat "$W/make.log" >&2; return 1; }
	echo "$TOP/nbdbox.static"
}

# qemu per CPU (as measured in ../shared/TESTBED.md): the machine, the
# console and the NIC (the guest's init names it eth0 in every case).
vm_qemu_cmd() {
	case $ARCH in
	amd64) echo qemu-system-x86_64 ;; arm64) echo qemu-system-aarch64 ;;
	armhf) echo qemu-system-arm ;; s390x) echo qemu-system-s390x ;;
	esac
}
vm_qemu_args() {
	case $ARCH in
	amd64) VM_MACH="-cpu max" VM_CON=ttyS0 VM_NIC="e1000,netdev=n,romfile=" ;;
	arm64) VM_MACH="-M virt -cpu cortex-a57" VM_CON=ttyAMA0 VM_NIC="virtio-net-pci,netdev=n,romfile=" ;;
	armhf) VM_MACH="-M virt,highmem=off -cpu cortex-a15" VM_CON=ttyAMA0 VM_NIC="virtio-net-device,netdev=n" ;;
	s390x) VM_MACH="-M s390-ccw-virtio -cpu max" VM_CON=ttysclp0 VM_NIC="virtio-net-ccw,netdev=n" ;;
	esac
}

# vm_boot TIMEOUT INITRD [APPEND]: boot in the background; the console goes
# to the fifo $W/console. VM_APPEND_LOG replaces "quiet loglevel=3".
# VM_REBOOT=1: a guest reboot restarts the guest (same kernel, initrd and
# command line) instead of ending qemu; a power-off ends it either way.
vm_boot() {
	eval "$("$VMDIR/kernel.sh")"
	fwd=""
	for n in $SERVERS; do
		p=$(eval echo "\$PORT_$n")
		# The guest port is the host's unless GPORT_NAME says (10809
		# for boot scripts that take nbd-client's default port).
		gp=$(eval echo "\${GPORT_$n:-$p}")
		# One relay per guest connection: a tcp: target connects only once.
		fwd="$fwd,guestfwd=tcp:$H_GUEST:$gp-cmd:/bin/busybox nc 127.0.0.1 $p"
	done
	mkfifo "$W/console"
	vm_qemu_args
	# Several CPUs (a scenario's `# vm-smp: N`): all on one host thread
	# (round-robin TCG), so the boot takes no more of the host than one
	# CPU does, and no vCPU waits for a host thread a loaded host does not
	# run (a multi-threaded -smp 2 boot once sat 9 minutes in the crypto
	# self-tests). VM_SMP_THREAD=multi for qemu's default.
	[ "${VM_SMP:-1}" -gt 1 ] && : "${VM_SMP_THREAD:=single}"
	# shellcheck disable=SC2086
	timeout -s KILL "$1" "$(vm_qemu_cmd)" -accel "tcg${VM_SMP_THREAD:+,thread=$VM_SMP_THREAD}" \
		$VM_MACH -m 512 -smp "${VM_SMP:-1}" \
		-nographic $([ -n "${VM_REBOOT:-}" ] || echo -no-reboot) -nodefaults -serial stdio \
		-kernel "$KERNEL" -initrd "$2" \
		-append "console=$VM_CON ${VM_APPEND_LOG:-quiet loglevel=3} panic=-1 ${3:-}" \
		-netdev "user,id=n,restrict=on$fwd" -device "$VM_NIC" \
		</dev/null >"$W/console" 2>"$W/qemu.err" &
	VM_PIDS="$VM_PIDS $!"
	VM_QEMU=$!
}

# vm_read HANDLER: read the console until qemu ends; every line goes to
# $W/console.log and to HANDLER (a function taking the line). SIGNAL lines
# are acted on here:
#   SIGNAL restart-server NAME [SECONDS]   kill NAME, wait, start it again
#   SIGNAL swap-server NAME ALT [SECONDS]  the same, but start $ALTCMD_ALT on
#                                          NAME's port (another export)
#   SIGNAL touch FLAG                      create $W/FLAG.flag (servers that
#                                          change behaviour when it exists)
#   SIGNAL stop-server NAME / start-server NAME   kill -9 NAME / start it
#   SIGNAL count-reads TAG NAME...         append "host: reads TAG NAME=N ..."
#                                          to the console log: the reads in
#                                          $W/NAME.reqlog (nbdkit's log filter)
#                                          so far; a scenario's NN-name.host
#                                          judges them after the run
# The kill is SIGKILL, as a crash or a lost link: on SIGTERM nbdkit answers
# the requests in flight with ESHUTDOWN, which the kernel fails as I/O
# errors (a reply, not a dead link: no client can retry those).
vm_read() {
	handler=$1
	exec 3<"$W/console"
	while IFS= read -r line <&3; do
		line=${line%$(printf '\r')}
		echo "$line" >> "$W/console.log"
		case $line in
		*"SIGNAL restart-server "*)
			set -- ${line#*SIGNAL restart-server }
			( srv_stop "$1" KILL; sleep "${2:-3}"; srv_start "$1" ) >>"$W/host.log" 2>&1 &
			VM_PIDS="$VM_PIDS $!"
			echo "host: restarting $1 (down ${2:-3} s)" >> "$W/console.log" ;;
		*"SIGNAL swap-server "*)
			set -- ${line#*SIGNAL swap-server }
			( srv_stop "$1" KILL; sleep "${3:-3}"; eval "SRVCMD_$1=\$ALTCMD_$2"; srv_start "$1" ) \
				>>"$W/host.log" 2>&1 &
			VM_PIDS="$VM_PIDS $!"
			echo "host: $1 restarts as $2 (down ${3:-3} s)" >> "$W/console.log" ;;
		*"SIGNAL stop-server "*)
			set -- ${line#*SIGNAL stop-server }
			srv_stop "$1" KILL >>"$W/host.log" 2>&1
			echo "host: stopped $1" >> "$W/console.log" ;;
		*"SIGNAL start-server "*)
			set -- ${line#*SIGNAL start-server }
			srv_start "$1" >>"$W/host.log" 2>&1
			echo "host: started $1" >> "$W/console.log" ;;
		*"SIGNAL count-reads "*)
			set -- ${line#*SIGNAL count-reads }
			c="host: reads $1"; shift
			for s in "$@"; do
				case $s in *[!A-Za-z0-9_]*) continue ;; esac
				c="$c $s=$(grep -c ' Read id=' "$W/$s.reqlog" 2>/dev/null)"
			done
			echo "$c" >> "$W/console.log" ;;
		*"SIGNAL touch "*)
			set -- ${line#*SIGNAL touch }
			case $1 in *[!A-Za-z0-9_-]*) ;; *) : > "$W/$1.flag" ;; esac ;;
		esac
		"$handler" "$line"
	done
	exec 3<&-
	wait "$VM_QEMU"
}
