# Builders for the nbd-attach --cmdline boots (sourced by tests/vm/root/run.sh
# after build.sh):
#   vr_bbox NBDBOX [FILE:PATH...]  -> initramfs: static busybox, NBDBOX as
#                     /bin/nbdbox, the modules of kernel.sh, tests/vm/root/
#                     bbinit as /init, /etc/initrd-release; each FILE copied
#                     to PATH (a PSK file). Cached by content.
vr_bbox() {
	bin=$1; shift
	eval "$("$TOP/tests/vm/kernel.sh")" || return 1
	key=$(vr_hash /bin/busybox "$bin" "$VR_DIR/bbinit" "$VR_DIR/cmdline.sh" \
		$(for f in "$@"; do echo "${f%%:*}"; done); echo "$* $MODULES" | sha256sum | cut -c1-16)
	out=$VR_CACHE/bbox-$KVER-$key.img
	if [ ! -f "$out" ]; then
		d=$(mktemp -d "$VR_CACHE/bbox.XXXXXX")
		mkdir -p "$d/bin" "$d/lib/modules" "$d/etc" "$d/proc" "$d/sys" "$d/dev" "$d/run" "$d/tmp"
		cp /bin/busybox "$d/bin/busybox"
		cp "$bin" "$d/bin/nbdbox"
		cp "$VR_DIR/bbinit" "$d/init"
		chmod 755 "$d/init" "$d/bin/nbdbox"
		: > "$d/etc/initrd-release"
		: > "$d/lib/modules/load.order"
		for m in $MODULES; do
			b=${m##*/}
			case $b in
			*.ko.xz) xz -dc "$MODDIR/$m" > "$d/lib/modules/${b%.xz}"; b=${b%.xz} ;;
			*.ko.zst) zstd -qdc "$MODDIR/$m" > "$d/lib/modules/${b%.zst}"; b=${b%.zst} ;;
			*) cp "$MODDIR/$m" "$d/lib/modules/$b" ;;
			esac
			echo "$b" >> "$d/lib/modules/load.order"
		done
		for f in "$@"; do
			mkdir -p "$d$(dirname "${f#*:}")"
			cp "${f%%:*}" "$d${f#*:}"
		done
		( cd "$d" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 ) > "$out.tmp" &&
			mv "$out.tmp" "$out"
		rm -rf "$d"
	fi
	echo "$out"
}
