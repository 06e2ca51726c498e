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
#include "cmdline.h"
#include "cmdline-int.h"
#include "uri.h"

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

/* The operands HOST [PORT] [DEVICE] (with -unix: [DEVICE]) into sp: 0,
 * or an exit code (printed). */
static int operands(struct nbd_spec *sp, int n, char **pos)
{
	int i = 0;

	if (!sp->unix_path[0]) {
		char *dst;
		size_t cap;

		if (n == 0)
			return usage_error("missing server address (HOST[:PORT] or nbd:// URI)");
		dst = nbd_is_uri(pos[0]) ? sp->uri : sp->host;
		cap = dst == sp->uri ? sizeof sp->uri : sizeof sp->host;
		if (nbd_spec_put(dst, cap, pos[0], strlen(pos[0])) < 0)
			return usage_error("'%s': server address too long", pos[0]);
		i = 1;
		/* PORT: a word of digits only */
		if (dst == sp->host && i < n && pos[i][0] && !pos[i][strspn(pos[i], "0123456789")]) {
			if (nbd_spec_put(sp->port, sizeof sp->port, pos[i], strlen(pos[i])) < 0)
				return usage_error("'%s' is not a port", pos[i]);
			i++;
		}
	}
	if (i < n && (sp->index = nbd_dev_index(pos[i++])) < 0)
		return usage_error("'%s' is not an nbd device (/dev/nbdN or nbdN)", pos[i - 1]);
	if (i < n)
		return usage_error("unexpected argument '%s'", pos[i]);
	return 0;
}

/* Long on purpose: one pass over nbd-client's words in the order given,
 * as the reference reads them; the words it acts on itself (-h, -c, -d,
 * -V) act at once. */
int nbd_client_main(int argc, char **argv)
{
	static struct nbd_spec sp;
	static struct nbd_argv av;
	/* -l: nbd-list's argv; worst case every argument becomes two. */
	char *lv[2 * argc + 2], *pos[3], *extra[2];
	const struct nbd_client_opt *o;
	struct nbd_err err;
	int lc = 1, nextra = 0, npos = 0, list = 0, i, k;

	if (!ENABLE_NBD_ATTACH || !ENABLE_NBD_DETACH || !ENABLE_NBD_LIST) {
		msg("built without nbd-attach, nbd-detach or nbd-list");
		return NBX_NOTSUP;
	}
	nbd_spec_init(&sp);
	for (i = 1; i < argc; i++) {
		char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strncmp(a, "bs=", 3) || !strncmp(a, "timeout=", 8)) {
			lv[lc++] = a[0] == 'b' ? "-b" : "-t";
			lv[lc++] = strchr(a, '=') + 1;
			if (nbd_spec_clientopt(&sp, a, NULL, &err) < 0)
				return report(&err);
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
		if (o->arg && !next)
			return usage_error("option '%s' needs an argument", a);
		switch (o->letter) {
		case 'h':
			return show_usage();
		case 'c':
			return check(next);
		case 'd':
			argv[i] = "nbd-detach";
			return run_applet(2, argv + i);
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
		/* -l: the options nbd-list shares pass through. */
		if (o->attach) {
			lv[lc++] = (char *)o->attach;
			if (o->arg)
				lv[lc++] = next;
		}
		if (o->kind != NBDC_CLIENT) {
			/* As dracut's nbdopts: the same words into the same spec. */
			if (nbd_spec_clientopt(&sp, a, next, &err) < 0)
				return report(&err);
		} else if (o->letter == 'u') {
			if (nbd_spec_put(sp.unix_path, sizeof sp.unix_path, next, strlen(next)) < 0)
				return usage_error("%s: socket path too long", next);
		} else {
			extra[0] = (char *)o->attach;   /* -i ID: the last one */
			extra[1] = next;
			nextra = 2;
		}
		i += o->arg;
	}
	if (list) {
		lv[lc++] = "--nbd-client-format";
		for (i = 0; i < npos; i++)
			lv[lc++] = pos[i];
		lv[0] = "nbd-list";
		lv[lc] = NULL;
		return run_applet(lc, lv);
	}
	if (ENABLE_NBD_ATTACH_CMDLINE && argc == 2 && npos == 1 &&
	    nbd_dev_index(pos[0]) >= 0 && !strchr(pos[0], '/')) {
		/* nbdX alone: /etc/nbdtab (nbd@.service's ExecStart). */
		char *tab[] = { "nbd-attach", "--tab", pos[0], NULL };
		return run_applet(3, tab);
	}
	if ((k = operands(&sp, npos, pos)))
		return k;
	/* The one route to nbd-attach, as --cmdline and --tab take it. */
	if (nbd_spec_argv(&av, &sp, 0, NULL, nextra, extra, &err) < 0)
		return report(&err);
	return run_applet(av.n, av.v);
}
