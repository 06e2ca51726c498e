#!/bin/sh
# Fetch and unpack Debian 12's own kernel package once, then gather the
# modules the VM tests need (with their dependencies, from modules.dep).
# Idempotent: everything lands in $VM_CACHE (default /var/cache/nbdbox-vm)
# and is reused while the package version stays the same.
#
# Output (stdout, for eval): KERNEL=path MODDIR=path MODULES="a.ko b.ko ..."
# with MODULES in load order (dependencies first), paths relative to MODDIR.
set -eu

VM_CACHE=${VM_CACHE:-/var/cache/nbdbox-vm}
mkdir -p "$VM_CACHE"
log() { echo "kernel.sh: $*" >&2; }

need() { # need CMD PACKAGE
	command -v "$1" >/dev/null 2>&1 && return 0
	log "installing $2"
	apt-get install -y "$2" >/dev/null 2>&1 || {
		apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null
	}
}
need depmod kmod
need dpkg-deb dpkg

# Which linux-image-6.1.0-N-amd64 does the metapackage point at? apt-cache
# answers offline from the lists; refresh them only if it knows nothing.
pkg_name() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n1
}
PKG=$(pkg_name)
if [ -z "$PKG" ]; then
	# No package lists: use whatever we unpacked before, else update.
	PKG=$(ls -d "$VM_CACHE"/linux-image-*-amd64 2>/dev/null | tail -n1 | xargs -r basename)
	if [ -z "$PKG" ]; then
		apt-get update >/dev/null 2>&1 || true
		PKG=$(pkg_name)
	fi
fi
[ -n "$PKG" ] || { log "cannot tell which kernel package linux-image-amd64 depends on"; exit 1; }
ROOT=$VM_CACHE/$PKG

if [ ! -f "$ROOT/.unpacked" ]; then
	log "fetching $PKG"
	tmp=$(mktemp -d "$VM_CACHE/dl.XXXXXX")
	# apt's download sandbox user must be able to write there.
	chown _apt "$tmp" 2>/dev/null || true
	( cd "$tmp" && apt-get download "$PKG" >/dev/null ) || {
		apt-get update >/dev/null 2>&1
		( cd "$tmp" && apt-get download "$PKG" >/dev/null )
	}
	rm -rf "$ROOT"
	dpkg -x "$tmp"/*.deb "$ROOT"
	rm -rf "$tmp"
	touch "$ROOT/.unpacked"
fi

KVER=$(ls "$ROOT/lib/modules" | head -n1)
KERNEL=$ROOT/boot/vmlinuz-$KVER
MODDIR=$ROOT/lib/modules/$KVER
[ -f "$KERNEL" ] || { log "no kernel image in $ROOT"; exit 1; }
[ -f "$MODDIR/modules.dep" ] && [ "$MODDIR/modules.dep" -nt "$ROOT/.unpacked" ] ||
	depmod -b "$ROOT" "$KVER"

# Wanted modules. Soft dependencies are not in modules.dep, so they are
# listed by hand before what needs them: crc32c_generic (ext4's checksums),
# ctr/ghash-generic/gcm (the kernel's "gcm(aes)" that kTLS asks for).
WANT="nbd crc32c_generic ext4 e1000
ctr ghash-generic gcm aesni-intel ghash-clmulni-intel
chacha_generic poly1305_generic chacha20poly1305 tls"

# modules.dep lines: "path: dep1 dep2", dependencies listed so that the
# last one must load first. Resolve depth-first and emit each path once.
resolve() {
	awk -v want="$WANT" '
	function base(p,  b) { b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b); gsub(/-/, "_", b); return b }
	function visit(p,  n, i, d) {
		if (p in seen) return
		seen[p] = 1
		n = split(deps[p], d, " ")
		for (i = n; i >= 1; i--) visit(d[i])
		print p
	}
	{
		p = $1; sub(/:$/, "", p)
		deps[p] = ""
		for (i = 2; i <= NF; i++) deps[p] = deps[p] " " $i
		byname[base(p)] = p
	}
	END {
		n = split(want, w, /[ \n]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] == "") continue
			k = w[i]; gsub(/-/, "_", k)
			if (!(k in byname)) { print "missing module " w[i] > "/dev/stderr"; bad = 1; continue }
			visit(byname[k])
		}
		exit bad
	}' "$MODDIR/modules.dep"
}
MODULES=$(resolve | tr '\n' ' ')

echo "KVER='$KVER'"
echo "KERNEL='$KERNEL'"
echo "MODDIR='$MODDIR'"
echo "MODULES='$MODULES'"
