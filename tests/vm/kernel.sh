#!/bin/sh
# Fetch and unpack Debian 12's own kernel package once, then gather the
# modules the VM tests need (with their dependencies, from modules.dep).
# Idempotent: everything lands in $VM_CACHE (default /var/cache/nbdbox-vm)
# and is reused while the package stays the same.
#
# ARCH=amd64 (default) | arm64 | armhf | s390x: that CPU's kernel
# (linux-image-{amd64,arm64,armmp,s390x}:ARCH) and its busybox-static,
# cached by package name and version under $VM_CACHE/ARCH/ (dpkg
# --add-architecture ARCH and apt-get update on first use).
#
# Output (stdout, for eval): KVER, KERNEL, MODDIR, MODULES (load order,
# dependencies first, paths relative to MODDIR) and BUSYBOX (a static
# busybox for that CPU; /bin/busybox on amd64).
set -eu

VM_CACHE=${VM_CACHE:-/var/cache/nbdbox-vm}
ARCH=${ARCH:-amd64}
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

case $ARCH in
amd64) META=linux-image-amd64 FLAVOUR=amd64 Q= ;;
arm64) META=linux-image-arm64 FLAVOUR=arm64 Q=:arm64 ;;
armhf) META=linux-image-armmp FLAVOUR=armmp Q=:armhf ;;
s390x) META=linux-image-s390x FLAVOUR=s390x Q=:s390x ;;
*) log "unknown ARCH '$ARCH' (amd64 arm64 armhf s390x)"; exit 1 ;;
esac
if [ -n "$Q" ] && ! dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
	log "dpkg --add-architecture $ARCH"
	dpkg --add-architecture "$ARCH"
	apt-get update >/dev/null 2>&1 || true
fi

# fetch PKG DIR: apt-get download PKG (arch-qualified) and dpkg -x it into
# DIR, once (DIR/.unpacked).
fetch() {
	[ -f "$2/.unpacked" ] && return 0
	log "fetching $1"
	mkdir -p "$(dirname "$2")"
	tmp=$(mktemp -d "$VM_CACHE/dl.XXXXXX")
	# apt's download sandbox user must be able to write there.
	chown _apt "$tmp" 2>/dev/null || true
	( cd "$tmp" && apt-get download "$1" >/dev/null ) || {
		apt-get update >/dev/null 2>&1
		( cd "$tmp" && apt-get download "$1" >/dev/null )
	}
	rm -rf "$2"
	dpkg -x "$tmp"/*.deb "$2"
	rm -rf "$tmp"
	touch "$2/.unpacked"
}

# Which linux-image-6.1.0-N-amd64 does the metapackage point at? apt-cache
# answers offline from the lists; refresh them only if it knows nothing.
pkg_name() {
	apt-cache depends "$META$Q" 2>/dev/null |
		sed -n "s/^ *Depends: \(linux-image-[0-9].*-$FLAVOUR\)\(:$ARCH\)\{0,1\}\$/\1/p" | head -n1
}
# Foreign kernels and busybox live under $VM_CACHE/ARCH, keyed by version.
pkg_ver() { apt-cache show "$1$Q" 2>/dev/null | sed -n 's/^Version: //p' | head -n1; }
CDIR=$VM_CACHE
[ -n "$Q" ] && CDIR=$VM_CACHE/$ARCH
PKG=$(pkg_name)
if [ -z "$PKG" ]; then
	# No package lists: use whatever we unpacked before, else update.
	PKG=$(ls -d "$CDIR"/linux-image-*-"$FLAVOUR"* 2>/dev/null | tail -n1 | xargs -r basename)
	PKG=${PKG%%_*}
	if [ -z "$PKG" ]; then
		apt-get update >/dev/null 2>&1 || true
		PKG=$(pkg_name)
	fi
fi
[ -n "$PKG" ] || { log "cannot tell which kernel package $META$Q depends on"; exit 1; }
if [ -n "$Q" ]; then
	v=$(pkg_ver "$PKG")
	ROOT=$CDIR/${PKG}_$v
	[ -n "$v" ] || ROOT=$(ls -d "$CDIR/${PKG}"_* 2>/dev/null | tail -n1)
	fetch "$PKG$Q" "$ROOT"
	v=$(pkg_ver busybox-static)
	BBDIR=$CDIR/busybox-static_$v
	[ -n "$v" ] || BBDIR=$(ls -d "$CDIR"/busybox-static_* 2>/dev/null | tail -n1)
	fetch "busybox-static$Q" "$BBDIR"
	BUSYBOX=$BBDIR/bin/busybox
else
	ROOT=$VM_CACHE/$PKG
	fetch "$PKG" "$ROOT"
	BUSYBOX=/bin/busybox
fi

KVER=$(ls "$ROOT/lib/modules" | head -n1)
KERNEL=$ROOT/boot/vmlinuz-$KVER
[ -f "$KERNEL" ] || KERNEL=$ROOT/boot/vmlinux-$KVER
MODDIR=$ROOT/lib/modules/$KVER
[ -f "$KERNEL" ] || { log "no kernel image in $ROOT"; exit 1; }
[ -f "$MODDIR/modules.dep" ] && [ "$MODDIR/modules.dep" -nt "$ROOT/.unpacked" ] ||
	depmod -b "$ROOT" "$KVER"

# Wanted modules. Soft dependencies are not in modules.dep, so they are
# listed by hand before what needs them: crc32c_generic (ext4's checksums),
# ctr/ghash-generic/gcm (the kernel's "gcm(aes)" that kTLS asks for).
# The NIC driver per CPU; modules a kernel has built in
# (modules.builtin) or lacks are left out when marked optional (?).
case $ARCH in
amd64) NIC=e1000 ACCEL="aesni-intel ghash-clmulni-intel" ;;
arm64) NIC="virtio_pci? virtio_net" ACCEL="aes-ce-blk? ghash-ce? chacha-neon? poly1305-neon?" ;;
armhf) NIC="virtio_mmio? virtio_net" ACCEL="aes-arm-bs? ghash-arm-ce? chacha-neon? poly1305-arm?" ;;
s390x) NIC="virtio_ccw? virtio_net" ACCEL="aes_s390? ghash_s390? chacha_s390?" ;;
esac
WANT="nbd crc32c_generic? ext4 $NIC
ctr ghash-generic gcm $ACCEL
chacha_generic poly1305_generic chacha20poly1305 tls"

# modules.dep lines: "path: dep1 dep2", dependencies listed so that the
# last one must load first. Resolve depth-first and emit each path once.
resolve() {
	awk -v want="$WANT" -v builtin="$MODDIR/modules.builtin" '
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
		while ((getline l < builtin) > 0) inkernel[base(l)] = 1
		n = split(want, w, /[ \n]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] == "") continue
			k = w[i]; opt = sub(/\?$/, "", k); gsub(/-/, "_", k)
			if (!(k in byname)) {
				if (opt || (k in inkernel)) continue
				print "missing module " w[i] > "/dev/stderr"; bad = 1; continue
			}
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
echo "BUSYBOX='$BUSYBOX'"
