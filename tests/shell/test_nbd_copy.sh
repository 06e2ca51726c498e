#!/bin/bash
# nbd-copy against nbdkit, nbd-server and qemu-nbd, in clear and over TLS:
# what arrives has the source's md5 (file -> export, export -> file, pipes
# both ways, export -> export); holes are skipped, not read; a server that
# fails a read mid-copy gives a clear error and a non-zero exit; the stub
# build copies too.
. "$(dirname "$0")/lib.sh"

SIZE=$((24 << 20))

md5() { md5sum < "$1" | cut -d' ' -f1; }
md5_head() { head -c "$2" "$1" | md5sum | cut -d' ' -f1; } # FILE BYTES

# Bytes an nbdkit log filter saw read (sum of count=0x...).
read_bytes() { # LOG
	local c s=0
	for c in $(grep -a ' Read ' "$1" | grep -ao 'count=0x[0-9a-f]*' | cut -d= -f2); do
		s=$((s + c))
	done
	echo $s
}

suiteSetUp() {
	# A source with data, a hole, data across a stripe boundary (32 MiB
	# is the engine's stripe; 24 MiB + sparse tail crosses none, the big
	# one below does), and an unaligned tail.
	SRC=$TMPD/src.img
	head -c $((3 << 20)) /dev/urandom > "$SRC"
	truncate -s $((10 << 20)) "$SRC"
	head -c $((5 << 20)) /dev/urandom >> "$SRC"
	truncate -s $SIZE "$SRC"
	SRCMD5=$(md5 "$SRC")
	# Sparse and bigger than a stripe: 80 MiB, 2 MiB of data in three spots.
	SPARSE=$TMPD/sparse.img
	truncate -s $((80 << 20)) "$SPARSE"
	for at in 1 33 70; do
		head -c $((700 << 10)) /dev/urandom |
			dd of="$SPARSE" bs=1M seek=$at conv=notrunc status=none
	done
	SPARSEMD5=$(md5 "$SPARSE")
	ODD=$TMPD/odd.img
	head -c 1234567 /dev/urandom > "$ODD"
}

# ---- nbdkit

test_file_to_export_and_back() {
	start_nbdkit memory $SIZE || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_ok
	assert_out_empty
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/back.img"
	assert_ok
	assertEquals "md5 after the round trip" "$SRCMD5" "$(md5 "$TMPD/back.img")"
	assertEquals "size" $SIZE "$(stat -c %s "$TMPD/back.img")"
}

test_pipes_both_ways() {
	start_nbdkit memory $SIZE || return
	run sh -c 'cat "$1" | "$2" nbd-copy - "nbd://127.0.0.1:$3"' sh "$SRC" "$NBDBOX" "$PORT"
	assert_ok
	run sh -c '"$1" nbd-copy "nbd://127.0.0.1:$2" - | md5sum' sh "$NBDBOX" "$PORT"
	assert_rc 0
	assert_out "$SRCMD5  -"
}

test_short_pipe_into_bigger_export() {
	start_nbdkit memory $SIZE || return
	run sh -c '"$2" nbd-copy - "nbd://127.0.0.1:$3" < "$1"' sh "$ODD" "$NBDBOX" "$PORT"
	assert_ok
	run sh -c '"$1" nbd-copy "nbd://127.0.0.1:$2" - | head -c 1234567 | md5sum' sh "$NBDBOX" "$PORT"
	assert_out "$(md5 "$ODD")  -"
}

test_pipe_longer_than_export_fails() {
	start_nbdkit memory 1M || return
	run sh -c 'head -c 1048577 /dev/zero | "$1" nbd-copy - "nbd://127.0.0.1:$2"' sh "$NBDBOX" "$PORT"
	assert_rc 1
	assert_err_oneline nbd-copy
	assert_err_has "more input than the destination's 1048576 bytes"
}

test_unaligned_size() {
	start_nbdkit memory 1234567 || return
	run "$NBDBOX" nbd-copy "$ODD" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/odd.back"
	assert_ok
	assertEquals "$(md5 "$ODD")" "$(md5 "$TMPD/odd.back")"
}

test_export_to_export_multi_conn() {
	start_nbdkit memory $SIZE || return
	local a=$PORT
	start_nbdkit memory $SIZE || return
	local b=$PORT
	run "$NBDBOX" nbd-copy -C 4 "$SRC" "nbd://127.0.0.1:$a"
	assert_ok
	run "$NBDBOX" nbd-copy -C 3 -R 4 --request-size 64K "nbd://127.0.0.1:$a" "nbd://127.0.0.1:$b"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$b" "$TMPD/b.img"
	assert_ok
	assertEquals "md5 export -> export" "$SRCMD5" "$(md5 "$TMPD/b.img")"
}

# A read-only source on three servers (--alt): every server is read, the
# copy is exact, the progress line says so. SPARSE (80 MiB): three stripes
# of 32 MiB, so three workers.
test_read_only_source_spread_over_servers() {
	local p0 p1 p2 i
	start_nbdkit -r --filter=log file "$SPARSE" logfile="$TMPD/s0.log" || return; p0=$PORT
	start_nbdkit -r --filter=log file "$SPARSE" logfile="$TMPD/s1.log" || return; p1=$PORT
	start_nbdkit -r --filter=log file "$SPARSE" logfile="$TMPD/s2.log" || return; p2=$PORT
	run "$NBDBOX" nbd-copy -p -C 3 --no-sparse --alt "127.0.0.1:$p1" --alt "127.0.0.1:$p2" \
		"nbd://127.0.0.1:$p0" "$TMPD/spread.img"
	assert_rc 0
	assert_err_has "from 3 servers"
	assertEquals "md5" "$SPARSEMD5" "$(md5 "$TMPD/spread.img")"
	for i in 0 1 2; do
		assertTrue "server $i read $(read_bytes "$TMPD/s$i.log") bytes" \
			"[ $(read_bytes "$TMPD/s$i.log") -gt 0 ]"
	done
	# A writable source is not spread (failover only): all from the first.
	start_nbdkit --filter=log file "$SPARSE" logfile="$TMPD/w0.log" || return; p0=$PORT
	run "$NBDBOX" nbd-copy -p -C 3 --no-sparse --alt "127.0.0.1:$p1" "nbd://127.0.0.1:$p0" "$TMPD/spread.img"
	assert_rc 0
	case $ERR in *servers*) fail "a writable source was spread: $ERR" ;; esac
	assertEquals "md5" "$SPARSEMD5" "$(md5 "$TMPD/spread.img")"
}

test_sparse_export_holes_not_read() {
	start_nbdkit memory $((80 << 20)) || return
	local dst=$PORT
	run "$NBDBOX" nbd-copy "$SPARSE" "nbd://127.0.0.1:$dst"
	assert_ok
	# The source through a log filter: what was read, and how.
	start_nbdkit --filter=log nbd "uri=nbd://127.0.0.1:$dst" logfile="$TMPD/sparse.log" || return
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/sparse.back"
	assert_ok
	assertEquals "md5 of the sparse copy" "$SPARSEMD5" "$(md5 "$TMPD/sparse.back")"
	grep -q ' Extents ' "$TMPD/sparse.log" || fail "no BLOCK_STATUS asked: $(head -5 "$TMPD/sparse.log")"
	local r
	r=$(read_bytes "$TMPD/sparse.log")
	# 2.1 MiB of data (in 4 KiB pages of the memory plugin): far below 80.
	[ "$r" -gt 0 ] && [ "$r" -lt $((8 << 20)) ] || fail "read $r bytes of a sparse 80 MiB export"
	# The holes stayed holes in the file.
	local used
	used=$(du -k "$TMPD/sparse.back" | cut -f1)
	[ "$used" -lt 16384 ] || fail "sparse copy uses $used KiB on disk"
	# --no-sparse reads everything, same bytes.
	: > "$TMPD/sparse.log"
	run sh -c '"$1" nbd-copy --no-sparse "nbd://127.0.0.1:$2" - | md5sum' sh "$NBDBOX" "$PORT"
	assert_rc 0
	assert_out "$SPARSEMD5  -"
	assertEquals "everything read with --no-sparse" $((80 << 20)) "$(read_bytes "$TMPD/sparse.log")"
	! grep -aq ' Extents ' "$TMPD/sparse.log" || fail "--no-sparse still asked for extents"
}

test_sparse_zeroes_overwrite_old_data() {
	# Holes in the source must become zeroes on a destination that held
	# data: WRITE_ZEROES, not a skip.
	start_nbdkit memory $((80 << 20)) || return
	local dst=$PORT
	run sh -c 'head -c 83886080 /dev/urandom | "$1" nbd-copy - "nbd://127.0.0.1:$2"' sh "$NBDBOX" "$dst"
	assert_ok
	start_nbdkit memory $((80 << 20)) || return
	run "$NBDBOX" nbd-copy "$SPARSE" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "nbd://127.0.0.1:$dst"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$dst" "$TMPD/z.img"
	assertEquals "$SPARSEMD5" "$(md5 "$TMPD/z.img")"
	# And to a pipe the holes come out as zero bytes, in order.
	run sh -c '"$1" nbd-copy "nbd://127.0.0.1:$2" - | md5sum' sh "$NBDBOX" "$PORT"
	assert_out "$SPARSEMD5  -"
}

test_fragmented_sparse_export() {
	# 4 KiB of data every 64 KiB: 1,024 extents per 32 MiB stripe, more
	# than one BLOCK_STATUS reply is kept (256): the rest is asked again.
	local f=$TMPD/frag.img i
	truncate -s $((40 << 20)) "$f"
	for ((i = 0; i < 640; i++)); do
		printf 'block %06d %s' $i "$(head -c 3100 /dev/urandom | base64 -w0)"
	done | python3 -c 'import sys
d = sys.stdin.buffer.read(); f = open(sys.argv[1], "r+b")
for i in range(640):
    f.seek(i * 65536); f.write(d[i * 4096:(i + 1) * 4096])' "$f"
	start_nbdkit memory $((40 << 20)) || return
	run "$NBDBOX" nbd-copy "$f" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy -C 1 "nbd://127.0.0.1:$PORT" "$TMPD/frag.back"
	assert_ok
	assertEquals "fragmented, to a file" "$(md5 "$f")" "$(md5 "$TMPD/frag.back")"
	run sh -c '"$1" nbd-copy "nbd://127.0.0.1:$2" - | md5sum' sh "$NBDBOX" "$PORT"
	assert_out "$(md5 "$f")  -"
}

test_no_write_zeroes_on_destination() {
	# nozero filter: the destination cannot zero; holes go as data.
	start_nbdkit --filter=nozero memory $((80 << 20)) || return
	run "$NBDBOX" nbd-copy "$SPARSE" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/nz.img"
	assertEquals "$SPARSEMD5" "$(md5 "$TMPD/nz.img")"
}

test_read_error_mid_copy() {
	# Reads past 4 MiB fail with EIO and a message.
	start_nbdkit eval get_size='echo 16777216' \
		pread='if [ $4 -ge 4194304 ]; then echo "EIO bad sector" >&2; exit 1; fi; head -c $3 /dev/zero' || return
	run "$NBDBOX" nbd-copy --no-sparse "nbd://127.0.0.1:$PORT" "$TMPD/err.img"
	assert_rc 1
	assert_err_oneline nbd-copy
	assert_err_has "127.0.0.1:$PORT: NBD_CMD_READ at offset 4194304"
	# The wire value by its spec name: libc texts differ (glibc
	# "Input/output error", musl "I/O error").
	assert_err_has "NBD_EIO ("
	# The same into a pipe: never a silent short stream.
	run bash -c '"$1" nbd-copy "nbd://127.0.0.1:$2" - > /dev/null' sh "$NBDBOX" "$PORT"
	assert_rc 1
	assert_err_has "NBD_CMD_READ at offset 4194304"
}

test_random_read_errors() {
	start_nbdkit --filter=error memory $SIZE error-pread=EIO error-pread-rate=50% || return
	local port=$PORT
	run "$NBDBOX" nbd-copy -C 1 --no-sparse "nbd://127.0.0.1:$port" "$TMPD/rnd.img"
	assert_rc 1
	assert_err_oneline nbd-copy
	assert_err_has "NBD_CMD_READ at offset"
}

test_write_error_mid_copy() {
	start_nbdkit --filter=error memory $SIZE error-pwrite=ENOSPC error-pwrite-rate=50% || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_rc 1
	assert_err_oneline nbd-copy
	assert_err_has "NBD_CMD_WRITE at offset"
	assert_err_has "No space left on device"
}

test_stalled_server_times_out() {
	# Reads take 8 s; -T 1 bounds every wait for a reply.
	start_nbdkit --filter=delay memory 1M delay-read=8 || return
	local t0=$SECONDS
	run "$NBDBOX" nbd-copy -T 1 --no-sparse "nbd://127.0.0.1:$PORT" "$TMPD/slow.img"
	assert_rc 3
	assert_err_oneline nbd-copy
	assert_err_has "timed out after 1000 ms"
	[ $((SECONDS - t0)) -lt 6 ] || fail "took $((SECONDS - t0)) s"
}

test_name_option_with_one_export() {
	start_nbdkit --filter=exportname memory $SIZE exportname=one exportname-list=explicit \
		exportname-strict=true || return
	run "$NBDBOX" nbd-copy -N one "$ODD" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy "$ODD" "nbd://127.0.0.1:$PORT/two"
	assert_rc 4
	run "$NBDBOX" nbd-copy -N one "nbd://127.0.0.1:$PORT" "nbd://127.0.0.1:$PORT"
	assert_rc 2
	assert_err_has "-N: only with exactly one export"
}

test_destination_too_small() {
	start_nbdkit memory 1M || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_rc 2
	assert_err_has "smaller (1048576 bytes) than"
}

test_read_only_destination() {
	NBDKIT_OPTS=-r start_nbdkit memory $SIZE || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_rc 4
	assert_err_has "read-only"
}

test_usage() {
	run "$NBDBOX" nbd-copy "$SRC"
	assert_rc 2
	assert_err_has "need a source and a destination"
	run "$NBDBOX" nbd-copy -N x "$SRC" "$TMPD/x"
	assert_rc 2
	run "$NBDBOX" nbd-copy -C 0 "$SRC" "$TMPD/x"
	assert_rc 2
	run "$NBDBOX" nbd-copy --request-size 100 "$SRC" "$TMPD/x"
	assert_rc 2
}

test_local_errors() {
	run "$NBDBOX" nbd-copy "$TMPD/no-such-file" "$TMPD/x"
	assert_rc 1
	assert_err_oneline nbd-copy
	assert_err_has "no-such-file: open: No such file or directory"
	start_nbdkit memory $SIZE || return
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" /dev/full
	assert_rc 1
	assert_err_oneline nbd-copy
	assert_err_has "/dev/full: write at offset 0: No space left on device"
	run "$NBDBOX" nbd-copy a b c
	assert_rc 2
	assert_err_has "unexpected argument 'c'"
	# Never the source onto itself (O_TRUNC would eat it).
	cp "$ODD" "$TMPD/self.img"
	run "$NBDBOX" nbd-copy "$TMPD/self.img" "$TMPD/self.img"
	assert_rc 2
	assert_err_has "source and destination are the same file"
	assertEquals "$(md5 "$ODD")" "$(md5 "$TMPD/self.img")"
}

test_progress_when_asked() {
	start_nbdkit memory $SIZE || return
	run "$NBDBOX" nbd-copy -p "$SRC" "nbd://127.0.0.1:$PORT"
	assert_rc 0
	assert_err_has "24.0 MiB of 24.0 MiB (100%)"
	# Not a terminal, not asked: quiet.
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_ok
}

test_fua_and_flush_sent() {
	start_nbdkit --filter=log memory $SIZE logfile="$TMPD/fua.log" || return
	run "$NBDBOX" nbd-copy --fua "$ODD" "nbd://127.0.0.1:$PORT"
	assert_ok
	grep -q ' Write .*fua=1' "$TMPD/fua.log" || fail "no FUA write: $(grep Write "$TMPD/fua.log" | head -2)"
	grep -q ' Flush ' "$TMPD/fua.log" || fail "no FLUSH at the end"
}

test_oldstyle_server() {
	# No options at all: no structured replies, no extents; still a copy.
	# (nbdkit 1.32 in oldstyle refuses the FLUSH and WRITE_ZEROES it
	# advertises, so only reads here.)
	NBDKIT_OPTS="-o -r" start_nbdkit pattern $SIZE || return
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/old.img"
	assert_ok
	assertEquals "$(nbdkit -U - pattern $SIZE --run 'nbdcopy "$uri" - | md5sum' | cut -d' ' -f1)" \
		"$(md5 "$TMPD/old.img")"
}

test_write_zeroes_refused() {
	# Offered, then refused with EINVAL: the zeroes go as data.
	start_nbdkit --filter=error memory $SIZE error-zero=EINVAL error-zero-rate=100% || return
	# Old data first (a pipe has no holes: no zero requests), so that
	# zeroes not written would show.
	run sh -c 'head -c $3 /dev/urandom | "$1" nbd-copy - "nbd://127.0.0.1:$2"' sh "$NBDBOX" "$PORT" $SIZE
	assert_ok
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/wz.img"
	assertEquals "$SRCMD5" "$(md5 "$TMPD/wz.img")"
	# Refused with EIO: a failure, named.
	start_nbdkit --filter=error memory $SIZE error-zero=EIO error-zero-rate=100% || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_rc 1
	assert_err_has "NBD_CMD_WRITE_ZEROES at offset 3145728"
}

test_unix_socket_uri() {
	start_nbdkit_unix memory $SIZE || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd+unix:///?socket=$SOCK"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd+unix:///?socket=$SOCK" "$TMPD/u.img"
	assert_ok
	assertEquals "$SRCMD5" "$(md5 "$TMPD/u.img")"
}

# ---- nbd-server, qemu-nbd

test_nbd_server() {
	start_nbd_server disk:$SIZE || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT/disk"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT/disk" "$TMPD/ns.img"
	assert_ok
	assertEquals "$SRCMD5" "$(md5 "$TMPD/ns.img")"
	run sh -c '"$1" nbd-copy "nbd://127.0.0.1:$2/disk" - | md5sum' sh "$NBDBOX" "$PORT"
	assert_out "$SRCMD5  -"
}

test_qemu_nbd_sparse() {
	start_qemu_nbd disk "qcow2 disk" $((80 << 20)) || return
	run "$NBDBOX" nbd-copy "$SPARSE" "nbd://127.0.0.1:$PORT/disk"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT/disk" "$TMPD/q.img"
	assert_ok
	assertEquals "$SPARSEMD5" "$(md5 "$TMPD/q.img")"
	local used
	used=$(du -k "$TMPD/q.img" | cut -f1)
	[ "$used" -lt 16384 ] || fail "qemu-nbd sparse copy uses $used KiB on disk"
	run sh -c 'cat "$1" | "$2" nbd-copy - "nbd://127.0.0.1:$3/disk"' sh "$SRC" "$NBDBOX" "$PORT"
	assert_ok
	run sh -c '"$1" nbd-copy "nbd://127.0.0.1:$2/disk" - | head -c $3 | md5sum' sh "$NBDBOX" "$PORT" $SIZE
	assert_out "$SRCMD5  -"
}

test_qemu_to_nbdkit_and_back() {
	start_qemu_nbd disk "qcow2 disk" $SIZE || return
	local q=$PORT
	start_nbdkit memory $SIZE || return
	run "$NBDBOX" nbd-copy "$SRC" "nbd://127.0.0.1:$q/disk"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$q/disk" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$NBDBOX" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/qk.img"
	assertEquals "$SRCMD5" "$(md5 "$TMPD/qk.img")"
}

# ---- the stub platform build

test_stub_build_copies() {
	if [ ! -x "$TOP/nbdbox.stub" ]; then
		startSkipping
		return 0
	fi
	start_nbdkit memory $SIZE || return
	run "$TOP/nbdbox.stub" nbd-copy "$SRC" "nbd://127.0.0.1:$PORT"
	assert_ok
	run "$TOP/nbdbox.stub" nbd-copy "nbd://127.0.0.1:$PORT" "$TMPD/stub.img"
	assert_ok
	assertEquals "$SRCMD5" "$(md5 "$TMPD/stub.img")"
}

# ---- TLS (./nbdbox.tls, as tests/shell/test_tls.sh finds it)

tls_bin() {
	TLSBIN=
	if "$NBDBOX" nbd-list --tls -T 1 127.0.0.1:1 2>&1 | grep -q "built without TLS"; then
		TLSBIN=${NBDBOX_TLS:-$TOP/nbdbox.tls}
		[ -x "$TLSBIN" ] || TLSBIN=
	else
		TLSBIN=$NBDBOX
	fi
	[ -n "$TLSBIN" ] || return 1
	[ -n "${CA:-}" ] && return 0
	. "$TOP/tests/pki.sh"
	make_pki "$TMPD/pki" || { cat "$TMPD/pki/pki.log" >&2; return 1; }
	CA=$TMPD/pki/srv/ca-cert.pem
}

test_tls_nbdkit() {
	tls_bin || { startSkipping; return 0; }
	start_nbdkit --tls=require --tls-certificates="$TMPD/pki/srv" memory $SIZE || return
	local a=$PORT
	start_nbdkit --tls=require --tls-psk="$TMPD/pki/psk/keys.psk" memory $SIZE || return
	local b=$PORT
	run "$TLSBIN" nbd-copy --tls-ca "$CA" "$SRC" "nbds://localhost:$a"
	assert_ok
	run "$TLSBIN" nbd-copy --tls-ca "$CA" -C 2 "nbds://localhost:$a" "$TMPD/tls.img"
	assert_ok
	assertEquals "$SRCMD5" "$(md5 "$TMPD/tls.img")"
	# Export to export, X.509 on one side, PSK on the other.
	run "$TLSBIN" nbd-copy "nbds://localhost:$a/?tls-certificates=$TMPD/pki/cli" \
		"nbds://alice@127.0.0.1:$b/?tls-psk-file=$TMPD/pki/psk/keys.psk"
	assert_ok
	run sh -c '"$1" nbd-copy --tls-psk "$2" "nbds://alice@127.0.0.1:$3" - | md5sum' sh \
		"$TLSBIN" "$TMPD/pki/psk/keys.psk" "$b"
	assert_out "$SRCMD5  -"
	# Clear text to a TLS-only server: refused, exit 6.
	run "$TLSBIN" nbd-copy "nbd://127.0.0.1:$a" "$TMPD/x.img"
	assert_rc 6
}

test_tls_qemu_nbd() {
	tls_bin || { startSkipping; return 0; }
	PORT=$(free_port)
	local img=$TMPD/qemu-tls.qcow2
	qemu-img create -q -f qcow2 "$img" $((80 << 20)) || return
	qemu-nbd -f qcow2 -x disk -b 127.0.0.1 -p "$PORT" -t --fork --pid-file="$img.pid" \
		--object "tls-creds-x509,id=tls0,endpoint=server,dir=$TMPD/pki/srv,verify-peer=off" \
		--tls-creds tls0 "$img" > "$img.log" 2>&1 || { cat "$img.log" >&2; fail "qemu-nbd"; return; }
	wait_file "$img.pid" && save_pid "$(cat "$img.pid")"
	wait_port "$PORT" || return
	run sh -c 'cat "$1" | "$2" nbd-copy --tls-ca "$3" - "nbds://localhost:$4/disk"' sh \
		"$SPARSE" "$TLSBIN" "$CA" "$PORT"
	assert_ok
	run "$TLSBIN" nbd-copy --tls-ca "$CA" "nbds://localhost:$PORT/disk" "$TMPD/qt.img"
	assert_ok
	assertEquals "$SPARSEMD5" "$(md5 "$TMPD/qt.img")"
}

lib_main
