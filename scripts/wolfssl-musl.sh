#!/bin/bash
# Build a small static wolfSSL for musl (or any CC) from Debian's own
# source package, with nbdbox's configuration (scripts/wolfssl-settings.h),
# and cache it. Prints the cache directory (lib/libwolfssl.a, include/).
#
#   scripts/wolfssl-musl.sh [CC [TRIPLET]]   default: musl-gcc, the host's
#   WOLFSSL_CACHE=DIR    cache root (default /var/cache/nbdbox-wolfssl, or
#                        ~/.cache/nbdbox-wolfssl when that is not writable)
#
# The source: `apt-get source --download-only wolfssl` (a deb-src entry for
# the same archive as /etc/apt/sources.list.d/debian.sources is added when
# missing: needs root), upstream version pinned and its tarball checked,
# then dpkg-source applies Debian's patches. No autotools: the library is
# the few files a TLS client needs, compiled with WOLFSSL_USER_SETTINGS.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
VERSION=5.5.4
ORIG_SHA256=b7ee150e49def77c765bc02aac92ddeb0bebefd4cb12aa263d8f95e405221fb8
CC=${1:-musl-gcc}
TRIPLET=${2:-$(gcc -dumpmachine)}
SETTINGS=$TOP/scripts/wolfssl-settings.h
# nbdbox's own fixes, applied after Debian's (each file says why).
PATCHES=$TOP/scripts/wolfssl-crl-issuer.patch

say() { echo "wolfssl-musl: $*" >&2; }
die() { say "$*"; exit 1; }

root=${WOLFSSL_CACHE:-/var/cache/nbdbox-wolfssl}
if ! mkdir -p "$root" 2> /dev/null || ! [ -w "$root" ]; then
	root=${XDG_CACHE_HOME:-$HOME/.cache}/nbdbox-wolfssl
	mkdir -p "$root"
fi
# The cache key: version, target, and what decides the build (settings,
# this script, the compiler's identity).
key=$( { cat "$SETTINGS" "$0" $PATCHES; "$CC" -dumpmachine; "$CC" --version | head -n 1; } |
	sha256sum | cut -c1-12)
# One directory per key: builds with other settings (another branch's)
# live side by side instead of replacing each other.
out=$root/$VERSION-$TRIPLET-$key
if [ -f "$out/lib/libwolfssl.a" ] && [ "$(cat "$out/key" 2> /dev/null)" = "$key" ]; then
	echo "$out"
	exit 0
fi

# ---- the source package
srcver() { apt-cache showsrc wolfssl 2> /dev/null | sed -n "s/^Version: \($VERSION-.*\)/\1/p" | sort -V | tail -n 1; }
ver=$(srcver)
if [ -z "$ver" ]; then
	[ "$(id -u)" = 0 ] || die "no deb-src for wolfssl $VERSION (add a deb-src entry, or run as root)"
	src=/etc/apt/sources.list.d/debian.sources
	[ -f "$src" ] || die "no $src to derive a deb-src entry from"
	say "adding deb-src entries (from $src)"
	sed 's/^Types: deb$/Types: deb-src/' "$src" > /etc/apt/sources.list.d/nbdbox-deb-src.sources
	apt-get -o DPkg::Lock::Timeout=900 update -q > /dev/null 2>&1 || die "apt-get update failed"
	ver=$(srcver)
	[ -n "$ver" ] || die "the archive has no wolfssl $VERSION source package"
fi
work=$(mktemp -d /tmp/nbdbox-wolfssl.XXXXXX)
trap 'rm -rf "$work"' EXIT
say "wolfssl $ver for $TRIPLET with $CC"
(cd "$work" && apt-get source --download-only "wolfssl=$ver" > dl.log 2>&1) ||
	{ cat "$work/dl.log" >&2; die "apt-get source failed"; }
echo "$ORIG_SHA256  $work/wolfssl_$VERSION.orig.tar.gz" | sha256sum -c --quiet - ||
	die "wolfssl_$VERSION.orig.tar.gz: checksum mismatch"
# dpkg-source checks the .dsc's checksums and applies debian/patches.
(cd "$work" && dpkg-source -x wolfssl_*.dsc src > unpack.log 2>&1) ||
	{ cat "$work/unpack.log" >&2; die "dpkg-source -x failed"; }
grep -q "applying " "$work/unpack.log" || die "Debian's patches were not applied"
for p in $PATCHES; do
	patch -d "$work/src" -p1 --quiet < "$p" || die "$(basename "$p") does not apply"
done

# ---- build
s=$work/src
mkdir -p "$work/inc/wolfssl" "$work/obj"
cp "$SETTINGS" "$work/inc/user_settings.h"
SRCS="src/crl.c src/internal.c src/keys.c src/ssl.c src/tls.c src/tls13.c src/wolfio.c
wolfcrypt/src/aes.c wolfcrypt/src/asn.c wolfcrypt/src/chacha.c
wolfcrypt/src/chacha20_poly1305.c wolfcrypt/src/coding.c wolfcrypt/src/curve25519.c
wolfcrypt/src/ecc.c wolfcrypt/src/error.c wolfcrypt/src/fe_operations.c wolfcrypt/src/fe_low_mem.c
wolfcrypt/src/hash.c wolfcrypt/src/hmac.c wolfcrypt/src/kdf.c wolfcrypt/src/logging.c
wolfcrypt/src/memory.c wolfcrypt/src/poly1305.c wolfcrypt/src/random.c
wolfcrypt/src/rsa.c wolfcrypt/src/sha.c wolfcrypt/src/sha256.c wolfcrypt/src/sha512.c
wolfcrypt/src/signature.c wolfcrypt/src/sp_int.c wolfcrypt/src/wc_encrypt.c
wolfcrypt/src/wc_port.c wolfcrypt/src/wolfmath.c"
CFLAGS="-Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
# Two at a time: the machine is shared.
export CC CFLAGS work s
printf '%s\n' $SRCS | xargs -P 2 -I{} sh -c '
	o=$work/obj/$(echo "$1" | tr / _).o
	$CC $CFLAGS -DWOLFSSL_USER_SETTINGS -I"$work/inc" -I"$s" -c -o "$o" "$s/$1" 2> "$o.log" ||
		{ cat "$o.log" >&2; echo "wolfssl-musl: $1 failed to compile" >&2; exit 255; }' sh {} ||
	die "the build failed"
AR=$(command -v "${TRIPLET}-ar" || command -v ar)
rm -rf "$out.new"
mkdir -p "$out.new/lib" "$out.new/include"
"$AR" rcs "$out.new/lib/libwolfssl.a" "$work"/obj/*.o
cp -r "$s/wolfssl" "$out.new/include/"
# Applications include wolfssl/options.h first: there, the same settings.
cp "$SETTINGS" "$out.new/include/wolfssl/options.h"
cp "$SETTINGS" "$out.new/include/user_settings.h"
echo "$ver" > "$out.new/version"
echo "$key" > "$out.new/key"
rm -rf "$out"
mv "$out.new" "$out"
say "$(wc -c < "$out/lib/libwolfssl.a") bytes: $out/lib/libwolfssl.a"
echo "$out"
