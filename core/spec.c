/* struct nbd_spec, the one record every way of naming a device fills
 * (nbd-client's words, dracut's nbdopts, the kernel command line, nbdtab),
 * and the one way from it to nbd-attach's argv. Pure: no I/O, no printing.
 * Built with nbd-client or nbd-attach --cmdline/--tab. */
#include <stddef.h>
#include <string.h>
#include "cmdline.h"
#include "clientopt.h"
#include "cmdline-int.h"
#include "fmt.h"

void nbd_spec_init(struct nbd_spec *s)
{
	memset(s, 0, sizeof *s);
	s->index = -1;
	s->timeout_s = -1;
}

/* Copy s[0..n) into dst[cap]; -1 if it does not fit. */
int nbd_spec_put(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int nbd_spec_setnum(struct nbd_spec *sp, int what, const char *v)
{
	static const struct {
		uint32_t min, max;
	} lim[] = { [NBD_NUM_BS] = { 512, 65536 }, [NBD_NUM_TIMEOUT] = { 0, 86400 },
		    [NBD_NUM_CONNS] = { 1, 16 } };
	unsigned long x;

	if (!v || nbd_parse_uint(v, lim[what].max, &x) < 0 || x < lim[what].min)
		return -1;
	if (what == NBD_NUM_BS) {
		if (x & (x - 1))
			return -1;
		sp->block_size = (uint32_t)x;
	} else if (what == NBD_NUM_TIMEOUT) {
		sp->timeout_s = (int)x;
	} else {
		sp->conns = (int)x;
	}
	return 0;
}

/* Option o's value v (NULL: missing) as a number: 0, -1 with err. */
static int set_num(struct nbd_spec *sp, int what, const char *o, const char *v,
		   struct nbd_err *err)
{
	static const char *const why[] = {
		[NBD_NUM_BS] = "%s: '%s': a block size is a power of two from 512",
		[NBD_NUM_TIMEOUT] = "%s: '%s' is not a number of seconds",
		[NBD_NUM_CONNS] = "%s: '%s': connections are 1 to 16",
	};

	if (nbd_spec_setnum(sp, what, v) < 0)
		return nbd_seterr(err, NBX_USAGE, 0, why[what], o, v ? v : "");
	return 0;
}

/* An option's string argument next into dst: 2 (words taken), -1 with err. */
static int set_str(char *dst, size_t cap, const char *w, const char *next, struct nbd_err *err)
{
	if (!next || !*next || nbd_spec_put(dst, cap, next, strlen(next)) < 0)
		return nbd_seterr(err, NBX_USAGE, 0, "%s: missing or too long", w);
	return 2;
}

static int set_export(struct nbd_spec *sp, const char *w, const char *next, struct nbd_err *err)
{
	if (!next)
		return nbd_seterr(err, NBX_USAGE, 0, "%s: missing export name", w);
	if (nbd_spec_put(sp->name, sizeof sp->name, next, strlen(next)) < 0)
		return nbd_seterr(err, NBX_USAGE, 0, "%s: export name too long", w);
	sp->has_name = 1;
	return 2;
}

int nbd_spec_clientopt(struct nbd_spec *sp, const char *w, const char *next, struct nbd_err *err)
{
	int k;

	if (!strncmp(w, "bs=", 3))
		return set_num(sp, NBD_NUM_BS, "bs=", w + 3, err) < 0 ? -1 : 1;
	if (!strncmp(w, "timeout=", 8))
		return set_num(sp, NBD_NUM_TIMEOUT, "timeout=", w + 8, err) < 0 ? -1 : 1;
	if (w[0] != '-')
		return nbd_seterr(err, NBX_USAGE, 0, "'%s': not an nbd-client option", w);
	/* What each kind of row (clientopt.h) does to the spec; nbd-client's
	 * own words (CLIENT, NOTSUP, OWN) are not nbdopts. */
#define SET_FLAG(f)    sp->f = 1; return 1;
#define SET_KEEP(f)    sp->f = 1; return 1;
#define SET_STR(f)     return set_str(sp->f, sizeof sp->f, w, next, err);
#define SET_NAME(f)    return set_export(sp, w, next, err);
#define SET_BS(f)      return set_num(sp, NBD_NUM_BS, w, next, err) < 0 ? -1 : 2;
#define SET_TIMEOUT(f) return set_num(sp, NBD_NUM_TIMEOUT, w, next, err) < 0 ? -1 : 2;
#define SET_CONNS(f)   return set_num(sp, NBD_NUM_CONNS, w, next, err) < 0 ? -1 : 2;
#define SET_CLIENT(f)  break;
#define SET_NOTSUP(f)  break;
#define SET_OWN(f)     break;
#define CASE(letter, name, arg, kind, field, attach) case letter: SET_##kind(field)
	if ((k = nbd_client_opt_find(w)) >= 0) {
		switch (nbd_client_opts[k].letter) {
		NBD_CLIENT_OPTIONS(CASE)
		}
	}
	return nbd_seterr(err, NBX_USAGE, 0, "'%s': unknown nbd-client option", w);
}

/* ---- back to nbd-attach's options */

static void add(struct nbd_argv *a, const char *s)
{
	if (a->n < (int)(sizeof a->v / sizeof *a->v) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void add2(struct nbd_argv *a, const char *opt, const char *val)
{
	add(a, opt);
	add(a, val);
}

static void add_num(struct nbd_argv *a, const char *opt, unsigned long v)
{
	char *buf = a->nums[a->nnums++];

	nbd_fmt(buf, sizeof a->nums[0], "%lu", v);
	add2(a, opt, buf);
}

int nbd_spec_argv(struct nbd_argv *a, const struct nbd_spec *sp, int root,
		  const char *rootserver, int nextra, char **extra, struct nbd_err *err)
{
	const char *server = sp->host;
	int i;

	a->n = a->nnums = 0;
	add(a, "nbd-attach");
	if (root) {
		/* As Debian's local-top/nbd does (-swap -persist -systemd-mark):
		 * the root's resident process is locked in memory, spared by
		 * the OOM killer and by systemd. */
		add2(a, "--wait", NBD_ROOT_WAIT);
		add(a, "-m"), add(a, "--swap");
	}
	/* The spec's fields as nbd-client's rows (clientopt.h) name them, in
	 * the rows' order; the export name after the --alt servers. */
#define ARG_FLAG(f, o)    if (sp->f) add(a, o);
#define ARG_STR(f, o)     if (sp->f[0]) add2(a, o, sp->f);
#define ARG_BS(f, o)      if (sp->f) add_num(a, o, sp->f); \
			  else if (sp->part) add2(a, o, "512"); /* nbd #87: larger ones lose partitions */
#define ARG_TIMEOUT(f, o) if (sp->f >= 0) add_num(a, o, (unsigned long)sp->f);
#define ARG_CONNS(f, o)   if (sp->f) add_num(a, o, (unsigned long)sp->f);
#define ARG_NAME(f, o)
#define ARG_KEEP(f, o)    if (!root && sp->f && o) add(a, o);
#define ARG_CLIENT(f, o)
#define ARG_NOTSUP(f, o)
#define ARG_OWN(f, o)
#define ARG(letter, name, arg, kind, field, attach) ARG_##kind(field, attach)
	NBD_CLIENT_OPTIONS(ARG)
	for (i = 0; i < sp->nalt; i++)
		add2(a, "--alt", sp->alt[i]);
#define LAST_NAME(f, o)   if (sp->has_name) add2(a, o, sp->f);
#define LAST_FLAG(f, o)
#define LAST_KEEP(f, o)
#define LAST_STR(f, o)
#define LAST_BS(f, o)
#define LAST_TIMEOUT(f, o)
#define LAST_CONNS(f, o)
#define LAST_CLIENT(f, o)
#define LAST_NOTSUP(f, o)
#define LAST_OWN(f, o)
#define LAST(letter, name, arg, kind, field, attach) LAST_##kind(field, attach)
	NBD_CLIENT_OPTIONS(LAST)
	for (i = 0; i < nextra; i++)
		add(a, extra[i]);
	if (sp->unix_path[0]) {
		add2(a, "-u", sp->unix_path);
	} else if (sp->uri[0]) {
		add(a, sp->uri);
	} else {
		if (sp->host_dhcp) {
			/* initramfs-tools' DHCP hands over ROOTSERVER. */
			server = rootserver;
			if (!server || !*server)
				return nbd_seterr(err, NBX_USAGE, 0, "%s: no server named (and no "
						  "ROOTSERVER from DHCP): give nbdroot=SERVER,...", sp->word);
		}
		add(a, server);
		if (sp->port[0])
			add(a, sp->port);
	}
	/* No device (nbd-client HOST): nbd-attach takes a free one. */
	if (sp->index >= 0) {
		nbd_fmt(a->dev, sizeof a->dev, "/dev/nbd%d", sp->index);
		add(a, a->dev);
	}
	return 0;
}
