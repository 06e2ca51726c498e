#!/bin/bash
# Sizes of the static binary (stripped), per configuration and per CPU:
#   no TLS       the defaults without TLS, all applets (no goal since TLS
#                is the default; the rows below start from it)
#   -SWITCH      that with one Config.in switch off: what it saves
#   small        the small profile (configs/small_defconfig: no TLS, no
#                nbd-copy; make small): the size guard, < 96 KiB
#   -NBD_COPY and --cmdline: the applets the 64 KiB goal was set against
#   root-only    nbd-attach + nbd-client, no JSON, no DNS (goal <= 40 KiB)
#                (-NBD_COPY is the default without nbd-copy)
#   attach alone nbd-attach with every switch off (ioctl only, IPv4 only, no
#                --persist, no --cmdline): the floor under root-only
#   default TLS  the default (make static, make install): TLS with the small
#                wolfSSL of scripts/wolfssl-musl.sh (goal <= 320 KiB)
# then the small profile (and the TLS default where a wolfSSL can be built) for every
# cross toolchain installed (s390x, armhf, arm64 ...; musl where Debian has
# musl-dev for the CPU, else glibc). Builds its own copies, so a local
# .config does not skew it. Prints a table; never fails.
#   bench/size.sh [--quick]     (--quick: amd64 only, no per-switch rows)
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$(mktemp -d /tmp/nbdbox-size.XXXXXX)
trap 'rm -rf "$B"' EXIT
cd "$TOP" || exit 0
QUICK=${1:-}

# default.config: the defaults without TLS, from which the no-TLS rows
# start; small.config: the small profile; tls.config: the defaults (TLS on).
off() { sed "s/^CONFIG_$1=y/# CONFIG_$1 is not set/"; }
scripts/config.sh defconfig . > "$B/tls.config"
off TLS < "$B/tls.config" > "$B/default.config"
scripts/config.sh defconfig . configs/small_defconfig > "$B/small.config"

# size NAME CONFIG [make args...]: bytes of a static build (or "failed").
size_of() {
	local name=$1 cfg=$2
	shift 2
	if make --no-print-directory static CONFIG="$cfg" STATIC_O="$B/o-$name" \
		STATIC_BIN="$B/$name.bin" "$@" > "$B/$name.log" 2>&1; then
		stat -c %s "$B/$name.bin"
	else
		echo failed
	fi
}
size_tls() { # NAME [make args...]: the default configuration, TLS on
	local name=$1
	shift
	size_of "$name" "$B/tls.config" "$@"
}
row() { # LABEL BYTES [GOAL] [BASE]
	local goal=${3:-} base=${4:-} note=
	[ -n "$goal" ] && [ "$2" != failed ] &&
		note="goal $goal: $([ "$2" -le "$goal" ] && echo met || echo NOT met)"
	[ -n "$base" ] && [ "$2" != failed ] && note="saves $((base - $2))"
	if [ "$2" = failed ]; then
		printf '| %-34s | %9s | %-22s |\n' "$1" failed "see the build log"
	else
		printf '| %-34s | %9d | %7.1f KiB  %-10s |\n' "$1" "$2" "$(echo "$2 / 1024" | bc -l)" "$note"
	fi
}

echo "| configuration (static, stripped)   |     bytes | KiB / note             |"
echo "|------------------------------------|-----------|------------------------|"
row "amd64 small profile (make small)" "$(size_of small "$B/small.config")" 98304
def=$(size_of default "$B/default.config")
row "amd64 no TLS, all applets" "$def"
if [ -z "$QUICK" ]; then
	for sw in IPV6 DNS UNIX_SOCKETS JSON NETLINK NBD_ATTACH_PERSIST NBD_CLIENT NBD_LIST \
		  NBD_PROBE NBD_DETACH NBD_COPY NBD_ATTACH_CMDLINE SANDBOX; do
		off "$sw" < "$B/default.config" > "$B/no-$sw.config"
		row "  without $sw" "$(size_of "no-$sw" "$B/no-$sw.config")" "" "$def"
	done
fi
# The applets the 64 KiB goal was set against (issue 11, 70,824 B then):
# the default without the two features added after it, nbd-copy and --cmdline.
off NBD_COPY < "$B/default.config" | off NBD_ATTACH_CMDLINE > "$B/five.config"
row "  without NBD_COPY and --cmdline" "$(size_of five "$B/five.config")" 65536
cat "$B/default.config" | off NBD_DETACH | off NBD_LIST | off NBD_PROBE | off NBD_COPY | off JSON | off DNS \
	> "$B/root.config"
row "amd64 root-only (attach+client)" "$(size_of root "$B/root.config")" 40960
off NBD_CLIENT < "$B/root.config" | off NBD_ATTACH_CMDLINE | off NBD_ATTACH_PERSIST | off NETLINK |
	off IPV6 | off UNIX_SOCKETS > "$B/floor.config"
row "  nbd-attach alone, every switch off" "$(size_of floor "$B/floor.config")" 40960
row "amd64 default (TLS, make static)" "$(size_tls tls)" 327680
[ -n "$QUICK" ] && exit 0
for x in s390x-linux-gnu arm-linux-gnueabihf aarch64-linux-gnu mips-linux-gnu \
	 powerpc64-linux-gnu riscv64-linux-gnu; do
	command -v "$x-gcc" > /dev/null || continue
	libc=glibc
	command -v "$(echo "$x" | sed 's/linux-gnu/linux-musl/')-gcc" > /dev/null && libc=musl
	row "$x small ($libc)" "$(size_of "d-$x" "$B/small.config" CROSS_COMPILE="$x-")"
	row "$x root-only ($libc)" "$(size_of "r-$x" "$B/root.config" CROSS_COMPILE="$x-")"
	[ $libc = musl ] && row "$x default (TLS)" "$(size_tls "t-$x" CROSS_COMPILE="$x-")" \
		"$(case $x in aarch64*) echo 327680 ;; esac)"
done
# The floor: a static stripped hello world with the same toolchain.
printf '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n' > "$B/h.c"
musl-gcc -Os -static -s -o "$B/h" "$B/h.c" 2>/dev/null &&
	echo "(musl static hello world, amd64: $(stat -c %s "$B/h") bytes)"
