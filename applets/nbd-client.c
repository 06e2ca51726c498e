/* nbd-client: the reference client's command line, for the scripts that
 * already call it (Debian's initramfs-tools, dracut). It only translates:
 * the work is nbd-attach's, nbd-detach's and nbd-list's. */
//config:config NBD_CLIENT
//config:	bool "nbd-client (the reference client's command line)"
//config:	default y
//config:	help
//config:	  Accept nbd-client's syntax, as initramfs-tools and dracut write
//config:	  it ("nbd-client HOST PORT /dev/nbd0 -N root -persist -swap
//config:	  -systemd-mark -b 512", -c, -d, -l), and hand it to nbd-attach,
//config:	  nbd-detach and nbd-list. Needs those applets.
//applet:nbd-client nbd_client_main NBD_CLIENT
//kbuild:obj-$(CONFIG_NBD_CLIENT) += nbd-client.o
//usage:Usage: nbd-client [bs=SIZE] [timeout=SECS] HOST [PORT] DEVICE [OPTIONS]
//usage:       nbd-client -u|-unix PATH DEVICE [OPTIONS]
//usage:       nbd-client -c|-check DEVICE     pid of the owner; exit 1 if not attached
//usage:       nbd-client -d|-disconnect DEVICE
//usage:       nbd-client -l|-list HOST [PORT]
//usage:       nbd-client nbdX                 attach as /etc/nbdtab says
//usage:       nbd-client -V|-version
//usage:
//usage:The reference nbd-client's command line (options with one dash or two),
//usage:done by nbd-attach, nbd-detach and nbd-list:
//usage:  -N, -name NAME          export name
//usage:  -b, -block-size SIZE    block size
//usage:  -t, -timeout SECS       request timeout
//usage:  -p, -persist            reconnect when the link dies
//usage:  -n, -nofork             stay in front
//usage:  -L, -nonetlink          use the ioctl interface
//usage:  -m, -systemd-mark       argv[0] starts with '@' (root storage daemon)
//usage:  -C, -connections N      N connections
//usage:  -R, -readonly           read-only
//usage:  -s, -swap               the daemon is locked in memory (mlockall) and
//usage:                          exempt from the OOM killer
//usage:  -x, -enable-tls         TLS; -F/-certfile, -K/-keyfile,
//usage:                          -A/-cacertfile, -H/-tlshostname FILE|NAME
//usage:  -i, -identifier ID      backend identifier
//usage:  -g, -no-optgo           accepted: NBD_OPT_EXPORT_NAME is used by itself
//usage:                          when the server has no NBD_OPT_GO
//usage:  -h, -help               this text
//usage:  -B/-size, -P/-preinit, -S/-sdp: not supported (exit 7)

#include <string.h>
#include "autoconf.h"
#include "applet.h"
#include "platform.h"
#include "parse.h"
#include "clientopt.h"

/* -check: like the reference client, print the pid that serves the device
 * and exit 0, or exit 1 when it is not attached. */
static int check(const char *dev)
{
	struct nbd_devinfo d;
	int index = nbd_dev_index(dev);

	if (index < 0)
		return usage_error("'%s' is not an nbd device", dev);
	if (nbd_dev_query(index, &d, NULL) < 0 || !d.attached)
		return 1;
	out("%ld\n", d.pid);
	return finish_output();
}

int nbd_client_main(int argc, char **argv)
{
	/* Worst case every argument becomes two: "bs=512" -> "-b" "512". */
	char *av[2 * argc + 2], *pos[3];
	const struct nbd_client_opt *o;
	int ac = 1, npos = 0, list = 0, i, k;

	if (!ENABLE_NBD_ATTACH || !ENABLE_NBD_DETACH || !ENABLE_NBD_LIST) {
		msg("built without nbd-attach, nbd-detach or nbd-list");
		return NBX_NOTSUP;
	}
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!strncmp(a, "bs=", 3) || !strncmp(a, "timeout=", 8)) {
			av[ac++] = a[0] == 'b' ? "-b" : "-t";
			av[ac++] = strchr(a, '=') + 1;
			continue;
		}
		if (a[0] != '-' || !a[1]) {
			if (npos == 3)
				return usage_error("unexpected argument '%s'", a);
			pos[npos++] = a;
			continue;
		}
		if ((k = nbd_client_opt_find(a)) < 0)
			return usage_error("unknown option '%s'", a);
		o = &nbd_client_opts[k];
		if (o->arg && ++i >= argc)
			return usage_error("option '%s' needs an argument", a);
		switch (o->letter) {
		case 'h':
			return show_usage();
		case 'c':
			return check(argv[i]);
		case 'd':
			argv[i - 1] = "nbd-detach";
			return run_applet(2, argv + i - 1);
		case 'l':
			list = 1;
			continue;
		case 'V':
			out("This is nbd-client (nbdbox), the command line of nbd 3.24\n");
			return finish_output();
		}
		if (o->kind == NBDC_NOTSUP) {
			msg("'%s' is not supported by nbdbox", a);
			return NBX_NOTSUP;
		}
		if (!o->attach)
			continue;
		av[ac++] = (char *)o->attach;
		if (o->arg)
			av[ac++] = argv[i];
	}
	if (list) {
		/* -l HOST [PORT]: the options nbd-list shares pass through. */
		av[ac++] = "--nbd-client-format";
	} else if (ENABLE_NBD_ATTACH_CMDLINE && npos == 1 && ac == 1 &&
		   nbd_dev_index(pos[0]) >= 0 && !strchr(pos[0], '/')) {
		/* nbdX alone: /etc/nbdtab (nbd@.service's ExecStart). */
		av[ac++] = "--tab";
	}
	/* HOST [PORT] DEVICE, or with -unix just DEVICE; nbdX after --tab. */
	for (i = 0; i < npos; i++)
		av[ac++] = pos[i];
	av[0] = list ? "nbd-list" : "nbd-attach";
	av[ac] = NULL;
	return run_applet(ac, av);
}
