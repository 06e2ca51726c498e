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

static int tab_opt(struct nbd_spec *sp, const char *o, size_t n, int line, struct nbd_err *err)
{
	/* What each option does: NBD_NUM_* and up to STR take a value. */
	enum { PORT = 4, STR, FLAG, UNIX, NOTSUP };
	static const struct {
		uint8_t kind;
		uint16_t off;           /* STR: the char[256]; FLAG: the int */
	} opts[] = {
		{ PORT, 0 },
		{ NBD_NUM_BS, 0 },
		{ NBD_NUM_TIMEOUT, 0 },
		{ NBD_NUM_CONNS, 0 },
		{ STR, offsetof(struct nbd_spec, certfile) },
		{ STR, offsetof(struct nbd_spec, keyfile) },
		{ STR, offsetof(struct nbd_spec, cacertfile) },
		{ STR, offsetof(struct nbd_spec, tlshostname) },
		{ FLAG, offsetof(struct nbd_spec, persist) },
		{ FLAG, offsetof(struct nbd_spec, swap) },
		{ UNIX, 0 },
		{ FLAG, offsetof(struct nbd_spec, no_optgo) },
		{ FLAG, offsetof(struct nbd_spec, tls) },
		{ FLAG, offsetof(struct nbd_spec, read_only) },
		{ NOTSUP, 0 },
		{ NOTSUP, 0 },
	};
	char k[64], v[256];
	const char *eq = memchr(o, '=', n);
	size_t kl = eq ? (size_t)(eq - o) : n;
	unsigned long x;
	int i, kind;

	if (nbd_spec_put(k, sizeof k, o, kl) < 0 || (eq && nbd_spec_put(v, sizeof v, eq + 1, n - kl - 1) < 0))
		return tab_bad(err, line, "option too long");
	if (*k == '_')
		return 0;               /* reserved for local use (nbdtab(5)) */
	/* In the order of opts[]. */
	i = nbd_word_find("port\0bs\0timeout\0conns\0certfile\0keyfile\0cacertfile\0"
			  "tlshostname\0persist\0swap\0unix\0no_optgo\0tls\0readonly\0sdp\0"
			  "preinit\0", k, kl);
	kind = i < 0 ? -1 : opts[i].kind;
	if (kind < 0 || (kind < FLAG) != !!eq)
		return nbd_seterr(err, NBX_USAGE, 0, "nbdtab line %d: unknown option '%s%s'", line,
				  k, eq ? "=" : "");
	switch (kind) {
	case PORT:
		/* The number, not the digits: "000000080" would not fit. */
		if (nbd_spec_num(v, 65535, &x) < 0 || !x)
			goto bad;
		nbd_fmt(sp->port, sizeof sp->port, "%lu", x);
		return 0;
	case STR:
		strcpy((char *)sp + opts[i].off, v);
		if (!*v)
			goto bad;
		return 0;
	case FLAG:
		*(int *)(void *)((char *)sp + opts[i].off) = 1;
		return 0;
	case UNIX:
		sp->unix_path[0] = 1;   /* marked; the host field is the path */
		return 0;
	case NOTSUP:
		return nbd_seterr(err, NBX_NOTSUP, 0, "nbdtab line %d: '%s' is not supported by nbdbox",
				  line, k);
	}
	if (nbd_spec_setnum(sp, kind, v) < 0)
		goto bad;
	return 0;
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
