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

/* What the words of a command line said, before choosing the form. */
struct found {
	char nbdroot[WORD_MAX], dracut[WORD_MAX], netroot[WORD_MAX];
	char devword[64];          /* root=/dev/nbdN or nbddev=, for messages */
	int have_dev, idx, part, nalt;
	unsigned long spread;      /* nbdroot.spread=N */
};

/* One word w of key k into f (the alternatives straight into sp->alt):
 * 0, -1 with err. */
static int take_word(struct found *f, struct nbd_spec *sp, const char *w, int k,
		     struct nbd_err *err)
{
	/* Last one wins, as in the kernel and both scripts, except
	 * netroot=: dracut takes the first nbd: one. */
	if (k == KEY_NETROOT && f->netroot[0])
		return 0;
	if (k == KEY_NBDROOT || k == KEY_DRACUT || k == KEY_NETROOT) {
		strcpy(k == KEY_NBDROOT ? f->nbdroot : k == KEY_DRACUT ? f->dracut : f->netroot, w);
	} else if (k == KEY_NBDDEV || k == KEY_ROOTDEV) {
		const char *v = strchr(w, '=') + 1;
		if (nbd_parse_dev(v, strlen(v), &f->idx, &f->part) < 0)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: not an nbd device "
					  "(/dev/nbdN or /dev/nbdNpM)", w);
		f->have_dev = 1;
		if (strlen(w) < sizeof f->devword)
			strcpy(f->devword, w);
	} else if (k == KEY_ALT) {
		if (f->nalt == NBD_SPEC_MAX_ALT)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: more than %d alternatives",
					  w, NBD_SPEC_MAX_ALT);
		if (strlen(w + 12) >= sizeof sp->alt[0] || !w[12])
			return nbd_seterr(err, NBX_USAGE, 0, "%s: empty or too long", w);
		strcpy(sp->alt[f->nalt++], w + 12);   /* counted in sp->nalt at the end */
	} else if (k == KEY_SPREAD) {
		/* nbdroot.spread=N: N connections over nbdroot= and its
		 * nbdroot.alt= servers, read-only (each server holds its own
		 * copy). */
		if (nbd_parse_uint(w + 15, 16, &f->spread) < 0 || f->spread < 1)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: connections are 1 to 16", w);
	}
	return 0;
}

int nbd_cmdline_parse(const char *s, size_t len, const char *env_nbdroot,
		      struct nbd_spec *sp, struct nbd_err *err)
{
	static char w[WORD_MAX];
	static struct found f;
	size_t pos = 0, e;
	int r = 0;
	long n;

	nbd_spec_init(sp);
	memset(&f, 0, sizeof f);
	f.idx = -1;
	for (e = 0; e < len && s[e] && s[e] != '\n'; e++)
		;
	if (e > NBD_CMDLINE_MAX)
		return nbd_seterr(err, NBX_USAGE, 0, "command line longer than %d bytes",
				  NBD_CMDLINE_MAX);
	while ((n = next_word(s, e, &pos, w, sizeof w)) != 0) {
		int k = word_key(w);

		if (n < 0 && k)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: longer than %d bytes", w,
					  WORD_MAX - 1);
		if (n > 0 && take_word(&f, sp, w, k, err) < 0)
			return -1;
	}
	if (env_nbdroot && *env_nbdroot) {
		if (strlen(env_nbdroot) + 8 >= sizeof f.nbdroot)
			return nbd_seterr(err, NBX_USAGE, 0, "NBDROOT: longer than %d bytes", WORD_MAX - 9);
		nbd_fmt(f.nbdroot, sizeof f.nbdroot, "nbdroot=%s", env_nbdroot);
	}
	/* Which form: nbdroot= wins over root=nbd:, which wins over
	 * netroot=nbd: (dracut's own rule for the last two). */
	if (f.nbdroot[0] && strcmp(f.nbdroot, "nbdroot=") && strcmp(f.nbdroot, "nbdroot=dhcp")) {
		set_word(sp, f.nbdroot);
		r = parse_debian(sp, f.nbdroot + 8, strlen(f.nbdroot + 8), err);
	} else if (f.dracut[0] || f.netroot[0]) {
		const char *d = f.dracut[0] ? f.dracut : f.netroot;
		size_t k = f.dracut[0] ? 9 : 12;
		set_word(sp, d);
		r = parse_dracut(sp, d + k, strlen(d + k), err);
	} else if (f.nbdroot[0] || f.have_dev) {
		sp->form = NBD_FORM_DEBIAN;
		set_word(sp, f.nbdroot[0] ? f.nbdroot : f.devword);
		sp->host_dhcp = 1;
	} else {
		return 0;
	}
	if (r < 0)
		return -1;
	/* root=/dev/nbdXpN and nbddev= win over the device in nbdroot=
	 * (README.Debian). */
	if (f.have_dev)
		sp->index = f.idx, sp->part = f.part;
	if (sp->index < 0)
		sp->index = 0;
	sp->persist = 1;
	sp->nalt = f.nalt;
	if (f.spread) {
		if (!f.nalt)
			return nbd_seterr(err, NBX_USAGE, 0, "nbdroot.spread=%lu: no nbdroot.alt= server "
					  "to spread over", f.spread);
		sp->conns = (int)f.spread;
		sp->read_only = 1;
	}
	return 1;
}
