# Builders for the real-root boots (sourced by tests/vm/root/run.sh and
# bench/vm-root-*.sh). Everything is cached by content under
# $VM_CACHE/root (default /var/cache/nbdbox-vm/root): the root image and
# each initramfs are built once per input and reused.
#
#   vr_kernel_tree            the guest kernel's modules and config where
#                             mkinitramfs and dracut look (/lib/modules/KVER,
#                             /boot/config-KVER); sets KVER KERNEL MODDIR
#   vr_rootimg NBDBOX         -> path of the ext4 root image (cached)
#   vr_partimg NBDBOX         -> the same file system as partition 1 of an
#                             MBR disk (root=/dev/nbd0p1)
#   vr_itools CLIENT          -> initramfs by Debian's mkinitramfs
#   vr_dracut CLIENT          -> initramfs by dracut 059
# CLIENT: a binary put in place of nbd-client (nbdbox), or "debian" for
# the nbd-client package's own /sbin/nbd-client.

VR_DIR=$TOP/tests/vm/root
VR_CACHE=${VM_CACHE:-/var/cache/nbdbox-vm}/root
mkdir -p "$VR_CACHE"

vr_log() { echo "vmroot: $*" >&2; }

vr_hash() { cat "$@" | sha256sum | cut -c1-16; }

vr_kernel_tree() {
	eval "$("$TOP/tests/vm/kernel.sh")" || return 1
	if [ ! -f "/lib/modules/$KVER/modules.dep" ]; then
		mkdir -p /lib/modules
		rm -rf "/lib/modules/$KVER.tmp"
		cp -al "$MODDIR" "/lib/modules/$KVER.tmp" 2>/dev/null ||
			cp -a "$MODDIR" "/lib/modules/$KVER.tmp"
		mv -T "/lib/modules/$KVER.tmp" "/lib/modules/$KVER" 2>/dev/null ||
			rm -rf "/lib/modules/$KVER.tmp"
	fi
	[ -f "/boot/config-$KVER" ] || cp "$MODDIR/../../../boot/config-$KVER" "/boot/config-$KVER"
}

# The root file system: static busybox, tests/vm/root/init as /sbin/init,
# nbdbox (for nbd-probe), /etc/os-release (dracut's switch-root wants it).
# 4 KiB blocks, so a 4 KiB logical block size (-b 4096) can mount it.
vr_rootfs() { # vr_rootfs NBDBOX -> ext4 image of 24 MiB
	key=$(vr_hash /bin/busybox "$1" "$VR_DIR/init" "$VR_DIR/build.sh")
	img=$VR_CACHE/rootfs-$key.ext4
	if [ ! -f "$img" ]; then
		d=$(mktemp -d "$VR_CACHE/rootfs.XXXXXX")
		mkdir -p "$d/bin" "$d/sbin" "$d/etc" "$d/proc" "$d/sys" "$d/dev" "$d/run" \
			"$d/tmp" "$d/sysroot"
		cp /bin/busybox "$d/bin/busybox"
		for a in $(/bin/busybox --list); do
			[ "$a" = busybox ] || ln -s busybox "$d/bin/$a"
		done
		cp "$1" "$d/bin/nbdbox"
		ln -s nbdbox "$d/bin/nbd-probe"
		cp "$VR_DIR/init" "$d/sbin/init"
		chmod 755 "$d/sbin/init" "$d/bin/nbdbox"
		printf 'NAME="nbdbox test root"\nID=nbdbox-test\nVERSION_ID=1\n' > "$d/etc/os-release"
		printf 'root:x:0:0:root:/:/bin/sh\n' > "$d/etc/passwd"
		: > "$d/etc/fstab"
		mke2fs -q -F -t ext4 -b 4096 -L nbdroot -d "$d" "$img.tmp" 24M >/dev/null &&
			mv "$img.tmp" "$img"
		rm -rf "$d"
	fi
	echo "$img"
}

# An MBR disk: partition 1 (type 0x83) from sector 2048, the root file
# system in it.
vr_partimg() {
	fs=$(vr_rootfs "$1") || return 1
	img=$VR_CACHE/disk-$(vr_hash "$fs").img
	if [ ! -f "$img" ]; then
		sectors=$(( $(stat -c %s "$fs") / 512 ))
		truncate -s $(( (2048 + sectors) * 512 )) "$img.tmp"
		le32() { printf "\\$(printf %03o $(($1 & 255)))\\$(printf %03o $((($1 >> 8) & 255)))\\$(printf %03o $((($1 >> 16) & 255)))\\$(printf %03o $((($1 >> 24) & 255)))"; }
		{
			printf '\000\040\041\000\203\376\377\377'
			le32 2048
			le32 "$sectors"
		} | dd of="$img.tmp" bs=1 seek=446 conv=notrunc 2>/dev/null
		printf '\125\252' | dd of="$img.tmp" bs=1 seek=510 conv=notrunc 2>/dev/null
		dd if="$fs" of="$img.tmp" bs=1M seek=1 conv=notrunc 2>/dev/null
		mv "$img.tmp" "$img"
	fi
	echo "$img"
}

vr_client() { # the binary to install as nbd-client
	case $1 in debian) echo /sbin/nbd-client ;; *) echo "$1" ;; esac
}

# Debian's mkinitramfs on a private copy of /etc/initramfs-tools:
# MODULES=netboot plus ext4 (and its crc32c), the nbd-client package's hook
# and local-top/nbd; with nbdbox, a hook of ours (after theirs) puts it in
# place of /sbin/nbd-client. TOYBOX=n: toybox's hook would add a second
# nbd-client.
vr_itools() {
	bin=$(vr_client "$1")
	key=$(vr_hash "$bin" /usr/share/initramfs-tools/scripts/local-top/nbd \
		/usr/share/initramfs-tools/hooks/nbd-client "$VR_DIR/build.sh" \
		/usr/sbin/mkinitramfs "$TOP"/contrib/initramfs-tools/*/nbdbox \
		"$TOP"/contrib/initramfs-tools/scripts/local-top/nbdbox)
	out=$VR_CACHE/itools-$KVER-$key${2:+-cmdline}.img
	if [ ! -f "$out" ]; then
		vr_log "mkinitramfs ($1)"
		c=$(mktemp -d "$VR_CACHE/itools.XXXXXX")
		cp -a /etc/initramfs-tools/. "$c/"
		sed -i 's/^MODULES=.*/MODULES=netboot/' "$c/initramfs.conf"
		printf 'crc32c_generic\next4\nnbd\ne1000\n' >> "$c/modules"
		mkdir -p "$c/hooks" "$c/scripts/local-top"
		# nbdbox through its own hook (make install-initramfs-tools),
		# with CMDLINE: its local-top/nbdbox too (nbd-attach --cmdline),
		# and then the binary too by the user's path: make install.
		if [ -n "${2:-}" ]; then
			make -s -C "$TOP" install DESTDIR="$c.d" >"$c.log" 2>&1 &&
				make -s -C "$TOP" install-initramfs-tools CMDLINE=1 ITOOLSDIR="$c" >>"$c.log" 2>&1 ||
				{ vr_log "make install failed: $(tail -n 5 "$c.log")"; rm -rf "$c" "$c.d"; return 1; }
			bin=$c.d/usr/sbin/nbdbox
		elif [ "$1" != debian ]; then
			make -s -C "$TOP" install-initramfs-tools ITOOLSDIR="$c" >"$c.log" 2>&1 || return 1
		fi
		NBDBOX=$bin TOYBOX=n mkinitramfs -d "$c" -o "$out.tmp" "$KVER" \
			>"$c.log" 2>&1 && mv "$out.tmp" "$out" ||
			{ vr_log "mkinitramfs failed: $(tail -n 5 "$c.log")"; rm -rf "$c" "$out.tmp"; return 1; }
		rm -rf "$c" "$c.d" "$c.log"
	fi
	echo "$out"
}

# dracut 059: not host-only, its nbd module and network-legacy (dhclient;
# with systemd-networkd nothing calls nbdroot), nbdbox over the
# nbd-client that its nbd module installs (the libraries that one needs
# stay in the image).
# With a second argument (cmdline): the --cmdline variant, 99nbdbox-cmdline
# (make install-dracut CMDLINE=1), without dracut's nbd module.
vr_dracut() {
	bin=$(vr_client "$1")
	key=$(vr_hash "$bin" /usr/lib/dracut/modules.d/95nbd/nbdroot.sh "$VR_DIR/build.sh" \
		/usr/bin/dracut "$TOP"/contrib/dracut/99nbdbox${2:+-cmdline}/*)
	out=$VR_CACHE/dracut-$KVER-$key${2:+-cmdline}.img
	if [ ! -f "$out" ]; then
		vr_log "dracut ($1${2:+, --cmdline})"
		t=$(mktemp -d "$VR_CACHE/dracut.XXXXXX")
		add="nbd network-legacy" omit=systemd-networkd base=/usr/lib/dracut
		# nbdbox through its own module (make install-dracut: 99nbdbox,
		# after 95nbd), in a private copy of dracut's module tree; the
		# module takes the binary from $NBDBOX.
		if [ "$1" != debian ]; then
			base=$t/base
			cp -a /usr/lib/dracut "$base"
			make -s -C "$TOP" install-dracut ${2:+CMDLINE=1} DRACUTDIR="$base/modules.d" \
				>"$t.log" 2>&1 || { rm -rf "$t" "$t.log"; return 1; }
			add="$add nbdbox"
			[ -n "${2:-}" ] && add="network-legacy nbdbox-cmdline" omit="nbd $omit"
		fi
		NBDBOX=$bin dracutbasedir=$base dracut -q --no-hostonly --no-hostonly-cmdline \
			--add "$add" --omit "$omit" \
			--add-drivers "nbd e1000 ext4 crc32c_generic" \
			--no-early-microcode --tmpdir "$t" -f "$out.tmp" "$KVER" >"$t.log" 2>&1 &&
			mv "$out.tmp" "$out" ||
			{ vr_log "dracut failed: $(tail -n 5 "$t.log")"; rm -rf "$t" "$out.tmp"; return 1; }
		rm -rf "$t" "$t.log"
	fi
	echo "$out"
}

# vr_only_nbdbox IMAGE: no NBD client in the image but nbdbox (names
# linking to it), none of the nbd-client package's libraries (GnuTLS,
# libnl) nor libnbd. Prints what it found; fails if anything.
vr_only_nbdbox() {
	l=$(lsinitramfs -l "$1" 2>/dev/null) || { echo "lsinitramfs failed"; return 1; }
	echo "$l" | grep -q '^-.* [^ ]*/nbdbox$' || { echo "no nbdbox in the image"; return 1; }
	bad=$(echo "$l" | grep -e '/nbd-client\( \|$\)' | grep -v '^l.* -> [^ ]*nbdbox$'
		echo "$l" | grep -e 'libgnutls' -e 'libnbd' -e 'libnl-' -e 'libnettle' -e 'nbd-server' -e 'qemu-nbd')
	[ -z "$bad" ] || { echo "$bad" | awk '{print $NF}' | tr '\n' ' '; return 1; }
	echo "nbd-client: $(echo "$l" | grep -c '/nbd-client ') link(s) to nbdbox; no libgnutls, libnl, libnettle, libnbd"
}
