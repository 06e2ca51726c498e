/* nbd-detach: disconnect nbd devices. */
//config:config NBD_DETACH
//config:	bool "nbd-detach"
//config:	default y
//config:	help
//config:	  Disconnect /dev/nbdN devices (netlink, or the ioctl for
//config:	  devices attached that way). The kernel drains queued
//config:	  requests first.
//applet:nbd-detach nbd_detach_main NBD_DETACH
//kbuild:obj-$(CONFIG_NBD_DETACH) += nbd-detach.o
//usage:Usage: nbd-detach DEVICE... | -a
//usage:
//usage:Disconnect nbd devices (/dev/nbdN or nbdN). The kernel sends what is
//usage:queued first, then NBD_CMD_DISC. A device whose flush fails (a dead
//usage:link nobody reconnects) is disconnected anyway, with exit 1.
//usage:
//usage:  -a, --all      every attached nbd device
//usage:      --ioctl    use NBD_DISCONNECT, not netlink
//usage:  -h, --help     this text
//usage:
//usage:Exit: 0 ok, 1 flush failed, 2 usage, 7 not supported, 8 not attached /
//usage:no such device, 9 kernel refused.

#include <string.h>
#include "autoconf.h"
#include "applet.h"
#include "platform.h"
#include "parse.h"

enum { OPT_IOCTL = OPT_CONN_LAST };

/* 0, or an exit code (printed). */
static int detach(int index, int use_nl)
{
	struct nbd_devinfo d;
	struct nbd_err err;
	int i, flushed = 0;

	if (nbd_dev_query(index, &d, &err) < 0)
		return report(&err);
	if (!d.attached) {
		msg("/dev/nbd%d: not attached", index);
		return NBX_NODEV;
	}
	/* An ioctl-mode device gets NBD_DISCONNECT: the server answers what
	 * is queued, then DO_IT returns. Netlink DISCONNECT would shut the
	 * sockets at once and fail requests in flight; it is the only way to
	 * drop a netlink configuration. */
	if (d.ioctl_owned)
		use_nl = 0;
	/* A flush that fails means the kernel already gave up on those
	 * writes (a dead link past --dead-timeout, no one to reconnect): say
	 * so, and still disconnect, or the device could never be freed. */
	if (nbd_dev_flush(index, &err) < 0) {
		flushed = NBX_FAIL;
		msg("%s: writes not on the server are lost; disconnecting anyway", err.msg);
	}
	if ((use_nl ? nbd_nl_disconnect(index, &err) : nbd_ioctl_disconnect(index, &err)) < 0)
		return report(&err);
	nbd_dev_unnote(index);
	/* Done when the configuration is gone, so a script can re-attach at
	 * once; the kernel sends what is queued first. Not an error if it
	 * takes longer (a slow server): the disconnect is under way. */
	for (i = 0; i < 100; i++) {
		if (nbd_dev_query(index, &d, NULL) < 0 || !d.attached)
			break;
		nbd_sleep_ms(50);
	}
	return flushed;
}

int nbd_detach_main(int argc, char **argv)
{
	static const struct longopt longopts[] = {
		{ "all",   'a',       0 },
		{ "ioctl", OPT_IOCTL, 0 },
		{ "help",  'h',       0 },
		{ NULL, 0, 0 }
	};
	struct nbd_err err;
	int opt, all = 0, use_ioctl = 0, nl, i, rc = 0, r;

	while ((opt = getopt_long(argc, argv, "ah", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a': all = 1; break;
		case OPT_IOCTL: use_ioctl = 1; break;
		case 'h': return show_usage();
		default: return bad_option();
		}
	}
	if (all == (optind < argc))
		return usage_error(all ? "-a takes no device" : "missing device (/dev/nbdN), or -a");
	for (i = optind; i < argc; i++)
		if (nbd_dev_index(argv[i]) < 0)
			return usage_error("'%s' is not an nbd device (/dev/nbdN or nbdN)", argv[i]);

	nl = use_ioctl ? 0 : nbd_nl_available(&err);
	if (nl < 0)
		return report(&err);
	if (all) {
		int idx[256], n = nbd_dev_list(idx, 256);
		struct nbd_devinfo d;
		for (i = 0; i < n; i++)
			if (nbd_dev_query(idx[i], &d, NULL) == 0 && d.attached &&
			    (r = detach(idx[i], nl)))
				rc = r;
		return rc;
	}
	for (i = optind; i < argc; i++)
		if ((r = detach(nbd_dev_index(argv[i]), nl)))
			rc = r;
	return rc;
}
