#!/bin/bash
# Run the EXAMPLES of a man page source (doc/*.scd) as they are written:
# in a network namespace of its own, where 10.0.0.5 (the pages' server,
# the README's too) is on lo and nbdkit serves exports root (with the
# description "Debian 12 root file system") and swap, listed, and any
# other name (scratch) on 10.0.0.5:10809, all one 16M RAM disk. Each `$ CMD` line of a ``` block runs in bash in WORKDIR
# with the applet links first on PATH; the lines after it, if any, are its
# expected stdout. Prints one line per command:
#   ok RC CMD | bad RC CMD (and the output) | kernel RC CMD
# `kernel`: a command that needs the nbd driver, on a host without it:
# it must get as far as the kernel (exit 8 or 9: parsed, connected,
# negotiated; 0 or 1 for what only asks: nbd-detach -a, nbd-client
# -check), not fail on its command line (2) or the server (3-6).
# Usage (root): docs-examples.sh PAGE.scd BINDIR WORKDIR
set -u
page=$1 bindir=$2 work=$3
if [ "${DOCS_IN_NS:-}" != 1 ]; then
	exec env DOCS_IN_NS=1 unshare -n bash "$0" "$@"
fi
ip link set lo up && ip addr add 10.0.0.5/32 dev lo || exit 1
cd "$work" || exit 1
nbdkit -f -i 10.0.0.5 -p 10809 --filter=exportname memory 16M \
	exportname=root exportname=swap exportname-list=explicit \
	exportdesc=script:'[ "$name" = root ] && printf "Debian 12 root file system"' 2> nbdkit.log &
srv=$!
trap 'kill $srv 2>/dev/null; wait $srv 2>/dev/null' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/10.0.0.5/10809) 2>/dev/null && break; sleep 0.1; done
driver=no
{ [ -e /sys/module/nbd ] || [ -e /dev/nbd0 ]; } && driver=yes
export PATH=$bindir:$PATH

# The examples: `$ ` lines in the ``` blocks of the EXAMPLES section.
awk '/^# /{ex = ($0 ~ /^# EXAMPLES/); next}
     ex && /^```/ {blk = !blk; if (!blk) print "\001"; next}
     ex && blk' "$page" > ex.txt
run_one() { # CMD EXPECTED
	local cmd=$1 want=$2 out rc
	out=$(bash -c "$cmd" 2> err.txt)
	rc=$?
	case $cmd in
	*--explain*|*" -l "*|*" -list "*) kern=no ;;
	nbd-attach*|nbd-detach*|*nbd-client*/dev/nbd*|*"nbd-probe /dev/"*) kern=yes ;;
	*) kern=no ;;
	esac
	if [ $kern = yes ] && [ $driver = no ]; then
		case $rc:$cmd in 8:*|9:*|0:*" -a"|1:*-check*) echo "kernel $rc $cmd" ;;
		*) echo "bad $rc $cmd"; cat err.txt ;; esac
		return
	fi
	if [ $rc -ne 0 ] || { [ -n "$want" ] && [ "$out" != "$want" ]; }; then
		echo "bad $rc $cmd"
		printf 'stdout: <%s>\nwanted: <%s>\n' "$out" "$want"
		cat err.txt
	else
		echo "ok $rc $cmd"
	fi
}
cmd='' want=''
while IFS= read -r line; do
	case $line in
	'$ '*|$'\001')
		[ -n "$cmd" ] && run_one "$cmd" "$want"
		cmd='' want=''
		[ "$line" = $'\001' ] || cmd=${line#\$ } ;;
	*)
		[ -n "$cmd" ] && want=${want:+$want$'\n'}$line ;;
	esac
done < ex.txt
[ -n "$cmd" ] && run_one "$cmd" "$want"
exit 0
