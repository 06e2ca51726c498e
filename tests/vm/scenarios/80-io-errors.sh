# EIO from the server (nbdkit's error filter, 25% of requests): each
# failed request reaches the reader or writer as an I/O error, nothing
# hangs, and every request that succeeded carries the right data.
# Reads: the persist image through the error filter, 64 KiB direct reads,
# each compared with the same block from a clean server of the same file.
# Writes: 64 KiB direct writes of a pattern; read back (reads do not fail
# there), every block whose write succeeded must match.
if need_applet nbd-attach; then
	if dev=$(attach -r "$(uri clean)") && cdev=$dev && edev=$(attach -r "$(uri errr)"); then
		dd if="$cdev" of=/tmp/clean.img bs=1M iflag=direct 2>/dev/null
		ok=0 bad=0 eio=0 other=
		i=0
		while [ $i -lt 128 ]; do
			if dd if="$edev" of=/tmp/blk bs=64k skip=$i count=1 iflag=direct 2>/tmp/dd.err; then
				a=$(md5sum < /tmp/blk | cut -d' ' -f1)
				b=$(dd if=/tmp/clean.img bs=64k skip=$i count=1 2>/dev/null | md5sum | cut -d' ' -f1)
				[ "$a" = "$b" ] && ok=$((ok + 1)) || bad=$((bad + 1))
			elif grep -qi "input/output error" /tmp/dd.err; then
				eio=$((eio + 1))
			else
				other="$other $(tail -n 1 /tmp/dd.err)"
			fi
			i=$((i + 1))
		done
		if [ $bad = 0 ] && [ -z "$other" ] && [ $eio -gt 0 ] && [ $ok -gt 0 ]; then
			pass read "128 reads: $eio I/O errors, $ok intact"
		else
			fail read "ok $ok, wrong data $bad, I/O errors $eio, other: $other"
		fi
		nbd-detach "$edev"; nbd-detach "$cdev"
	else
		fail read "attach failed: $(cat /tmp/attach.err)"
	fi
	if dev=$(attach "$(uri errw)"); then
		pattern 16 > /dev/null
		okl= eio=0 other=
		i=0
		while [ $i -lt 64 ]; do
			if dd if=/tmp/pattern.16 of="$dev" bs=64k skip=$i seek=$i count=1 oflag=direct 2>/tmp/dd.err; then
				okl="$okl $i"
			elif grep -qi "input/output error" /tmp/dd.err; then
				eio=$((eio + 1))
			else
				other="$other $(tail -n 1 /tmp/dd.err)"
			fi
			i=$((i + 1))
		done
		bad=0 nok=0
		for i in $okl; do
			a=$(dd if="$dev" bs=64k skip=$i count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
			b=$(dd if=/tmp/pattern.16 bs=64k skip=$i count=1 2>/dev/null | md5sum | cut -d' ' -f1)
			[ "$a" = "$b" ] || bad=$((bad + 1))
			nok=$((nok + 1))
		done
		if [ $bad = 0 ] && [ -z "$other" ] && [ $eio -gt 0 ] && [ $nok -gt 0 ]; then
			pass write "64 writes: $eio I/O errors, $nok written and read back intact"
		else
			fail write "written $nok (of which wrong $bad), I/O errors $eio, other: $other"
		fi
		nbd-detach "$dev"
	else
		fail write "attach failed"
	fi
fi
