# -C 2 against a server without CAN_MULTI_CONN is refused, nothing attached.
if need_applet nbd-attach; then
	out=$(nbd-attach -C 2 "$(uri nomc)" 2>&1); rc=$?
	busy=$(cat /sys/block/nbd*/size | grep -vc '^0$')
	if [ $rc -eq 0 ]; then fail "" "attached: $out"
	elif [ "$busy" != 0 ]; then fail "" "exit $rc but $busy device(s) have a size"
	else pass "" "exit $rc: $out"; fi
fi
