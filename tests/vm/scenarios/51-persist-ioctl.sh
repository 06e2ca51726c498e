# --persist through the ioctl path: a new NBD_DO_IT cycle after the loss.
# Unlike netlink, the ioctl interface has no dead-connection timeout (6.1:
# wait_for_reconnect() returns at once when dead_conn_timeout is 0, and
# only netlink sets it), so a request in flight when the link dies fails
# in the kernel. What --persist can and must do: the same device comes
# back by itself, and a read after the restart has the right md5.
if need_applet nbd-attach && wait_server persist; then
	if dev=$(attach --persist --ioctl "$(uri persist)"); then
		dd if="$dev" bs=64k count=$((PERSIST_MIB * 16)) iflag=direct 2>/tmp/dd.err |
			md5sum | cut -d' ' -f1 > /tmp/persist.md5 &
		rd=$!
		sleep 1
		host_signal restart-server persist 3
		wait $rd
		first=$(cat /tmp/persist.md5)
		[ "$first" = "$PERSIST_MD5" ] && inflight="the read in flight survived" ||
			inflight="the read in flight failed: $(tail -n 1 /tmp/dd.err)"
		wait_server persist
		# Back when the device has its size again and a read goes through.
		i=0
		while [ $i -lt 60 ]; do
			got=$(dd if="$dev" bs=1M count="$PERSIST_MIB" iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
			[ "$got" = "$PERSIST_MD5" ] && break
			sleep 0.5; i=$((i + 1))
		done
		if [ "$got" = "$PERSIST_MD5" ]; then pass "" "$dev back after the restart, md5 ok ($inflight)"
		else fail "" "$dev not back within 30 s ($inflight)"; fi
	else
		fail "" "attach failed"
	fi
fi
