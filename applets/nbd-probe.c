/* nbd-probe: what an export offers. */
//config:config NBD_PROBE
//config:	bool "nbd-probe"
//config:	default y
//config:	help
//config:	  Show what an NBD export offers: size, flags, block sizes,
//config:	  description, handshake style, meta contexts.
//applet:nbd-probe nbd_probe_main NBD_PROBE
//kbuild:obj-$(CONFIG_NBD_PROBE) += nbd-probe.o
//usage:Usage: nbd-probe [OPTIONS] HOST[:PORT] [PORT] | URI | /dev/nbdN
//usage:
//usage:Show an export's size in bytes, transmission flags, block sizes,
//usage:description, handshake style and meta contexts.
//usage:
//usage:@CONN
//usage:@TLS
//usage:
//usage:Output:
//usage:      --size           print only the size in bytes
//usage:  -j, --json           JSON output
//usage:  -s, --shell          KEY=VALUE lines, quoted for sh eval
//usage:  -h, --help           this text
//usage:
//usage:Exit: 0 ok, 2 usage, 3 connect, 4 export refused, 5 protocol,
//usage:6 TLS, 7 not supported, 8 device not attached.

#include <string.h>
#include "autoconf.h"
#include "applet.h"
#include "platform.h"
#include "parse.h"

enum { OPT_SIZE = OPT_CONN_LAST };

/* What the printers show besides struct nbd_export. Meta contexts arrive
 * before GO; keep them in one bounded buffer. */
#define META_MAX 32
struct probe {
	struct nbd_str name; /* the export's own name, else the one asked for */
	const char *style;   /* handshake style, by name */
	unsigned nmeta;
	size_t used;
	uint32_t off[META_MAX], len[META_MAX];
	char buf[8192];
};

static int on_meta(void *ctx, uint32_t id, struct nbd_str name)
{
	struct probe *p = ctx;

	(void)id;
	if (p->nmeta == META_MAX || name.len > sizeof p->buf - p->used)
		return 0; /* more than we show; not an error */
	memcpy(p->buf + p->used, name.p, name.len);
	p->off[p->nmeta] = (uint32_t)p->used;
	p->len[p->nmeta++] = name.len;
	p->used += name.len;
	return 0;
}

/* The meta contexts, each through put (escaped or quoted), sep between. */
static void print_meta(const struct probe *p, const char *sep,
		       void (*put)(const char *s, size_t len))
{
	unsigned i;

	for (i = 0; i < p->nmeta; i++) {
		if (i)
			out_str(sep);
		put(p->buf + p->off[i], p->len[i]);
	}
}

static void print_human(const struct nbd_export *e, const struct probe *p)
{
	out_str("export: ");
	out_text(p->name.p, p->name.len);
	out("\nsize: %llu\nflags: ", (unsigned long long)e->size);
	print_tflags(e->tflags, " ", 0);
	if (e->bs_min)
		out("\nblock size: minimum %u, preferred %u, maximum %u",
		       e->bs_min, e->bs_pref, e->bs_max);
	if (e->desclen) {
		out_str("\ndescription: ");
		out_text(e->desc, e->desclen);
	}
	out("\nhandshake: %s\n", p->style);
	if (p->nmeta) {
		out_str("meta contexts: ");
		print_meta(p, " ", out_text);
		out_char('\n');
	}
}

static void print_json(const struct nbd_export *e, const struct probe *p)
{
	out_str("{\"export\":");
	json_str(p->name.p, p->name.len);
	out(",\"size\":%llu,\"flags\":", (unsigned long long)e->size);
	print_tflags(e->tflags, NULL, 1);
	out(",\"read_only\":%s", e->tflags & NBD_TF_READ_ONLY ? "true" : "false");
	if (e->bs_min)
		out(",\"block_size\":{\"minimum\":%u,\"preferred\":%u,\"maximum\":%u}",
		       e->bs_min, e->bs_pref, e->bs_max);
	out_str(",\"description\":");
	json_str(e->desc, e->desclen);
	out(",\"handshake\":\"%s\",\"meta_contexts\":[", p->style);
	print_meta(p, ",", json_str);
	out_str("]}\n");
}

static void print_shell(const struct nbd_export *e, const struct probe *p)
{
	out_str("NBD_EXPORT=");
	shell_str(p->name.p, p->name.len);
	out("\nNBD_SIZE=%llu\nNBD_FLAGS='", (unsigned long long)e->size);
	print_tflags(e->tflags, " ", 0);
	out("'\nNBD_READ_ONLY=%d\nNBD_BLOCK_MIN=%u\nNBD_BLOCK_PREFERRED=%u\nNBD_BLOCK_MAX=%u\n"
	    "NBD_DESCRIPTION=", !!(e->tflags & NBD_TF_READ_ONLY), e->bs_min, e->bs_pref, e->bs_max);
	shell_str(e->desc, e->desclen);
	out("\nNBD_HANDSHAKE='%s'\nNBD_META_CONTEXTS=", p->style);
	/* Space-separated; adjacent quoted words make one sh word. */
	print_meta(p, "' '", shell_str);
	if (!p->nmeta)
		out_str("''");
	out_char('\n');
}

int nbd_probe_main(int argc, char **argv)
{
	static const struct longopt own[] = {
		{ "json",  'j',      0 },
		{ "shell", 's',      0 },
		{ "size",  OPT_SIZE, 0 },
		{ "help",  'h',      0 },
		{ NULL, 0, 0 }
	};
	static struct probe p;
	static struct nbd_hs hs;
	struct conn_opts c;
	struct nbd_io io;
	struct nbd_err err;
	int opt, fmt = PROBE_HUMAN, i;

	conn_opts_init(&c);
	while ((opt = getopt_long(argc, argv, CONN_SHORTOPTS "jsh", own, conn_longopts)) != -1) {
		switch (conn_opt(&c, opt, optarg)) {
		case 1: continue;
		case -1: return NBX_USAGE;
		}
		switch (opt) {
		case 'j':
			if (!ENABLE_JSON)
				return usage_error("built without JSON output");
			fmt = PROBE_JSON;
			break;
		case 's': fmt = PROBE_SHELL; break;
		case OPT_SIZE: fmt = PROBE_SIZE; break;
		case 'h': return show_usage();
		default: return bad_option();
		}
	}
	i = optind;
	/* A device rather than a server (applets/devprobe.c). */
	if (!c.unix_path && i == argc - 1 && nbd_dev_index(argv[i]) >= 0)
		return probe_device(argv[i], fmt);
	if ((opt = conn_args(&c, argc, argv, i)))
		return opt;

	if (conn_open(&c, &io, &hs, &err) < 0)
		return report(&err);
	hs.on_meta = on_meta;
	hs.cb_ctx = &p;
	/* Meta contexts need structured replies first (proto.md,
	 * NBD_OPT_LIST_META_CONTEXT); a server without them has none. */
	if ((fmt != PROBE_SIZE && hs.style == NBD_STYLE_FIXED &&
	     nbd_hs_run(&hs, NBD_GOAL_META) < 0) ||
	    nbd_hs_run(&hs, NBD_GOAL_GO) < 0) {
		nbd_hs_close(&hs);
		return report(&err);
	}
	nbd_hs_close(&hs);
	if (hs.exp.namelen)
		p.name = (struct nbd_str){ hs.exp.name, hs.exp.namelen };
	else
		p.name = (struct nbd_str){ hs.name, (uint32_t)hs.namelen };
	p.style = nbd_style_name(hs.style);

	switch (fmt) {
	case PROBE_SIZE: out("%llu\n", (unsigned long long)hs.exp.size); break;
	case PROBE_JSON:
		if (ENABLE_JSON)
			print_json(&hs.exp, &p);
		break;
	case PROBE_SHELL: print_shell(&hs.exp, &p); break;
	default: print_human(&hs.exp, &p); break;
	}
	return finish_output();
}
