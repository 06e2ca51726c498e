#!/bin/bash
# Size of `make static` (musl, all applets, no TLS, stripped). Goal: at most
# 48 KiB. Builds its own copy with the default configuration so a local
# .config (TLS on, applets off) does not skew it. Prints; never fails.
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$(mktemp -d /tmp/nbdbox-size.XXXXXX)
trap 'rm -rf "$B"' EXIT
cd "$TOP" || exit 0
# Defaults from Config.in, TLS forced off.
scripts/config.sh defconfig . | sed 's/^CONFIG_TLS=y/# CONFIG_TLS is not set/' > "$B/.config"
make --no-print-directory static CONFIG="$B/.config" > "$B/log" 2>&1 ||
	{ tail -20 "$B/log"; echo "size: make static failed"; exit 0; }
bytes=$(stat -c %s nbdbox.static)
printf 'nbdbox.static: %d bytes (%.1f KiB); goal 49152 (48 KiB): %s\n' "$bytes" \
	"$(echo "$bytes / 1024" | bc -l)" "$([ "$bytes" -le 49152 ] && echo met || echo NOT met)"
echo "applets: $(./nbdbox.static --list | xargs)"
# Where the bytes go: text+data of each object (before --gc-sections).
if command -v size > /dev/null; then
	echo "objects (text data bss), largest first:"
	size build-static/*.o build-static/*/*.o 2>/dev/null | awk 'NR > 1 { printf "  %7d %6d %6d  %s\n", $1, $2, $3, $6 }' | sort -rn | head -15
fi
# The floor: a static stripped hello world with the same toolchain.
if command -v musl-gcc > /dev/null; then
	printf '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n' > "$B/h.c"
	musl-gcc -Os -static -s -o "$B/h" "$B/h.c" 2>/dev/null &&
		echo "musl static hello world: $(stat -c %s "$B/h") bytes"
fi
