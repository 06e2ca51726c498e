# The harness itself: module loaded, devices present, the host's servers
# reachable through guestfwd, twice (one relay per connection).
check module "nbd module loaded" test -d /sys/module/nbd
check dev "/dev/nbd0 is a block device" test -b /dev/nbd0
check probe "nbd-probe through guestfwd" nbdbox nbd-probe -T 20 "$(uri mem)"
check probe2 "second connection to the same port" nbdbox nbd-probe -T 20 "$(uri mem)"
# The host control channel that --persist relies on: the host stops the
# server on request (a probe fails) and starts it again (a waiting probe
# gets through).
host_signal restart-server persist 3
sleep 1
if nbdbox nbd-probe -T 5 "$(uri persist)" >/dev/null 2>&1; then
	fail signal "server still up after restart-server"
else
	# Through the relay a stopped server looks like a connection closed
	# before the greeting, not a refused connect: retry by hand.
	i=0
	until nbdbox nbd-probe -T 5 "$(uri persist)" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -ge 40 ] && break
		sleep 0.5
	done
	[ $i -lt 40 ] && pass signal "server back after restart-server ($i retries)" ||
		fail signal "server not back after 20 s"
fi
