# The resident confined (README, "Security"): after its setup the
# --persist resident (netlink and --ioctl) and the TLS relay have a seccomp
# filter, no_new_privs and only the capabilities the kernel still checks
# (CAP_SYS_ADMIN 21; + CAP_NET_ADMIN 12 for kTLS; none for the relay).
# NBDBOX_SANDBOX_TEST makes the resident try an execve (refused: EPERM, the
# call's number in the kernel log) and open /dev/null (Landlock refuses);
# the device keeps serving, reconnects across a server restart, and
# nbd-detach still ends it. --no-sandbox: none of it. No CPU is assumed:
# the execve number is the one the resident logs.

# FIELD of /proc/PID/status
st() { awk -v k="$2:" '$1 == k { print $2 }' /proc/$1/status 2>/dev/null; }
respid() { cat /sys/block/${1#/dev/}/pid 2>/dev/null; }
# The kernel log lines of process PID containing TEXT.
klines() { dmesg | grep "nbd-attach\[$1\]: .*$2"; }

# confined SUB PID CAPEFF: Seccomp 2, NoNewPrivs 1, CapEff as given.
confined() {
	s=$(st "$2" Seccomp) n=$(st "$2" NoNewPrivs) c=$(st "$2" CapEff)
	[ "$s" = 2 ] && [ "$n" = 1 ] && [ "$c" = "$3" ] &&
		pass "$1" "pid $2: Seccomp $s, NoNewPrivs $n, CapEff $c" ||
		fail "$1" "pid $2: Seccomp '$s' NoNewPrivs '$n' CapEff '$c' (want 2 1 $3)"
}

# selftest SUB PID: the execve refused and logged with its number.
selftest() {
	nr=$(klines "$2" ": execve [0-9]*: " | sed -n 's/.*: execve \([0-9]*\): .*/\1/p' | head -n 1)
	if [ -n "$nr" ] && klines "$2" "sandbox: refused system call $nr\$" >/dev/null &&
		klines "$2" ": execve $nr: Operation not permitted" >/dev/null; then
		pass "$1" "execve (system call $nr) refused with EPERM and logged"
	else
		fail "$1" "execve nr '$nr'; log: $(klines "$2" sandbox | tr '\n' '|')"
	fi
	if klines "$2" "confined: seccomp filter, Landlock" >/dev/null; then
		klines "$2" "open /dev/null: Permission denied" >/dev/null &&
			pass "$1-landlock" "Landlock: open /dev/null refused" ||
			fail "$1-landlock" "$(klines "$2" "open /dev/null")"
	else
		skip "$1-landlock" "no Landlock in this kernel: $(klines "$2" confined)"
	fi
}

if need_applet nbd-attach && wait_server sandbox; then
	export NBDBOX_SANDBOX_TEST=1
	# ---- netlink --persist
	if dev=$(attach --persist "$(uri sandbox)"); then
		pid=$(respid "$dev")
		confined netlink "$pid" 0000000000200000
		selftest netlink-trap "$pid"
		p=$(nbd-probe "$dev" | grep '^confined:')
		case $p in "confined: yes: seccomp filter, no_new_privs, CapEff 0000000000200000")
			pass probe "nbd-probe $dev: $p" ;;
			*) fail probe "nbd-probe $dev: '$p'" ;; esac
		# Still serving after the refused call, and across a server
		# restart (a reconnect: socket, connect, RECONFIGURE).
		want=$(md5of "$(pattern 1)" 1)
		dd if=/tmp/pattern.1 of="$dev" bs=1M oflag=direct conv=fsync 2>/dev/null
		got=$(md5of "$dev" 1)
		[ "$got" = "$want" ] && pass netlink-io "reads and writes after the refused call" ||
			fail netlink-io "md5 $got, want $want"
		host_signal restart-server sandbox 2
		sleep 1
		if dd if="$dev" of=/dev/null bs=64k count=4 iflag=direct 2>/tmp/dd.err &&
			klines "$pid" "reconnected" >/dev/null && [ "$(respid "$dev")" = "$pid" ]; then
			pass netlink-reconnect "read across a server restart, reconnected by the confined $pid"
		else
			fail netlink-reconnect "$(tail -n 1 /tmp/dd.err); $(klines "$pid" "" | tail -n 3 | tr '\n' '|')"
		fi
		wait_server sandbox
		nbd-detach "$dev"
		i=0
		while [ -d /proc/$pid ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		[ ! -d /proc/$pid ] && pass netlink-detach "nbd-detach ended the confined resident" ||
			fail netlink-detach "resident $pid still there 5 s after nbd-detach"
	else
		fail netlink "attach --persist failed"
	fi

	# ---- --ioctl --persist: a reconnect opens /dev/nbdN again (Landlock)
	if dev=$(attach --persist --ioctl "$(uri sandbox)"); then
		pid=$(respid "$dev")
		confined ioctl "$pid" 0000000000200000
		selftest ioctl-trap "$pid"
		host_signal restart-server sandbox 2
		# The read in flight fails in ioctl mode (51-persist-ioctl):
		# read once the resident says it is back.
		i=0
		until klines "$pid" "reconnected, NBD_DO_IT again" >/dev/null || [ $i -ge 100 ]; do
			sleep 0.2; i=$((i + 1))
		done
		if dd if="$dev" of=/dev/null bs=64k count=4 iflag=direct 2>/tmp/dd.err &&
			klines "$pid" "reconnected, NBD_DO_IT again" >/dev/null; then
			pass ioctl-reconnect "read across a server restart: /dev/nbdN reopened by the confined $pid"
		else
			fail ioctl-reconnect "$(tail -n 1 /tmp/dd.err); $(klines "$pid" "" | tail -n 3 | tr '\n' '|')"
		fi
		wait_server sandbox
		nbd-detach "$dev"
	else
		fail ioctl "attach --persist --ioctl failed"
	fi

	# ---- --no-sandbox
	if dev=$(attach --persist --no-sandbox "$(uri sandbox)"); then
		pid=$(respid "$dev")
		s=$(st "$pid" Seccomp) n=$(st "$pid" NoNewPrivs)
		p=$(nbd-probe "$dev" | grep '^confined:')
		if [ "$s" = 0 ] && [ "$n" = 0 ] && klines "$pid" ": execve [0-9]*: No such file or directory" >/dev/null &&
			case $p in "confined: no "*) true ;; *) false ;; esac; then
			pass no-sandbox "Seccomp 0, NoNewPrivs 0, the execve reached the kernel (ENOENT); $p"
		else
			fail no-sandbox "Seccomp '$s' NoNewPrivs '$n', probe '$p'; $(klines "$pid" "execve" | tr '\n' '|')"
		fi
		nbd-detach "$dev"
	else
		fail no-sandbox "attach --persist --no-sandbox failed"
	fi
	unset NBDBOX_SANDBOX_TEST

	# ---- TLS: the kTLS resident keeps CAP_NET_ADMIN too; the relay none,
	# and a relay forked by a reconnect is confined as well.
	if [ -x /bin/nbdbox-tls ] && [ -n "${P_tlspersist:-}" ] && [ -n "${TLS_CA:-}" ]; then
		# tlspersist verifies its clients (tests/vm/tls-setup.sh): the
		# client certificate, its key no one else's to read.
		mkdir -p /tmp/tls/cli /tmp/tlsbin
		printf '%s\n' "$TLS_CA" > /tmp/tls/cli/ca-cert.pem
		(umask 077; printf '%s\n' "$TLS_CLI_KEY" > /tmp/tls/cli/client-key.pem)
		printf '%s\n' "$TLS_CLI_CERT" > /tmp/tls/cli/client-cert.pem
		for a in nbd-attach nbd-detach nbd-probe; do ln -sf /bin/nbdbox-tls /tmp/tlsbin/$a; done
		opath=$PATH PATH=/tmp/tlsbin:$PATH
		X="--tls-certificates /tmp/tls/cli --tls-hostname localhost"
		u="nbds://$H:$P_tlspersist/"
		if dev=$(attach --persist $X "$u"); then
			case $(nbd-probe --shell "$dev" | grep '^NBD_DATA_PATH=') in
			*kTLS*) confined ktls "$(respid "$dev")" 0000000000201000 ;;
			*) skip ktls "no kTLS here (relay)" ;; esac
			nbd-detach "$dev"
		else
			fail ktls "attach --persist over TLS failed"
		fi
		if dev=$(attach --persist --tls-relay $X "$u"); then
			pid=$(respid "$dev")
			r1=$(nbd-probe --shell "$dev" | sed -n "s/^NBD_DATA_PATH='TLS relay pid \([0-9]*\),.*/\1/p")
			confined relay "${r1:-0}" 0000000000000000
			host_signal restart-server tlspersist 2
			sleep 1
			dd if="$dev" of=/dev/null bs=64k count=16 iflag=direct 2>/tmp/dd.err; rc=$?
			r2=$(ps | awk '/nbd-attach.*tls/ && !/awk/ { print $1 }' | grep -vx "$pid" | grep -vx "${r1:-x}" | head -n 1)
			if [ $rc = 0 ] && [ -n "$r2" ]; then
				pass relay-reconnect "read across a server restart; new relay $r2"
				confined relay-new "$r2" 0000000000000000
			else
				fail relay-reconnect "dd exit $rc $(tail -n 1 /tmp/dd.err), new relay '$r2'"
			fi
			wait_server tlspersist
			nbd-detach "$dev"
		else
			fail relay "attach --persist --tls-relay failed"
		fi
		PATH=$opath
	else
		skip tls "no TLS build or TLS servers"
	fi
	wait_server sandbox
fi
