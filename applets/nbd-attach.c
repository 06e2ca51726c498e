/* nbd-attach: negotiate, then hand the connection to the kernel. The
 * processes that stay behind (relay, DO_IT, --persist) are in resident.c. */
//config:config NBD_ATTACH
//config:	bool "nbd-attach"
//config:	default y
//config:	help
//config:	  Connect to an NBD server and give the connection to the
//config:	  Linux nbd driver, so /dev/nbdN serves the export.
//config:
//config:config NBD_ATTACH_PERSIST
//config:	bool "nbd-attach --persist (reconnect when the link dies)"
//config:	default y
//config:	depends on NBD_ATTACH
//applet:nbd-attach nbd_attach_main NBD_ATTACH
//kbuild:obj-$(CONFIG_NBD_ATTACH) += nbd-attach.o
//usage:Usage: nbd-attach [OPTIONS] HOST[:PORT] [PORT] [DEVICE] | URI [DEVICE]
//usage:       nbd-attach --cmdline [FILE] [--explain] [OPTIONS]
//usage:       nbd-attach --tab nbdN [--explain] [OPTIONS]
//usage:
//usage:Negotiate, hand the connection to the kernel, print the device
//usage:(/dev/nbdN) on stdout. Without DEVICE the kernel picks a free one.
//usage:
//usage:@CONN
//usage:@TLS
//usage:      --tls-relay      TLS through a relay process, not kTLS
//usage:
//usage:The kernel side:
//usage:  -b, --block-size SIZE  a power of two, 512..page size (default: the
//usage:                         server's preferred one if it fits, else 512)
//usage:  -t, --io-timeout SECS  per-request timeout in the kernel
//usage:      --dead-timeout SECS  all links dead: I/O waits SECS for a reconnect
//usage:  -r, --read-only        attach read-only whatever the server offers
//usage:  -C, --connections N    N connections (1-16; N > 1 needs CAN_MULTI_CONN);
//usage:                         with --alt: round-robin over the servers, first
//usage:                         first, read-only (-r or a read-only export)
//usage:      --shared-store     the servers share one store (a write through one
//usage:                         is read through all): spread it writable too
//usage:  -p, --persist          reconnect when the link dies (stays resident)
//usage:      --identifier ID    backend identifier (netlink, kernel 5.14+)
//usage:      --ioctl            use the ioctl interface, not netlink
//usage:  -F, --foreground       ioctl/persist: stay in front, do not daemonize
//usage:  -m, --systemd-mark     mark the daemon argv[0] with '@' (initrd root)
//usage:      --swap             lock the daemon in memory, exempt it from OOM
//usage:      --no-sandbox       do not confine the daemon (README: Security)
//usage:  -h, --help             this text
//usage:
//usage:Network root: --cmdline reads /proc/cmdline (or FILE): nbdroot=
//usage:(Debian's forms or a URI), root=nbd: / netroot=nbd: (dracut's),
//usage:nbddev=, root=/dev/nbdNpM, nbdroot.alt=SERVER (failover); attaches
//usage:with --wait 300 --persist -m --swap, re-reads the partitions, prints
//usage:the root device. --tab reads /etc/nbdtab (or $NBDTAB). --explain
//usage:prints what was understood and the nbd-attach command.
//usage:
//usage:A size not a multiple of the block size gets a smaller block size
//usage:that divides it, else the tail is left out (with a warning).
//usage:
//usage:Exit: 0 ok, 2 usage, 3 connect, 4 export refused, 5 protocol,
//usage:6 TLS, 7 not supported, 8 no such device, 9 kernel refused.

#include <string.h>
#include <unistd.h>
#include "autoconf.h"
#include "attach.h"
#include "fmt.h"
#include "parse.h"

enum {
	OPT_DEAD = OPT_CONN_LAST, OPT_IDENT, OPT_IOCTL, OPT_SWAP, OPT_NO_SANDBOX,
	OPT_SHARED, OPT_TLS_RELAY,
};

/* Persist defaults: in-flight requests on a dead socket are only requeued
 * when the request timeout fires (drivers/block/nbd.c nbd_xmit_timeout),
 * and new I/O waits dead_timeout for a RECONFIGURE. */
#define PERSIST_IO_TIMEOUT   10
#define PERSIST_DEAD_TIMEOUT 120

static int is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Block size and size for the kernel: see the usage text. */
static void choose_sizes(struct attach *a)
{
	uint32_t page = nbd_page_size(), bs = a->block_size, pref = a->first.bs_pref;
	uint64_t size = a->first.size;

	if (!bs) {
		bs = is_pow2(pref) && pref >= 512 && pref <= page ? pref : 512;
		if (a->first.bs_min > bs && is_pow2(a->first.bs_min) && a->first.bs_min <= page)
			bs = a->first.bs_min;
		while (bs > 512 && size % bs && bs / 2 >= a->first.bs_min)
			bs /= 2;
	}
	if (size % bs) {
		msg("warning: export size %llu is not a multiple of the block size %u: "
		    "the last %llu bytes are left out", (unsigned long long)size, bs,
		    (unsigned long long)(size % bs));
		size -= size % bs;
	}
	a->conf.block_size = bs;
	a->conf.size = size;
	a->conf.tflags = a->first.tflags;
	if (a->read_only)
		a->conf.tflags |= NBD_TF_HAS_FLAGS | NBD_TF_READ_ONLY;
}

/* The options and operands, into a: -1 to go on, else the exit code (0
 * after --help). Long on purpose: the option table and one case per
 * option, each with its own bounds and message. */
static int attach_options(struct attach *a, int argc, char **argv)
{
	static const struct longopt own[] = {
		{ "block-size",   'b',            1 },
		{ "io-timeout",   't',            1 },
		{ "dead-timeout", OPT_DEAD,       1 },
		{ "read-only",    'r',            0 },
		{ "connections",  'C',            1 },
		{ "persist",      'p',            0 },
		{ "identifier",   OPT_IDENT,      1 },
		{ "ioctl",        OPT_IOCTL,      0 },
		{ "foreground",   'F',            0 },
		{ "systemd-mark", 'm',            0 },
		{ "swap",         OPT_SWAP,       0 },
		{ "no-sandbox",   OPT_NO_SANDBOX, 0 },
		{ "shared-store", OPT_SHARED,     0 },
		{ "tls-relay",    OPT_TLS_RELAY,  0 },
		{ "help",         'h',            0 },
		{ NULL, 0, 0 }
	};
	unsigned long v;
	int opt, i;

	while ((opt = getopt_long(argc, argv, CONN_SHORTOPTS "b:t:rC:pFmh", own, conn_longopts)) != -1) {
		switch (conn_opt(&a->c, opt, optarg)) {
		case 1: continue;
		case -1: return NBX_USAGE;
		}
		switch (opt) {
		case 'b':
			if (nbd_parse_uint(optarg, 65536, &v) < 0 || !is_pow2((uint32_t)v) || v < 512 ||
			    v > nbd_page_size())
				return usage_error("-b: '%s': a block size is a power of two from 512 to %u",
						   optarg, nbd_page_size());
			a->block_size = (uint32_t)v;
			break;
		case 't':
			if (nbd_parse_uint(optarg, 86400, &v) < 0)
				return usage_error("-t: '%s' is not a number of seconds", optarg);
			a->conf.timeout_s = (unsigned)v;
			a->timeout_set = 1;
			break;
		case OPT_DEAD:
			if (nbd_parse_uint(optarg, 86400 * 7, &v) < 0)
				return usage_error("--dead-timeout: '%s' is not a number of seconds", optarg);
			a->conf.dead_timeout_s = (unsigned)v;
			a->dead_set = 1;
			break;
		case 'r': a->read_only = 1; break;
		case 'C':
			if (nbd_parse_uint(optarg, NBD_MAX_CONNS, &v) < 0 || !v)
				return usage_error("-C: '%s': connections are 1 to %d", optarg, NBD_MAX_CONNS);
			a->conns = (int)v;
			break;
		case 'p':
			if (!ENABLE_NBD_ATTACH_PERSIST)
				return usage_error("built without --persist");
			a->persist = 1;
			break;
		case OPT_IDENT:
			if (!*optarg || strlen(optarg) > 255)
				return usage_error("--identifier: 1 to 255 characters");
			a->conf.identifier = optarg;
			break;
		case OPT_IOCTL: a->use_ioctl = 1; break;
		case 'F': a->foreground = 1; break;
		case 'm': a->mark = 1; break;
		case OPT_SWAP: a->swap = 1; break;
		case OPT_NO_SANDBOX: a->no_sandbox = 1; break;
		case OPT_SHARED: a->shared_store = 1; break;
		case OPT_TLS_RELAY: a->c.tls_conf.relay = 1; break;
		case 'h': return show_usage();
		default: return bad_option();
		}
	}
	i = optind;
	if ((opt = conn_target(&a->c, argc, argv, &i, 1)))
		return opt;
	if (i < argc) {
		if ((a->conf.index = nbd_dev_index(argv[i])) < 0)
			return usage_error("'%s' is not an nbd device (/dev/nbdN or nbdN)", argv[i]);
		i++;
	}
	if (i < argc)
		return usage_error("unexpected argument '%s'", argv[i]);
	if (a->use_ioctl && a->conf.identifier)
		return usage_error("--identifier needs netlink (not with --ioctl)");
	return -1;
}

int nbd_attach_main(int argc, char **argv)
{
	static struct attach a;
	struct nbd_nl_mon *mon = NULL;
	struct nbd_err err;
	int rc, i, nl;

#if ENABLE_NBD_ATTACH_CMDLINE
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--cmdline") || !strcmp(argv[i], "--tab"))
			return attach_spec_main(argc, argv);   /* applets/rootspec.c */
#endif
	memset(&a, 0, sizeof a);
	conn_opts_init(&a.c);
	a.conns = 1;
	a.conf.index = -1;
	if ((rc = attach_options(&a, argc, argv)) >= 0)
		return rc;
	/* -C N with alternatives: the N connections spread over the
	 * servers (core/spread.h); -C 1 is failover as before. */
	if (a.c.nalt && a.conns > 1)
		a.nsrv = a.c.nalt + 1;
	for (i = 0; i < NBD_MAX_CONNS; i++)
		a.kfd[i] = -1;
	if (PERSIST(&a)) {
		if (!a.timeout_set)
			a.conf.timeout_s = PERSIST_IO_TIMEOUT;
		if (!a.dead_set)
			a.conf.dead_timeout_s = PERSIST_DEAD_TIMEOUT;
	}

	/* Which interface, before any network traffic: the stub platform
	 * says "not supported" here. A missing family falls back to ioctls. */
	nl = a.use_ioctl ? 0 : nbd_nl_available(&err);
	if (nl < 0)
		return report(&err);
	if (!nl && a.conf.identifier)
		return msg("--identifier: the kernel has no nbd netlink interface (module not loaded?)"),
		       NBX_NOTSUP;

	if (attach_connect_all(&a, a.conns, &err) < 0)
		return report(&err);
	choose_sizes(&a);

	/* Listen before connecting, so no LINK_DEAD is missed; ioctl mode
	 * uses it only to tell a lost link from a detach. */
	if (PERSIST(&a) && (nl || nbd_nl_available(NULL) == 1))
		mon = nbd_nl_mon_open(NULL);
	if (PERSIST(&a) && nl && !mon) {
		attach_close_fds(&a.conf);
		msg("--persist: cannot listen for NBD_CMD_LINK_DEAD");
		return NBX_KERNEL;
	}
	return nl ? attach_netlink(&a, mon) : attach_ioctl(&a, mon);
}
