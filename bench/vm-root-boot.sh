#!/bin/bash
# Issue 9, section 3: a network root's boot, nbdbox against Debian's
# nbd-client, with both generators, side by side in one sitting.
#   bench/vm-root-boot.sh [RUNS]      (default 3 runs of each pair)
# Boots (tests/vm/root/run.sh, no server restart): it-portpath
# (mkinitramfs) and dr-port (dracut), with VMROOT_CLIENT=nbdbox and
# =debian, interleaved: nbdbox-it, debian-it, nbdbox-dr, debian-dr, then
# again, so the machine's load falls on both alike.
# What is measured, all from the guest's /proc/uptime (10 ms steps):
#   boot to init  the root's /sbin/init prints "ROOT-INIT NAME up Xs" as
#                 its first line (tests/vm/root/init): kernel start to
#                 the root's init, through the whole initramfs
#   client        the generator's call of nbd-client to that call's exit
#                 (the resident stays behind): each image gets a thin
#                 /bin/sh wrapper in place of nbd-client (a cpio appended,
#                 the real binary as /nbdbench/nbd-client) that reads
#                 /proc/uptime before and after and prints
#                 "BENCH-CLIENT T0 T1 rc=N ARGS" on /dev/console. The
#                 connecting call is the one without -c/-check/-d; the
#                 other calls (dracut's -check) are counted apart.
#   sizes         bytes of each generator's image (the one the test
#                 builds, without the wrapper), and what Debian's
#                 nbd-client brings: its binary and the libraries ldd
#                 names that are in the image (lsinitramfs -l).
# Output: one line per boot, then medians; build/vm-root-boot.txt.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$TOP/build/vm-root-boot}
export BENCH_DIR
mkdir -p "$BENCH_DIR"

# ---- run.sh's VMROOT_INITRD_WRAP: IMAGE GENERATOR -> derived image
if [ "${1:-}" = wrap ]; then
	img=$2 gen=$3 cli=${BENCH_REAL_CLIENT:?}
	path=$(lsinitramfs "$img" | grep -E '^(usr/)?s?bin/nbd-client$' | head -n 1)
	[ -n "$path" ] || { echo "no nbd-client in $img" >&2; exit 1; }
	echo "$gen $BENCH_CLIENT $(stat -c %s "$img") $img" >> "$BENCH_DIR/images"
	out=$BENCH_DIR/${img##*/}.wrap
	if [ ! -f "$out" ] || [ "$out" -ot "$img" ]; then
		d=$(mktemp -d)
		mkdir -p "$d/nbdbench" "$d/${path%/*}"
		cp "$cli" "$d/nbdbench/nbd-client"
		cat > "$d/$path" <<'EOF'
#!/bin/sh
read t0 x < /proc/uptime
/nbdbench/nbd-client "$@"
rc=$?
read t1 x < /proc/uptime
echo "BENCH-CLIENT $t0 $t1 rc=$rc $*" > /dev/console
exit $rc
EOF
		chmod 755 "$d/$path" "$d/nbdbench/nbd-client"
		cp "$img" "$out.tmp"
		# The kernel skips the zeros between two archives.
		s=$(stat -c %s "$out.tmp")
		truncate -s $(( (s + 511) / 512 * 512 )) "$out.tmp"
		( cd "$d" && printf '%s\n' nbdbench nbdbench/nbd-client "$path" |
			cpio -o -H newc --quiet -R 0:0 ) >> "$out.tmp" && mv "$out.tmp" "$out"
		rm -rf "$d"
	fi
	echo "$out"
	exit 0
fi

RUNS=${1:-3}
make -C "$TOP" static >/dev/null 2>&1 || { echo "make static failed" >&2; exit 1; }
BIN=$BENCH_DIR/nbdbox.static
cp "$TOP/nbdbox.static" "$BIN"
RES=$BENCH_DIR/runs
: > "$RES"; : > "$BENCH_DIR/images"
echo "# run client generator boot_to_init_s client_s other_calls load1 wall_s"
for i in $(seq 1 "$RUNS"); do
	for pair in "nbdbox it-portpath" "debian it-portpath" "nbdbox dr-port" "debian dr-port"; do
		set -- $pair
		client=$1 boot=$2
		[ "$client" = debian ] && real=/sbin/nbd-client || real=$BIN
		load=$(cut -d' ' -f1 /proc/loadavg)
		t0=$(date +%s)
		BENCH_CLIENT=$client BENCH_REAL_CLIENT=$real VMROOT_INITRD_WRAP="$0 wrap" \
			VMROOT_CLIENT=$client NBDBOX=$BIN bash "$TOP/tests/vm/root/run.sh" "$boot" \
			> "$BENCH_DIR/run-$i-$client-$boot.log" 2>&1
		wall=$(( $(date +%s) - t0 ))
		c=$TOP/build/vmroot-$boot.console
		cp "$c" "$BENCH_DIR/run-$i-$client-$boot.console" 2>/dev/null
		init=$(sed -n 's/.*ROOT-INIT [^ ]* up \([0-9.]*\)s.*/\1/p' "$c" | head -n 1)
		cl=$(grep -a 'BENCH-CLIENT ' "$c" | sed 's/.*BENCH-CLIENT //' |
			awk '$4 != "-c" && $4 != "-check" && $4 != "-d" { printf "%.2f", $2 - $1; exit }')
		other=$(grep -a 'BENCH-CLIENT ' "$c" | sed 's/.*BENCH-CLIENT //' |
			awk '$4 == "-c" || $4 == "-check" || $4 == "-d" { n++; s += $2 - $1 }
			END { printf "%d:%.2f", n, s }')
		gen=${boot%%-*}
		line="$i $client $gen ${init:-NA} ${cl:-NA} $other $load $wall"
		echo "$line" | tee -a "$RES"
	done
done
echo "# medians (boot to init / client's call), s"
for client in nbdbox debian; do
	for gen in it dr; do
		awk -v c=$client -v g=$gen '$2 == c && $3 == g && $4 != "NA" { print $4 }' "$RES" | sort -n |
			awk -v c=$client -v g=$gen '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%-7s %s boot-to-init median %.2f (n=%d)", c, g, m, NR }'
		awk -v c=$client -v g=$gen '$2 == c && $3 == g && $5 != "NA" { print $5 }' "$RES" | sort -n |
			awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf ", client median %.2f (n=%d)\n", m, NR }'
	done
done
echo "# images (bytes, as the tests build them)"
sort -u "$BENCH_DIR/images" | while read -r gen client size img; do
	echo "$gen $client $size"
	if [ "$client" = debian ]; then
		libs=$(ldd /sbin/nbd-client | awk '/=>/ { print $3 }' | xargs -n1 readlink -f | xargs -n1 basename)
		lsinitramfs -l "$img" | awk -v libs=" $(echo $libs) " '
			{ n = split($NF, p, "/"); b = p[n] }
			b == "nbd-client" && $1 ~ /^-/ { s += $5; printf "  %s %d\n", $NF, $5 }
			index(libs, " " b " ") && $1 ~ /^-/ { s += $5; printf "  %s %d\n", $NF, $5 }
			END { printf "  nbd-client and the libraries ldd names, in the image: %d bytes\n", s }'
	fi
done
