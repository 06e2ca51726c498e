# The Debian 12 systemd root (sourced by tests/vm/root/run.sh after
# build.sh). Cached by content under $VM_CACHE/sdroot:
#   base-KEY/     mmdebstrap --variant=minbase bookworm with the packages
#                 below (KEY: the list); no network configuration of its own,
#                 so nothing touches what the initramfs's ip= brought up
#   root-KEY.ext4 the base, the guest kernel's modules, nbdbox installed the
#                 way a user does (sd_install_nbdbox), fstab, /etc/nbdtab,
#                 nbd@nbd1 enabled, the test unit; then the root's own
#                 update-initramfs and dracut make the two initramfs images
#   itools-KEY.img, dracut-KEY.img   taken out of that root's /boot
# CLIENT debian: the same root without nbdbox (Debian's nbd-client, its
# hook, dracut's 95nbd as they are, the package's nbd@.service).
SD_CACHE=${VM_CACHE:-/var/cache/nbdbox-vm}/sdroot
SD_PKGS=systemd-sysv,libwolfssl35,udev,kmod,e2fsprogs,iproute2,procps,initramfs-tools,nbd-client,dracut-core,dracut-network,isc-dhcp-client
SD_DATA_PORT=10810	# the guest's port of the data export (nbdtab: nbd1)
SD_SCRATCH_PORT=10811	# and of the scratch export (nbd2)
mkdir -p "$SD_CACHE"

sd_base() {
	key=$(echo "bookworm minbase $SD_PKGS" | sha256sum | cut -c1-16)
	d=$SD_CACHE/base-$key
	if [ ! -d "$d" ]; then
		vr_log "mmdebstrap (Debian 12 minbase + systemd, about 1 min)"
		rm -rf "$d.tmp"
		mmdebstrap --variant=minbase --include="$SD_PKGS" \
			--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
			--dpkgopt='path-exclude=/usr/share/locale/*' bookworm "$d.tmp" >"$SD_CACHE/base.log" 2>&1 &&
			mv "$d.tmp" "$d" || { vr_log "mmdebstrap failed: $(tail -n 3 "$SD_CACHE/base.log")"; return 1; }
	fi
	echo "$d"
}

# The packages of the tree (tests/pkg/build.sh: dpkg-buildpackage in a
# clean clone, about 30 s), built once per content of what goes into them
# (the tracked files outside tests/ and bench/, as the working tree has
# them) and kept under $SD_CACHE/deb-KEY; NBDBOX_DEBS=DIR takes a directory
# the package suite already filled. Prints the directory.
sd_debs() {
	if [ -n "${NBDBOX_DEBS:-}" ] && ls "$NBDBOX_DEBS"/nbdbox_*.deb >/dev/null 2>&1; then
		echo "$NBDBOX_DEBS"; return 0
	fi
	key=$(cd "$TOP" && git ls-files -z -- . ':!tests' ':!bench' | xargs -0 sha256sum | sha256sum | cut -c1-16)
	d=$SD_CACHE/deb-$key
	if ! ls "$d"/nbdbox_*.deb >/dev/null 2>&1; then
		vr_log "the package (tests/pkg/build.sh, about 30 s)"
		rm -rf "$d.tmp"
		"$TOP/tests/pkg/build.sh" "$d.tmp" >/dev/null 2>&1 && rm -rf "$d" && mv "$d.tmp" "$d" ||
			{ vr_log "package build failed: $(tail -n 3 "$d.tmp/build.log" 2>/dev/null)"; return 1; }
	fi
	echo "$d"
}

# nbdbox into the root as an administrator installs the package: apt
# install ./nbdbox_*.deb ./nbdbox-nbd-client_*.deb (apt removes Debian's
# nbd-client: nbdbox is the root's nbd-client and nbd@.service too), then
# the opt-in NBDBOX_INITRAMFS=yes in /etc/default/nbdbox and the root's own
# update-initramfs -u (tests/pkg/install-into.sh). The image exists before
# (update-initramfs -c, as a kernel package makes it), so the package's
# trigger has one to update.
sd_install_nbdbox() { # ROOTDIR DEBDIR
	sd_chroot "$1" update-initramfs -c -k "$KVER" &&
		"$TOP/tests/pkg/install-into.sh" --initramfs yes "$1" "$2"/nbdbox_*.deb "$2"/nbdbox-nbd-client_*.deb
}

sd_chroot() { # ROOTDIR CMD...: with /proc /sys /dev for the generators
	r=$1; shift
	mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" || return 1
	chroot "$r" "$@"; rc=$?
	umount -R "$r/dev" "$r/sys" "$r/proc" 2>/dev/null || umount -lR "$r/dev" "$r/sys" "$r/proc"
	return $rc
}

# sd_root CLIENT -> sets SD_IMG SD_IT SD_DR (the root image and the two
# initramfs images its own generators made)
sd_root() {
	base=$(sd_base) || return 1
	src= debs=
	if [ "$1" != debian ]; then
		debs=$(sd_debs) || return 1
		# Keyed by the packages' content: a change to them makes a new root.
		src=$(cat "$debs"/nbdbox_*.deb "$debs"/nbdbox-nbd-client_*.deb | sha256sum | cut -c1-16)
	fi
	# The test scripts are not in the key: sd_boot_img puts them into
	# each boot's copy.
	key=$(vr_hash "$VR_DIR/sdroot.sh" "$MODDIR/modules.dep" |
		cut -c1-8)-${1%%/*}-${src:-debian}
	key=$(echo "$key $base" | sha256sum | cut -c1-16)
	SD_IMG=$SD_CACHE/root-$key.ext4 SD_IT=$SD_CACHE/itools-$key.img SD_DR=$SD_CACHE/dracut-$key.img
	[ -f "$SD_IMG" ] && [ -f "$SD_IT" ] && [ -f "$SD_DR" ] && return 0
	t0=$(date +%s)
	d=$(mktemp -d "$SD_CACHE/root.XXXXXX")
	vr_log "systemd root ($1): copy, modules, install, generators"
	cp -a "$base/." "$d/"
	# The guest kernel's modules, less what a VM never loads.
	mkdir -p "$d/lib/modules"
	cp -a "$MODDIR" "$d/lib/modules/"
	for x in drivers/gpu drivers/media drivers/net/wireless drivers/infiniband drivers/staging \
		drivers/iio drivers/bluetooth drivers/isdn sound net/bluetooth net/mac80211 net/wireless; do
		rm -rf "$d/lib/modules/$KVER/kernel/$x"
	done
	depmod -b "$d" "$KVER"
	cp "$MODDIR/../../../boot/config-$KVER" "$d/boot/"
	cp "$KERNEL" "$d/boot/"
	if [ "$1" != debian ]; then
		# initramfs-tools as the boots need it, before the package's trigger.
		sed -i 's/^MODULES=.*/MODULES=netboot/' "$d/etc/initramfs-tools/initramfs.conf"
		printf 'crc32c_generic\next4\nnbd\ne1000\n' >> "$d/etc/initramfs-tools/modules"
		sd_install_nbdbox "$d" "$debs" >"$d.log" 2>&1 || { vr_log "install: $(tail -n 3 "$d.log")"; rm -rf "$d"; return 1; }
	fi
	echo nbdtest > "$d/etc/hostname"
	printf '/dev/nbd0 / ext4 errors=remount-ro 0 1\n/dev/nbd1 /data ext4 _netdev 0 0\n/dev/nbd2 /scratch ext4 _netdev 0 0\n' > "$d/etc/fstab"
	mkdir -p "$d/data" "$d/scratch"
	printf 'nbd1 %s data port=%s\nnbd2 %s scratch port=%s\n' "$H_GUEST" "$SD_DATA_PORT" \
		"$H_GUEST" "$SD_SCRATCH_PORT" >> "$d/etc/nbdtab"
	printf 'root::0:0:root:/root:/bin/bash\n' > "$d/etc/passwd.new" && sed 1d "$d/etc/passwd" >> "$d/etc/passwd.new" &&
		mv "$d/etc/passwd.new" "$d/etc/passwd"
	install -m 755 "$VR_DIR/sdtest" "$d/usr/local/sbin/sdtest"
	mkdir -p "$d/usr/lib/systemd/system-shutdown"
	install -m 755 "$VR_DIR/sdshutdown" "$d/usr/lib/systemd/system-shutdown/sdtest"
	cat > "$d/etc/systemd/system/nbdbox-test.service" <<-UNIT
	[Unit]
	Description=nbdbox systemd-root test
	After=multi-user.target
	[Service]
	Type=oneshot
	ExecStart=/usr/local/sbin/sdtest
	StandardOutput=tty
	TTYPath=/dev/console
	[Install]
	WantedBy=multi-user.target
	UNIT
	# No getty on the console: the test's lines are all it shows.
	sd_chroot "$d" sh -c 'systemctl enable nbdbox-test.service nbd@nbd1.service nbd@nbd2.service &&
		systemctl mask serial-getty@ttyS0.service getty@tty1.service' >>"$d.log" 2>&1 ||
		{ vr_log "systemctl enable: $(tail -n 3 "$d.log")"; rm -rf "$d"; return 1; }
	# The initramfs images, by the root's own generators (initramfs-tools
	# with the nbd-client package's hook, and ours after it; dracut with
	# its nbd module, and 99nbdbox after it).
	add="nbd network-legacy" itools="update-initramfs -c -k $KVER &&"
	if [ "$1" = debian ]; then
		sed -i 's/^MODULES=.*/MODULES=netboot/' "$d/etc/initramfs-tools/initramfs.conf"
		printf 'crc32c_generic\next4\nnbd\ne1000\n' >> "$d/etc/initramfs-tools/modules"
	else
		add="$add nbdbox" itools=	# made by the package's install above
	fi
	sd_chroot "$d" sh -c "$itools
		dracut -q --no-hostonly --no-hostonly-cmdline --add '$add' --omit systemd-networkd \
			--add-drivers 'nbd e1000 ext4 crc32c_generic' --no-early-microcode -f /boot/dracut.img $KVER" \
		>>"$d.log" 2>&1 || { vr_log "generators: $(tail -n 5 "$d.log")"; rm -rf "$d"; return 1; }
	cp "$d/boot/initrd.img-$KVER" "$SD_IT.tmp" && cp "$d/boot/dracut.img" "$SD_DR.tmp" || return 1
	rm -f "$d/boot/dracut.img" "$d/boot/initrd.img-$KVER" "$d/boot/vmlinuz-$KVER"
	# Room for the journal and the test's lines: the tree plus 256 MiB.
	mb=$(( $(du -sm "$d" | cut -f1) + 256 ))
	mke2fs -q -F -t ext4 -L nbdroot -d "$d" "$SD_IMG.tmp" "${mb}M" >>"$d.log" 2>&1 ||
		{ vr_log "mke2fs: $(tail -n 3 "$d.log")"; rm -rf "$d" "$SD_IMG.tmp"; return 1; }
	mv "$SD_IT.tmp" "$SD_IT" && mv "$SD_DR.tmp" "$SD_DR" && mv "$SD_IMG.tmp" "$SD_IMG"
	rm -rf "$d" "$d.log"
	vr_log "systemd root ($1) built in $(( $(date +%s) - t0 ))s: $(du -h --apparent-size "$SD_IMG" | cut -f1)"
}

# The data and scratch exports: a small ext4 each.
sd_dataimg() { # OUT
	mke2fs -q -F -t ext4 -L nbddata "$1" 32M >/dev/null 2>&1
}

# A boot's copy of the root gets the current test scripts (debugfs, so a
# change to them rebuilds nothing).
sd_boot_img() { # IMG
	for f in "sdtest /usr/local/sbin/sdtest" "sdshutdown /usr/lib/systemd/system-shutdown/sdtest"; do
		set -- "$1" $f
		debugfs -w -R "rm $3" "$1" >/dev/null 2>&1
		debugfs -w -R "write $VR_DIR/$2 $3" "$1" >/dev/null 2>&1 || return 1
		debugfs -w -R "sif $3 mode 0100755" "$1" >/dev/null 2>&1 || return 1
	done
}
