# --persist (netlink): the host stops the server and starts it again while
# the guest reads the device; the read completes with the right md5.
# The host's delay filter makes the 16 MiB read take about 5 s.
need_applet nbd-attach && persist_read ${PERSIST_OPTS:-}
