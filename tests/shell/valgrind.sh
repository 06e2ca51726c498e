#!/bin/bash
# The shell suites once more, every nbdbox run under valgrind memcheck:
# any invalid read or write, use of uninitialised memory, bad free or
# definite/possible leak fails the run. Ends "valgrind: N passed, N failed"
# (the suites' tests, plus one failure per process valgrind complained
# about).
#
# Suites: those that run ./nbdbox (TLS by default; ./nbdbox.tls when it
# was built without) as a command. Not
# multicall (it links and copies the binary: a wrapper script is not
# one), build (compiles), attach_host (its own sh harness; on a host
# without the nbd driver its paths are the same option and handshake
# code the others cover), the VM suite (the kernel's side, and the
# resident processes live as long as the device). Two timing tests of
# nbd_probe skip themselves under valgrind (NBDBOX_UNDER_VALGRIND).
#   VALGRIND_SUITES="nbd_probe untrusted"   a subset
cd "$(dirname "$0")/../.." || exit 1
TOP=$PWD
command -v valgrind > /dev/null || { echo "valgrind: not installed"; echo "valgrind: 0 passed, 1 failed"; exit 1; }

SUITES=${VALGRIND_SUITES:-nbd_list nbd_probe nbd_client nbd_copy untrusted dns tls}
W=$(mktemp -d /tmp/nbdbox-vg.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/logs"

wrap() { # NAME REAL: a script that runs REAL under memcheck
	cat > "$W/$1" <<EOS
#!/bin/sh
exec valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full \\
	--errors-for-leak-kinds=definite,possible --track-fds=no \\
	--log-file="$W/logs/%p.log" "$2" "\$@"
EOS
	chmod +x "$W/$1"
}
wrap nbdbox "$TOP/nbdbox"
[ -x "$TOP/nbdbox.tls" ] && wrap nbdbox.tls "$TOP/nbdbox.tls"

pass=0 fail=0
for s in $SUITES; do
	[ -f "tests/shell/test_$s.sh" ] || continue
	out=$(NBDBOX=$W/nbdbox NBDBOX_TLS=$W/nbdbox.tls NBDBOX_UNDER_VALGRIND=1 bash "tests/shell/test_$s.sh" 2>&1)
	line=$(grep -E "^$s: [0-9]+ passed, [0-9]+ failed$" <<< "$out" | tail -n 1)
	if [ -z "$line" ]; then
		printf '%s\n' "$out" | tail -n 20
		echo "valgrind/$s: no result line"
		fail=$((fail + 1))
		continue
	fi
	[[ $line == *", 0 failed" ]] || printf '%s\n' "$out" | grep -v '^test_' | tail -n 40
	echo "valgrind/$line"
	p=${line#*: }; p=${p%% passed*}
	f=${line%% failed}; f=${f##*, }
	pass=$((pass + p)) fail=$((fail + f))
done
# Each log that says anything is a process with an error or a leak.
bad=0
for l in "$W"/logs/*.log; do
	[ -s "$l" ] || continue
	echo "---- valgrind: $(basename "$l" .log)"
	head -n 40 "$l"
	bad=$((bad + 1))
done
runs=$(ls "$W/logs" | wc -l)
echo "valgrind: $runs processes checked, $bad with errors or leaks"
fail=$((fail + bad))
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
