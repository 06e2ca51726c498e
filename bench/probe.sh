#!/bin/bash
# Whole-process wall time of nbd-probe vs nbdinfo vs nbd-client -l against
# the same nbdkit (memory 1G), runs interleaved; median and ratio to
# nbd-probe. Goal: nbd-probe <= 0.2x nbdinfo. Prints; never fails.
#   RUNS=N (default 200)   NBDBOX=PATH (default ./nbdbox; try nbdbox.static)
. "$(dirname "$0")/common.sh"
RUNS=${RUNS:-200}

start_nbdkit memory 1G || exit 0
echo "nbdkit memory 1G on 127.0.0.1:$PORT, $RUNS runs each, interleaved"
cmds=("nbd-probe=$NBDBOX nbd-probe 127.0.0.1 $PORT")
[ -x "$TOP/nbdbox.static" ] &&
	cmds+=("nbd-probe(static)=$TOP/nbdbox.static nbd-probe 127.0.0.1 $PORT")
cmds+=("nbdinfo=nbdinfo nbd://127.0.0.1:$PORT")
command -v nbd-client > /dev/null &&
	cmds+=("nbd-client -l=nbd-client -l 127.0.0.1 $PORT")
python3 "$TOP/bench/timeit.py" "$RUNS" "${cmds[@]}"

if command -v hyperfine > /dev/null && [ -n "${HYPERFINE:-}" ]; then
	hyperfine -N --warmup 20 --runs "$RUNS" \
		"$NBDBOX nbd-probe 127.0.0.1 $PORT" "nbdinfo nbd://127.0.0.1:$PORT" \
		"nbd-client -l 127.0.0.1 $PORT"
fi
