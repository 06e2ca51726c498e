# nbdkit memory export attached via netlink, no device argument.
need_applet nbd-attach && roundtrip "$(uri mem)"
