#!/bin/sh
# Build the guest's initramfs (uncompressed newc cpio):
#   mkinitramfs.sh OUT NBDBOX CONF SCENARIO... [-- EXTRA_BINARY...]
# busybox-static, the modules from kernel.sh (decompressed, load order in
# /lib/modules/load.order), NBDBOX as /bin/nbdbox, tests/vm/init as /init,
# tests/vm/lib.sh, CONF as /etc/vm.conf, each SCENARIO as /scenarios/NAME,
# and each EXTRA_BINARY with the shared libraries ldd names (for the
# benchmark's Debian nbd-client).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] || { echo "usage: $0 OUT NBDBOX CONF SCENARIO... [-- BINARY...]" >&2; exit 2; }
OUT=$1 NBDBOX=$2 CONF=$3; shift 3

need() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] || apt-get install -y "$2" >/dev/null; }
need /bin/busybox busybox-static
need cpio cpio
# Debian's busybox package (dynamic) also installs /bin/busybox; insist on
# the static one.
BB=/bin/busybox
if ldd "$BB" >/dev/null 2>&1; then
	apt-get install -y busybox-static >/dev/null
fi

eval "$("$HERE/kernel.sh")"
# Another CPU (ARCH=...): that CPU's busybox-static, from kernel.sh.
[ "${ARCH:-amd64}" = amd64 ] || BB=$BUSYBOX

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/nbdbox-initrd.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/lib/modules" "$ROOT/lib/vm" "$ROOT/etc" \
	"$ROOT/scenarios" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/mnt"
cp "$BB" "$ROOT/bin/busybox"
cp "$NBDBOX" "$ROOT/bin/nbdbox"
# The TLS build, for the TLS scenario only: the others test the binary an
# initramfs would carry.
[ -n "${NBDBOX_TLS:-}" ] && cp "$NBDBOX_TLS" "$ROOT/bin/nbdbox-tls"
cp "$HERE/init" "$ROOT/init"
cp "$HERE/lib.sh" "$ROOT/lib/vm/lib.sh"
cp "$CONF" "$ROOT/etc/vm.conf"
chmod 755 "$ROOT/init" "$ROOT/bin/nbdbox"

: > "$ROOT/lib/modules/load.order"
for m in $MODULES; do
	b=${m##*/}
	case $b in
	*.ko.xz) xz -dc "$MODDIR/$m" > "$ROOT/lib/modules/${b%.xz}"; b=${b%.xz} ;;
	*.ko.zst) zstd -qdc "$MODDIR/$m" > "$ROOT/lib/modules/${b%.zst}"; b=${b%.zst} ;;
	*.ko.gz) gzip -dc "$MODDIR/$m" > "$ROOT/lib/modules/${b%.gz}"; b=${b%.gz} ;;
	*) cp "$MODDIR/$m" "$ROOT/lib/modules/$b" ;;
	esac
	echo "$b" >> "$ROOT/lib/modules/load.order"
done

while [ $# -gt 0 ] && [ "$1" != -- ]; do
	cp "$1" "$ROOT/scenarios/${1##*/}"; shift
done
[ $# -gt 0 ] && shift
for bin in "$@"; do
	cp "$bin" "$ROOT/bin/${bin##*/}"
	# Libraries and the dynamic loader, at the paths ldd gives.
	for lib in $(ldd "$bin" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
done
# Merged /usr: the loader is looked up through /lib64 and /lib.
[ -d "$ROOT/usr/lib64" ] && [ ! -e "$ROOT/lib64" ] && ln -s usr/lib64 "$ROOT/lib64"

( cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
