#!/bin/bash
# nbd-copy against nbdcopy (libnbd-bin), side by side, runs interleaved
# (bench/timeit.py), loopback nbdkit:
#   1. a 1 GiB memory export (random data) to /dev/null
#   2. a 1 GiB file (random, in the page cache) into a memory export
#   3. a sparse 8 GiB memory export with 100 MiB of data into another
#      8 GiB memory export (holes: BLOCK_STATUS, then WRITE_ZEROES)
#   4. the same sparse export to a file (holes: skipped)
# Goal: nbd-copy >= 1.0x nbdcopy (median wall time <= nbdcopy's).
# Prints; never fails.
#   RUNS=N (default 7)   NBDBOX=PATH (default ./nbdbox; try nbdbox.static)
#   COPY_OPTS="-C 2"     extra nbd-copy options
. "$(dirname "$0")/common.sh"
RUNS=${RUNS:-7}
command -v nbdcopy > /dev/null || { echo "nbdcopy not installed (libnbd-bin)"; exit 0; }

SRC=$BTMP/src.img
head -c 1G /dev/urandom > "$SRC"
# 100 MiB in 100 spots of 1 MiB, spread over 8 GiB.
SPARSE=$BTMP/sparse.img
truncate -s 8G "$SPARSE"
for ((i = 0; i < 100; i++)); do
	dd if="$SRC" of="$SPARSE" bs=1M count=1 skip=$i seek=$((i * 81)) conv=notrunc status=none
done

start_nbdkit memory 1G || exit 0
MEM=nbd://127.0.0.1:$PORT
"$NBDBOX" nbd-copy "$SRC" "$MEM" || exit 0
start_nbdkit memory 1G || exit 0
SINK=nbd://127.0.0.1:$PORT
start_nbdkit memory 8G || exit 0
SP=nbd://127.0.0.1:$PORT
"$NBDBOX" nbd-copy "$SPARSE" "$SP" || exit 0
start_nbdkit memory 8G || exit 0
SPDST=nbd://127.0.0.1:$PORT

# The two copies must agree before they are timed.
a=$("$NBDBOX" nbd-copy $COPY_OPTS "$MEM" - | md5sum)
b=$(nbdcopy "$MEM" - | md5sum)
[ "$a" = "$b" ] || echo "WARNING: nbd-copy and nbdcopy disagree: $a / $b"

echo "== 1 GiB memory export -> /dev/null ($RUNS runs each, interleaved)"
python3 "$TOP/bench/timeit.py" "$RUNS" \
	"nbd-copy=$NBDBOX nbd-copy $COPY_OPTS $MEM /dev/null" \
	"nbdcopy=nbdcopy $MEM /dev/null"
echo "== 1 GiB file -> memory export"
python3 "$TOP/bench/timeit.py" "$RUNS" \
	"nbd-copy=$NBDBOX nbd-copy $COPY_OPTS $SRC $SINK" \
	"nbdcopy=nbdcopy $SRC $SINK"
echo "== sparse 8 GiB export (100 MiB data) -> 8 GiB memory export"
python3 "$TOP/bench/timeit.py" "$RUNS" \
	"nbd-copy=$NBDBOX nbd-copy $COPY_OPTS $SP $SPDST" \
	"nbdcopy=nbdcopy $SP $SPDST"
echo "== sparse 8 GiB export (100 MiB data) -> file"
python3 "$TOP/bench/timeit.py" "$RUNS" \
	"nbd-copy=$NBDBOX nbd-copy $COPY_OPTS $SP $BTMP/out.img" \
	"nbdcopy=nbdcopy $SP $BTMP/out.img"
