# The same through the ioctl path.
need_applet nbd-attach && roundtrip "$(uri mem)" --ioctl
