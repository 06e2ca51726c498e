# Against qemu-nbd serving a qcow2 image.
need_applet nbd-attach && roundtrip "$(uri qemu disk)"
