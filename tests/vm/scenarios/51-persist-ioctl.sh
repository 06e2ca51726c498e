# --persist through the ioctl path (a new NBD_DO_IT cycle after the loss).
need_applet nbd-attach && persist_read --ioctl
