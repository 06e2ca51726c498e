/* nbd-client's option words, stated once. Two readers take them from
 * here: nbd_spec_clientopt (core/cmdline.c: each word sets a field of
 * struct nbd_spec), for dracut's nbdopts on the kernel command line and
 * for the nbd-client applet alike, and the way from a struct nbd_spec back
 * to nbd-attach's argv (nbd_spec_argv, core/cmdline.c), the one route by
 * which nbd-client, --cmdline and --tab reach nbd-attach. Pure.
 *
 * One row per option:
 *   X(LETTER, "long-name", ARG, KIND, FIELD, "nbd-attach option")
 * LETTER  the one-letter form (-N); the long name is written -name or --name
 * ARG     1: the option takes the next word as its argument
 * KIND    what it does to a struct nbd_spec (NBDC_* below): FLAG sets FIELD
 *         to 1 and nbd_spec_argv passes the nbd-attach option on; KEEP
 *         sets FIELD, which nbd_spec_argv passes on for a device but not
 *         for a root (a root decides for itself: --wait, -m, --swap); STR
 *         copies the argument into FIELD; NAME the export name; BS,
 *         TIMEOUT, CONNS a checked number; CLIENT nbd-client's own (not
 *         in nbdopts): -u a Unix socket (FIELD), -i passed on as it is;
 *         NOTSUP refused (exit 7); OWN nbd-client acts itself (-c, -d, -l,
 *         -V, -h).
 * FIELD   the struct nbd_spec member (cmdline.h); "_" when none.
 * ATTACH  what nbd-client passes to nbd-attach (NULL: nothing).
 *
 * Adding an option: one row here (and the struct nbd_spec member it sets,
 * if new); its line in nbd-client's //usage: text (tests/unit/
 * test_clientopt.c and tests/shell/test_nbd_client.sh check every row is
 * parsed, shown in --help and reaches nbd-attach's argv). The row order is
 * the order nbd_spec_argv writes the options in (nbd-attach --explain). */
#ifndef NBDBOX_CLIENTOPT_H
#define NBDBOX_CLIENTOPT_H

#define NBD_CLIENT_OPTIONS(X)                                                   \
	X('p', "persist",      0, FLAG,    persist,     "-p")                   \
	X('b', "block-size",   1, BS,      block_size,  "-b")                   \
	X('t', "timeout",      1, TIMEOUT, timeout_s,   "-t")                   \
	X('C', "connections",  1, CONNS,   conns,       "-C")                   \
	X('R', "readonly",     0, FLAG,    read_only,   "-r")                   \
	X('L', "nonetlink",    0, FLAG,    use_ioctl,   "--ioctl")              \
	X('x', "enable-tls",   0, FLAG,    tls,         "--tls")                \
	X('F', "certfile",     1, STR,     certfile,    "--tls-cert")           \
	X('K', "keyfile",      1, STR,     keyfile,     "--tls-key")            \
	X('A', "cacertfile",   1, STR,     cacertfile,  "--tls-ca")             \
	X('H', "tlshostname",  1, STR,     tlshostname, "--tls-hostname")       \
	X('N', "name",         1, NAME,    name,        "-N")                   \
	X('s', "swap",         0, KEEP,    swap,        "--swap")               \
	X('n', "nofork",       0, KEEP,    nofork,      "-F")                   \
	X('g', "no-optgo",     0, KEEP,    no_optgo,    NULL)                   \
	X('m', "systemd-mark", 0, KEEP,    mark,        "-m")                   \
	X('u', "unix",         1, CLIENT,  unix_path,   "-u")                   \
	X('i', "identifier",   1, CLIENT,  _,           "--identifier")         \
	X('B', "size",         1, NOTSUP,  _,           NULL)                   \
	X('P', "preinit",      0, NOTSUP,  _,           NULL)                   \
	X('S', "sdp",          0, NOTSUP,  _,           NULL)                   \
	X('V', "version",      0, OWN,     _,           NULL)                   \
	X('c', "check",        1, OWN,     _,           NULL)                   \
	X('d', "disconnect",   1, OWN,     _,           NULL)                   \
	X('l', "list",         0, OWN,     _,           NULL)                   \
	X('h', "help",         0, OWN,     _,           NULL)

enum nbd_client_kind {
	NBDC_FLAG, NBDC_KEEP, NBDC_STR, NBDC_NAME, NBDC_BS, NBDC_TIMEOUT, NBDC_CONNS,
	NBDC_CLIENT, NBDC_NOTSUP, NBDC_OWN,
};

struct nbd_client_opt {
	char letter;
	unsigned char arg, kind;
	const char *name;
	const char *attach;
};
extern const struct nbd_client_opt nbd_client_opts[];
extern const int nbd_client_nopts;

/* The row of the word w: "-N", "-name" or "--name"; -1 if none. */
int nbd_client_opt_find(const char *w);

#endif
