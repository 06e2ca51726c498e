# The harness itself: module loaded, devices present, the host's servers
# reachable through guestfwd, twice (one relay per connection).
check module "nbd module loaded" test -d /sys/module/nbd
check dev "/dev/nbd0 is a block device" test -b /dev/nbd0
check probe "nbd-probe through guestfwd" nbdbox nbd-probe -T 20 "$(uri mem)"
check probe2 "second connection to the same port" nbdbox nbd-probe -T 20 "$(uri mem)"
