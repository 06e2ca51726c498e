# A --persist resident whose device was detached must not outlive it, even
# when the same /dev/nbdN is attached again at once by someone else: it
# would take that device's next LINK_DEAD for its own and hand the kernel a
# link to its own server (seen: a device reconnected to the previous
# scenario's export). The resident checks that sysfs still shows its pid.
if need_applet nbd-attach && wait_server kres; then
	if dev=$(attach --persist "$(uri kres)"); then
		nb=${dev#/dev/}
		old=$(cat /sys/block/$nb/pid)
		nbd-detach "$dev"
		if dev2=$(attach "$(uri mem)" "$dev"); then
			# The resident polls every 2 s: gone well within 6.
			i=0
			while kill -0 "$old" 2>/dev/null && [ $i -lt 60 ]; do
				sleep 0.1; i=$((i + 1))
			done
			if kill -0 "$old" 2>/dev/null; then
				fail "" "the old resident $old still runs while $dev2 belongs to another attach"
			else
				pass "" "the old resident $old ended; $dev2 is left to its new owner"
			fi
			nbd-detach "$dev2"
		else
			fail "" "re-attach of $dev failed: $(cat /tmp/attach.err)"
		fi
	else
		fail "" "attach failed"
	fi
fi
