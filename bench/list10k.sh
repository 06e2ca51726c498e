#!/bin/bash
# Listing many exports: nbd-list vs nbd-client -l vs nbdinfo --list against
# one nbdkit (memory plugin + exportname filter, one exportname= argument
# per export: no fork per export, unlike the eval plugin). Sizes 1k, 5k,
# 10k show how the cost grows. Goal: nbd-list <= 0.5x the faster of the
# other two, growing linearly. Prints; never fails.
#   SIZES="100 1000 5000 10000"  RUNS=10
#   NBDINFO_MAX=100   nbdinfo --list opens every export, one connection
#                     each (~0.2 s per export here: 10k would take ~35 min):
#                     it runs once, and only for sizes up to this
. "$(dirname "$0")/common.sh"
SIZES=${SIZES:-100 1000 5000 10000}
RUNS=${RUNS:-10}
NBDINFO_MAX=${NBDINFO_MAX:-100}

for n in $SIZES; do
	args=()
	for ((i = 1; i <= n; i++)); do args+=("exportname=export-$i"); done
	start_nbdkit --filter=exportname memory 1M "${args[@]}" \
		exportname-list=explicit exportdesc=fixed:'a RAM disk' || exit 0
	echo
	echo "== $n exports (nbdkit on 127.0.0.1:$PORT)"
	# Does each tool see all of them? A count, not a pass/fail.
	got=$("$NBDBOX" nbd-list "127.0.0.1:$PORT" 2>&1 | grep -c '^export-')
	echo "nbd-list sees $got of $n"
	got=$(nbd-client -l 127.0.0.1 "$PORT" 2>"$BTMP/nc.err" | grep -c '^export-')
	echo "nbd-client -l sees $got of $n $(tr '\n' ' ' < "$BTMP/nc.err")"
	cmds=("nbd-list=$NBDBOX nbd-list 127.0.0.1 $PORT"
	      "nbd-list -l=$NBDBOX nbd-list -l 127.0.0.1 $PORT"
	      "nbd-client -l=nbd-client -l 127.0.0.1 $PORT")
	python3 "$TOP/bench/timeit.py" "$RUNS" "${cmds[@]}"
	if [ "$n" -le "$NBDINFO_MAX" ]; then
		t0=$(date +%s%N)
		nbdinfo --list "nbd://127.0.0.1:$PORT" > "$BTMP/ni.out" 2>&1
		t1=$(date +%s%N)
		echo "nbdinfo --list (1 run): $(( (t1 - t0) / 1000000 )) ms," \
			"sees $(grep -c '^export=' "$BTMP/ni.out") of $n"
	fi
	stop_nbdkit
done
