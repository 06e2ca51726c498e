/* /etc/nbdtab, as nbd-client 3.24's parser reads it (nbdtab(5)): one
 * line per device, DEVICE HOST EXPORT [OPTIONS], into the same struct
 * nbd_spec as the kernel command line. Pure: no I/O, no printing. */
#include <stddef.h>
#include <string.h>
#include "cmdline.h"
#include "cmdline-int.h"
#include "fmt.h"

static int tab_bad(struct nbd_err *err, int line, const char *why)
{
	return nbd_seterr(err, NBX_USAGE, 0, "nbdtab line %d: %s", line, why);
}

#define TAB_NAME(name, arg, kind, field) name "\0"
#define TAB_ARG(name, arg, kind, field) arg,
static const char tab_names[] = NBDTAB_OPTIONS(TAB_NAME);
static const unsigned char tab_arg[] = { NBDTAB_OPTIONS(TAB_ARG) };

/* The option o[0..n), "key" or "key=value", into sp: 0, -1 with err. */
static int tab_opt(struct nbd_spec *sp, const char *o, size_t n, int line, struct nbd_err *err)
{
	char k[64], v[256];
	const char *eq = memchr(o, '=', n);
	size_t kl = eq ? (size_t)(eq - o) : n;
	unsigned long x;
	int i, row = 0;

	if (nbd_spec_put(k, sizeof k, o, kl) < 0 || (eq && nbd_spec_put(v, sizeof v, eq + 1, n - kl - 1) < 0))
		return tab_bad(err, line, "option too long");
	if (*k == '_')
		return 0;               /* reserved for local use (nbdtab(5)) */
	i = nbd_word_find(tab_names, k, kl);
	if (i < 0 || tab_arg[i] != !!eq)
		return nbd_seterr(err, NBX_USAGE, 0, "nbdtab line %d: unknown option '%s%s'", line,
				  k, eq ? "=" : "");
	/* What each kind of row does; the row is the i-th. */
#define TAB_PORT(f)                                                          \
	/* The number, not the digits: "000000080" would not fit. */        \
	if (nbd_parse_uint(v, 65535, &x) < 0 || !x)                           \
		goto bad;                                                   \
	nbd_fmt(sp->f, sizeof sp->f, "%lu", x);
#define TAB_BS(f)      if (nbd_spec_setnum(sp, NBD_NUM_BS, v) < 0) goto bad;
#define TAB_TIMEOUT(f) if (nbd_spec_setnum(sp, NBD_NUM_TIMEOUT, v) < 0) goto bad;
#define TAB_CONNS(f)   if (nbd_spec_setnum(sp, NBD_NUM_CONNS, v) < 0) goto bad;
#define TAB_STR(f)     if (!*v) goto bad; strcpy(sp->f, v);
#define TAB_FLAG(f)    sp->f = 1;
#define TAB_UNIX(f)    sp->f[0] = 1;   /* marked; the host field is the path */
#define TAB_ALT(f)     if (!*v || sp->nalt == NBD_SPEC_MAX_ALT) goto bad; strcpy(sp->f[sp->nalt++], v);
#define TAB_NOTSUP(f)                                                        \
	return nbd_seterr(err, NBX_NOTSUP, 0, "nbdtab line %d: '%s' is not supported by nbdbox", \
			  line, k);
#define TAB_ROW(name, arg, kind, field) if (row++ == i) { TAB_##kind(field) return 0; }
	NBDTAB_OPTIONS(TAB_ROW)
bad:
	return nbd_seterr(err, NBX_USAGE, 0, "nbdtab line %d: bad value for '%s'", line, k);
}

int nbd_tab_find(const char *text, size_t len, const char *dev, struct nbd_spec *sp,
		 struct nbd_err *err)
{
	size_t pos = 0;
	int line = 0, want, wpart;

	if (nbd_parse_dev(dev, strlen(dev), &want, &wpart) < 0 || wpart)
		return nbd_seterr(err, NBX_USAGE, 0, "'%s' is not an nbd device (nbdN)", dev);
	while (pos < len) {
		const char *l = text + pos, *f[4];
		size_t ll = 0, fl[4], i = 0;
		int nf = 0, idx, part;

		while (pos + ll < len && l[ll] != '\n')
			ll++;
		pos += ll + 1;
		line++;
		for (i = 0; i < ll; i++)
			if (l[i] == '#' || !l[i])
				break;
		ll = i;
		/* Fields: any run of spaces and tabs between them. */
		for (i = 0; i < ll;) {
			while (i < ll && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
				i++;
			if (i == ll)
				break;
			if (nf == 4)
				return tab_bad(err, line, "more than 4 fields");
			f[nf] = l + i;
			while (i < ll && l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
				i++;
			fl[nf] = (size_t)(l + i - f[nf]);
			nf++;
		}
		if (!nf)
			continue;
		if (nf < 3)
			return tab_bad(err, line, "needs DEVICE HOST EXPORT [OPTIONS]");
		if (nbd_parse_dev(f[0], fl[0], &idx, &part) < 0 || part)
			return nbd_seterr(err, NBX_USAGE, 0, "nbdtab line %d: '%.*s' is not an nbd device",
					  line, (int)(fl[0] > 64 ? 64 : fl[0]), f[0]);
		if (idx != want)
			continue;
		nbd_spec_init(sp);
		sp->form = NBD_FORM_NBDTAB;
		sp->index = idx;
		nbd_spec_put(sp->word, sizeof sp->word, l, ll < sizeof sp->word ? ll : sizeof sp->word - 1);
		if (nbd_spec_put(sp->host, sizeof sp->host, f[1], fl[1]) < 0)
			return tab_bad(err, line, "host too long");
		if (nbd_spec_put(sp->name, sizeof sp->name, f[2], fl[2]) < 0)
			return tab_bad(err, line, "export name too long");
		sp->has_name = 1;
		if (nf == 4) {
			const char *o = f[3];
			size_t n = fl[3];
			while (n) {
				size_t k = 0;
				while (k < n && o[k] != ',')
					k++;
				if (k && tab_opt(sp, o, k, line, err) < 0)
					return -1;
				o += k, n -= k;
				if (n)
					o++, n--;
			}
		}
		if (sp->unix_path[0]) {
			if (nbd_spec_put(sp->unix_path, sizeof sp->unix_path, sp->host, strlen(sp->host)) < 0)
				return tab_bad(err, line, "socket path too long");
			sp->host[0] = 0;
		}
		return 1;
	}
	return 0;
}
