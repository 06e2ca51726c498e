# A 3 TiB export (nbdkit memory, sparse): the device's size exact through
# netlink and through the ioctl path. NBD_SET_SIZE_BLOCKS takes an unsigned
# long: on a 32-bit CPU 3 TiB at 512-byte blocks does not fit, so the ioctl
# path must pick the next block size that does (1024) and the size must
# still be exact; 2 TiB + 512 fits at no block size there and must be
# refused with a clear error (on 64-bit CPUs it attaches, exact).
# A write and read back at the far end (the last MiB) of the 3 TiB device.
big=3298534883328 odd=2199023256064
bits=64
case $(uname -m) in arm*|i?86|mips|mipsel|ppc) bits=32 ;; esac
farend() { # DEV: 1 MiB pattern at the last MiB, read back direct
	want=$(md5of "$(pattern 1)" 1)
	dd if=/tmp/pattern.1 of="$1" bs=1M seek=$((big / 1048576 - 1)) oflag=direct conv=fsync 2>/tmp/dd.err &&
		got=$(dd if="$1" bs=1M skip=$((big / 1048576 - 1)) count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	[ "${got:-}" = "$want" ]
}
if need_applet nbd-attach; then
	for mode in netlink ioctl; do
		opt=; [ $mode = ioctl ] && opt=--ioctl
		if dev=$(attach $opt "$(uri big)"); then
			n=${dev#/dev/}
			got=$(( $(cat /sys/block/$n/size) * 512 ))
			lbs=$(cat /sys/block/$n/queue/logical_block_size)
			[ "$got" = "$big" ] && pass "$mode-size" "$dev: $got bytes, block size $lbs ($bits-bit)" ||
				fail "$mode-size" "$dev: $got bytes, want $big (block size $lbs, $bits-bit)"
			if [ $mode = ioctl ] && [ $bits = 32 ]; then
				[ "$lbs" = 1024 ] && pass ioctl-bs "3 TiB at 1024-byte blocks fits 32 bits" ||
					fail ioctl-bs "block size $lbs, want 1024 on a 32-bit CPU"
			fi
			farend "$dev" && pass "$mode-farend" "1 MiB at the last MiB, md5 ok" ||
				fail "$mode-farend" "md5 '${got:-}', want $want: $(tail -n 1 /tmp/dd.err)"
			nbd-detach "$dev"
		else
			fail "$mode-size" "attach $opt failed: $(cat /tmp/attach.err)"
		fi
	done
	# 2 TiB + 512 through the ioctl path.
	dev=$(nbd-attach --ioctl "$(uri bigodd)" 2>/tmp/attach.err); rc=$?
	if [ $bits = 32 ]; then
		[ $rc != 0 ] && grep -q "too large for the ioctl interface" /tmp/attach.err &&
			pass ioctl-refuse "exit $rc: $(head -n 1 /tmp/attach.err)" ||
			fail ioctl-refuse "exit $rc, dev '$dev': $(head -n 1 /tmp/attach.err)"
	elif [ $rc = 0 ] && wait_size "$dev" && [ $(( $(cat /sys/block/${dev#/dev/}/size) * 512 )) = $odd ]; then
		pass ioctl-odd "$dev: $odd bytes"
	else
		fail ioctl-odd "exit $rc, dev '$dev': $(head -n 1 /tmp/attach.err)"
	fi
	[ -n "$dev" ] && nbd-detach "$dev" >/dev/null 2>&1
fi
