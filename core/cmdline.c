/* The kernel command line's NBD root forms and /etc/nbdtab lines, parsed
 * into one struct nbd_spec. Pure: no I/O, no printing. See README,
 * "Network root", for the forms and which one wins where they disagree. */
#include <stddef.h>
#include <string.h>
#include "cmdline.h"
#include "clientopt.h"
#include "cmdline-int.h"
#include "fmt.h"
#include "uri.h"

#define WORD_MAX 1280   /* the longest word looked at: a URI plus its key */

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

/* A parser's message again, as a usage error after the command-line word
 * it came from ("WORD: " WHAT MESSAGE). */
static int reword(struct nbd_err *err, const struct nbd_spec *sp, const char *what)
{
	char why[300];

	memcpy(why, err->msg, sizeof why - 1);
	why[sizeof why - 1] = 0;
	return nbd_seterr(err, NBX_USAGE, 0, "%s: %s%s", sp->word, what, why);
}

static int fail(struct nbd_err *err, const struct nbd_spec *sp, const char *why)
{
	return nbd_seterr(err, NBX_USAGE, 0, "%s: %s", sp->word, why);
}

static int set_host(struct nbd_spec *sp, const char *s, size_t n, struct nbd_err *err)
{
	if (!n || (n == 4 && !memcmp(s, "dhcp", 4))) {
		sp->host_dhcp = 1;
		sp->host[0] = 0;
		return 0;
	}
	if (nbd_spec_put(sp->host, sizeof sp->host, s, n) < 0)
		return fail(err, sp, "server name too long");
	return 0;
}

/* "[V6]" at the start of v[0..n), followed by nothing or ':': the host is
 * set; returns what follows ']', NULL (err set) if it is not that. */
static const char *set_v6_host(struct nbd_spec *sp, const char *v, size_t n,
			       struct nbd_err *err)
{
	const char *rb = memchr(v, ']', n);

	if (!rb || rb == v + 1)
		return fail(err, sp, "'[' without ']' around an IPv6 address"), NULL;
	if (set_host(sp, v + 1, (size_t)(rb - v - 1), err) < 0)
		return NULL;
	if (rb + 1 < v + n && rb[1] != ':')
		return fail(err, sp, "expected ':' after ']'"), NULL;
	return rb + 1;
}

static int set_port(struct nbd_spec *sp, const char *s, size_t n, struct nbd_err *err)
{
	unsigned long v;

	if (!nbd_is_digits(s, n) || n > 5)
		return fail(err, sp, "the port is not a number");
	if (nbd_parse_num(s, n, 65535, &v) < 0 || !v)
		return fail(err, sp, "the port is not 1-65535");
	nbd_spec_put(sp->port, sizeof sp->port, s, n);
	return 0;
}

static int set_name(struct nbd_spec *sp, const char *s, size_t n, struct nbd_err *err)
{
	if (nbd_spec_put(sp->name, sizeof sp->name, s, n) < 0)
		return fail(err, sp, "export name too long");
	sp->has_name = 1;
	return 0;
}

static int set_uri(struct nbd_spec *sp, const char *s, size_t n, struct nbd_err *err)
{
	static struct nbd_addr a;   /* too big for small stacks */
	static struct nbd_tls_conf t;

	sp->form = NBD_FORM_URI;
	if (nbd_spec_put(sp->uri, sizeof sp->uri, s, n) < 0)
		return fail(err, sp, "URI too long");
	nbd_tls_conf_init(&t);
	if (nbd_parse_uri(&a, &t, sp->uri, err) < 0)
		return reword(err, sp, "");
	return 0;
}

/* Server, port or name after the host: ":PORT/NAME", ":/PATH", "/NAME",
 * ":PORT", ":NAME", "". Debian's script; see README for where it is
 * kinder than the script. */
static int debian_rest(struct nbd_spec *sp, const char *r, size_t n, struct nbd_err *err)
{
	const char *slash;

	if (!n)
		return 0;                       /* the default export */
	if (*r == '/')
		return set_name(sp, r + 1, n - 1, err);
	if (*r != ':')
		return fail(err, sp, "expected ':' or '/' after the server");
	r++, n--;
	if (n && *r == '/')
		return set_name(sp, r, n, err); /* SERVER:/PATH keeps its slash */
	slash = memchr(r, '/', n);
	if (!slash)
		return nbd_is_digits(r, n) ? set_port(sp, r, n, err) : set_name(sp, r, n, err);
	if (set_port(sp, r, (size_t)(slash - r), err) < 0)
		return -1;
	return set_name(sp, slash + 1, n - (size_t)(slash - r) - 1, err);
}

/* nbdroot=VALUE, Debian's forms (scripts/local-top/nbd, README.Debian);
 * v[n] is its NUL. */
static int parse_debian(struct nbd_spec *sp, const char *v, size_t n, struct nbd_err *err)
{
	const char *c1 = memchr(v, ',', n), *c2;

	sp->form = NBD_FORM_DEBIAN;
	if (nbd_is_uri(v))
		return set_uri(sp, v, n, err);
	if (c1) {
		/* SERVER,PORT|NAME[,nbdX]: a middle of digits is a port
		 * (README.Debian), anything else a name. */
		const char *mid = c1 + 1, *end = v + n;

		c2 = memchr(mid, ',', (size_t)(end - mid));
		if (c2 && memchr(c2 + 1, ',', (size_t)(end - c2 - 1)))
			return fail(err, sp, "more than three comma-separated fields");
		if (set_host(sp, v, (size_t)(c1 - v), err) < 0)
			return -1;
		if (c2) {
			int idx, part;
			if (nbd_parse_dev(c2 + 1, (size_t)(end - c2 - 1), &idx, &part) < 0)
				return fail(err, sp, "the third field is not an nbd device (nbdN)");
			sp->index = idx;
			sp->part = part;
			end = c2;
		}
		if (mid == end)
			return fail(err, sp, "the second field (port or export name) is empty");
		if (nbd_is_digits(mid, (size_t)(end - mid)))
			return set_port(sp, mid, (size_t)(end - mid), err);
		return set_name(sp, mid, (size_t)(end - mid), err);
	}
	if (*v == '[') {
		const char *rest = set_v6_host(sp, v, n, err);
		if (!rest)
			return -1;
		return debian_rest(sp, rest, n - (size_t)(rest - v), err);
	} else {
		size_t h = strcspn(v, ":/");

		if (h > n)
			h = n;
		if (set_host(sp, v, h, err) < 0)
			return -1;
		if (!h && *v == '/')
			return set_name(sp, v, n, err);   /* /PATH: server from DHCP */
		return debian_rest(sp, v + h, n - h, err);
	}
}

/* dracut's nbdopts: nbd-client words with commas for spaces. */
static int parse_nbdopts(struct nbd_spec *sp, const char *o, size_t n, struct nbd_err *err)
{
	char words[16][256];
	int nw = 0, i, k;

	while (n) {
		size_t l = 0;
		while (l < n && o[l] != ',')
			l++;
		if (l) {
			if (nw == 16)
				return fail(err, sp, "more than 16 nbd-client options");
			if (nbd_spec_put(words[nw], sizeof words[nw], o, l) < 0)
				return fail(err, sp, "an nbd-client option is too long");
			nw++;
		}
		o += l, n -= l;
		if (n)
			o++, n--;
	}
	for (i = 0; i < nw; i += k)
		if ((k = nbd_spec_clientopt(sp, words[i], i + 1 < nw ? words[i + 1] : NULL, err)) < 0)
			return reword(err, sp, "nbdopts: ");
	return 0;
}

/* root=nbd:VALUE / netroot=nbd:VALUE, dracut's forms (95nbd). */
static int parse_dracut(struct nbd_spec *sp, const char *v, size_t n, struct nbd_err *err)
{
	const char *f[4], *p, *end = v + n, *slash;
	size_t fl[4];
	int nf = 0;

	sp->form = NBD_FORM_DRACUT;
	if (n >= 2 && v[0] == '/' && v[1] == '/')
		return set_uri(sp, v - 4, n + 4, err);  /* root=nbd://... */
	if (*v == '[') {
		if (!(p = set_v6_host(sp, v, n, err)))
			return -1;
	} else {
		p = memchr(v, ':', n);
		if (!p)
			p = end;
		if (p == v)
			return fail(err, sp, "no server before ':'");
		if (set_host(sp, v, (size_t)(p - v), err) < 0)
			return -1;
	}
	/* :PORT|NAME[:FSTYPE[:ROOTFLAGS[:NBDOPTS]]], NBDOPTS takes the rest. */
	while (p < end && nf < 4) {
		const char *q = ++p;
		if (nf < 3)
			while (q < end && *q != ':')
				q++;
		else
			q = end;
		f[nf] = p, fl[nf] = (size_t)(q - p);
		nf++;
		p = q;
	}
	if (!nf || !fl[0])
		return fail(err, sp, "needs :PORT or :NAME after the server");
	/* A port, a name, or dracut's "preferred" PORT/NAME (which its own
	 * nbdroot.sh sends as -name PORT/NAME to port 10809). */
	slash = memchr(f[0], '/', fl[0]);
	if (nbd_is_digits(f[0], fl[0])) {
		if (set_port(sp, f[0], fl[0], err) < 0)
			return -1;
	} else if (slash && slash > f[0] && nbd_is_digits(f[0], (size_t)(slash - f[0]))) {
		if (set_port(sp, f[0], (size_t)(slash - f[0]), err) < 0 ||
		    set_name(sp, slash + 1, fl[0] - (size_t)(slash - f[0]) - 1, err) < 0)
			return -1;
	} else if (set_name(sp, f[0], fl[0], err) < 0) {
		return -1;
	}
	if (nf > 1 && nbd_spec_put(sp->fstype, sizeof sp->fstype, f[1], fl[1]) < 0)
		return fail(err, sp, "file system type too long");
	if (nf > 2 && nbd_spec_put(sp->rootflags, sizeof sp->rootflags, f[2], fl[2]) < 0)
		return fail(err, sp, "root flags too long");
	if (nf > 3)
		return parse_nbdopts(sp, f[3], fl[3], err);
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
#define SET_NONE(f)    return 1;
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
	} else if (sp->swap) {
		add(a, "--swap");
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
#define ARG_KEEP(f, o)
#define ARG_NONE(f, o)
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
#define LAST_NONE(f, o)
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
	nbd_fmt(a->dev, sizeof a->dev, "/dev/nbd%d", sp->index);
	add(a, a->dev);
	return 0;
}

/* ---- the kernel command line */

/* The next word of s[*pos..len): unquoted into w (the kernel takes
 * key="a b"). Returns its length, 0 at the end, -1 if it does not fit
 * (skipped; *pos moves past it). */
static long next_word(const char *s, size_t len, size_t *pos, char *w, size_t cap)
{
	size_t i = *pos, o = 0;
	int q = 0, over = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= len) {
		*pos = i;
		return 0;
	}
	for (; i < len && (q || (s[i] != ' ' && s[i] != '\t')); i++) {
		if (s[i] == '"') {
			q = !q;
			continue;
		}
		if (o + 1 >= cap)
			over = 1;
		else
			w[o++] = s[i];
	}
	w[o] = 0;
	*pos = i;
	return over ? -1 : (long)o;
}

/* Which of our keys w starts with: KEY_* (0: none). */
enum { KEY_NONE, KEY_NBDROOT, KEY_DRACUT, KEY_NETROOT, KEY_NBDDEV, KEY_ROOTDEV, KEY_ALT,
       KEY_SPREAD, KEY_OTHER_NBD };

static int word_key(const char *w)
{
	/* In KEY_* order; "root=nbd" (any root=nbd...) only for the
	 * too-long message. */
	const char *k = "nbdroot=\0root=nbd:\0netroot=nbd:\0nbddev=\0root=/dev/nbd\0"
			"nbdroot.alt=\0nbdroot.spread=\0root=nbd\0";
	int i;

	for (i = 1; *k; i++, k += strlen(k) + 1)
		if (!strncmp(w, k, strlen(k)))
			return i;
	return KEY_NONE;
}

/* The command-line word, cut to fit, for messages. */
static void set_word(struct nbd_spec *sp, const char *w)
{
	nbd_spec_put(sp->word, sizeof sp->word, w, strnlen(w, sizeof sp->word - 1));
}

int nbd_cmdline_parse(const char *s, size_t len, const char *env_nbdroot,
		      struct nbd_spec *sp, struct nbd_err *err)
{
	static char w[WORD_MAX], nbdroot[WORD_MAX], dracut[WORD_MAX], netroot[WORD_MAX];
	size_t pos = 0, e;
	int have_dev = 0, idx = -1, part = 0, nalt = 0, r = 0;
	unsigned long spread = 0;
	long n;
	char devword[64] = "";

	nbd_spec_init(sp);
	nbdroot[0] = dracut[0] = netroot[0] = 0;
	for (e = 0; e < len && s[e] && s[e] != '\n'; e++)
		;
	if (e > NBD_CMDLINE_MAX)
		return nbd_seterr(err, NBX_USAGE, 0, "command line longer than %d bytes",
				  NBD_CMDLINE_MAX);
	while ((n = next_word(s, e, &pos, w, sizeof w)) != 0) {
		int k = word_key(w);

		if (n < 0) {
			if (k)
				return nbd_seterr(err, NBX_USAGE, 0, "%s: longer than %d bytes", w,
						  WORD_MAX - 1);
			continue;
		}
		/* Last one wins, as in the kernel and both scripts, except
		 * netroot=: dracut takes the first nbd: one. */
		if (k == KEY_NETROOT && netroot[0])
			continue;
		if (k == KEY_NBDROOT || k == KEY_DRACUT || k == KEY_NETROOT) {
			strcpy(k == KEY_NBDROOT ? nbdroot : k == KEY_DRACUT ? dracut : netroot, w);
		} else if (k == KEY_NBDDEV || k == KEY_ROOTDEV) {
			const char *v = strchr(w, '=') + 1;
			if (nbd_parse_dev(v, strlen(v), &idx, &part) < 0)
				return nbd_seterr(err, NBX_USAGE, 0, "%s: not an nbd device "
						  "(/dev/nbdN or /dev/nbdNpM)", w);
			have_dev = 1;
			if (strlen(w) < sizeof devword)
				strcpy(devword, w);
		} else if (k == KEY_ALT) {
			if (nalt == NBD_SPEC_MAX_ALT)
				return nbd_seterr(err, NBX_USAGE, 0, "%s: more than %d alternatives",
						  w, NBD_SPEC_MAX_ALT);
			if (strlen(w + 12) >= sizeof sp->alt[0] || !w[12])
				return nbd_seterr(err, NBX_USAGE, 0, "%s: empty or too long", w);
			strcpy(sp->alt[nalt++], w + 12);   /* counted in sp->nalt at the end */
		} else if (k == KEY_SPREAD) {
			/* nbdroot.spread=N: N connections over nbdroot= and its
			 * nbdroot.alt= servers, read-only (each server holds
			 * its own copy). */
			if (nbd_parse_uint(w + 15, 16, &spread) < 0 || spread < 1)
				return nbd_seterr(err, NBX_USAGE, 0, "%s: connections are 1 to 16", w);
		}
	}
	if (env_nbdroot && *env_nbdroot) {
		if (strlen(env_nbdroot) + 8 >= sizeof nbdroot)
			return nbd_seterr(err, NBX_USAGE, 0, "NBDROOT: longer than %d bytes", WORD_MAX - 9);
		nbd_fmt(nbdroot, sizeof nbdroot, "nbdroot=%s", env_nbdroot);
	}
	/* Which form: nbdroot= wins over root=nbd:, which wins over
	 * netroot=nbd: (dracut's own rule for the last two). */
	if (nbdroot[0] && strcmp(nbdroot, "nbdroot=") && strcmp(nbdroot, "nbdroot=dhcp")) {
		set_word(sp, nbdroot);
		r = parse_debian(sp, nbdroot + 8, strlen(nbdroot + 8), err);
	} else if (dracut[0] || netroot[0]) {
		const char *d = dracut[0] ? dracut : netroot;
		size_t k = dracut[0] ? 9 : 12;
		set_word(sp, d);
		r = parse_dracut(sp, d + k, strlen(d + k), err);
	} else if (nbdroot[0] || have_dev) {
		sp->form = NBD_FORM_DEBIAN;
		set_word(sp, nbdroot[0] ? nbdroot : devword);
		sp->host_dhcp = 1;
	} else {
		return 0;
	}
	if (r < 0)
		return -1;
	/* root=/dev/nbdXpN and nbddev= win over the device in nbdroot=
	 * (README.Debian). */
	if (have_dev)
		sp->index = idx, sp->part = part;
	if (sp->index < 0)
		sp->index = 0;
	sp->persist = 1;
	sp->nalt = nalt;
	if (spread) {
		if (!nalt)
			return nbd_seterr(err, NBX_USAGE, 0,
					  "nbdroot.spread=%lu: no nbdroot.alt= server to spread over", spread);
		sp->conns = (int)spread;
		sp->read_only = 1;
	}
	return 1;
}
