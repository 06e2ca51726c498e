/* nbd-list: the exports of a server. */
//config:config NBD_LIST
//config:	bool "nbd-list"
//config:	default y
//config:	help
//config:	  List the exports of an NBD server (NBD_OPT_LIST).
//applet:nbd-list nbd_list_main NBD_LIST
//kbuild:obj-$(CONFIG_NBD_LIST) += nbd-list.o
//usage:Usage: nbd-list [OPTIONS] HOST[:PORT] [PORT] | URI
//usage:
//usage:List a server's exports: one name a line, then a tab and the
//usage:description if the server gives one.
//usage:
//usage:  -l, --long           add size and flags of each export (NBD_OPT_INFO):
//usage:                       NAME<tab>SIZE<tab>FLAGS<tab>DESCRIPTION
//usage:@CONN
//usage:@TLS
//usage:
//usage:Output:
//usage:  -j, --json           JSON output
//usage:  -h, --help           this text
//usage:
//usage:Exit: 0 ok, 2 usage, 3 connect, 4 refused, 5 protocol, 6 TLS,
//usage:7 not supported (oldstyle server, or no NBD_OPT_LIST).

#include <errno.h>
#include <sys/mman.h>
#include <string.h>
#include "autoconf.h"
#include "applet.h"

/* -l's record: these lengths, then the name and the description. */
struct lens {
	uint32_t name, desc;
};

struct list {
	int json, longfmt, ref;
	unsigned long n;
	/* -l: one record per export (lengths kept: a hostile name may hold
	 * NUL) in one growing buffer; INFO can only be asked once LIST is
	 * over. */
	char *buf;
	size_t used, cap;
	struct nbd_err *err;
	const char *peer;
};

static void print_entry(struct list *l, const char *name, size_t nlen,
			const char *desc, size_t dlen, const struct nbd_export *e)
{
	if (ENABLE_JSON && l->json) {
		out_str(l->n++ ? ",\n{\"name\":" : "{\"name\":");
		json_str(name, nlen);
		if (dlen) {
			out_str(",\"description\":");
			json_str(desc, dlen);
		}
		if (e && e->have_info) {
			out(",\"size\":%llu,\"flags\":", (unsigned long long)e->size);
			print_tflags(e->tflags, NULL, 1);
		}
		out_char('}');
		return;
	}
	l->n++;
	out_text(name, nlen);
	if (l->ref) {
		/* nbd-client -l, as the reference prints it for scripts */
		if (dlen)
			out_str(": ");
	} else if (l->longfmt) {
		if (e && e->have_info) {
			out("\t%llu\t", (unsigned long long)e->size);
			print_tflags(e->tflags, ",", 0);
		} else {
			out_str("\t-\t-");
		}
		out_char('\t');
	} else if (dlen) {
		out_char('\t');
	}
	out_text(desc, dlen);
	out_char('\n');
}

#define LIST_MAX_MIB 64   /* -l's records */

static int on_server(void *ctx, struct nbd_str name, struct nbd_str desc)
{
	struct list *l = ctx;
	struct lens len = { name.len, desc.len };
	size_t need = sizeof len + name.len + desc.len;
	char *p;

	if (!l->longfmt) {
		print_entry(l, name.p, name.len, desc.p, desc.len, NULL);
		return 0;
	}
	if (need > l->cap - l->used) {
		size_t cap = l->cap ? l->cap * 2 : 16384;
		char *nb;
		while (cap - l->used < need)
			cap *= 2;
		/* However long the server goes on: a small box must not
		 * give a listing all its memory. */
		if (cap > LIST_MAX_MIB << 20)
			return nbd_seterr_peer(l->err, l->peer, NBX_FAIL, EFBIG,
					       "NBD_OPT_LIST: over %d MiB of names after %lu exports "
					       "(without -l none are kept)", LIST_MAX_MIB, l->n);
		/* mmap/mremap rather than malloc: a static build then
		 * carries no allocator at all. */
		nb = l->buf ? mremap(l->buf, l->cap, cap, MREMAP_MAYMOVE)
			    : mmap(NULL, cap, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (nb == MAP_FAILED)
			return nbd_seterr_peer(l->err, l->peer, NBX_FAIL, ENOMEM,
					       "NBD_OPT_LIST: out of memory after %lu exports", l->n);
		l->buf = nb;
		l->cap = cap;
	}
	p = l->buf + l->used;
	memcpy(p, &len, sizeof len);
	memcpy(p + sizeof len, name.p, name.len);
	memcpy(p + sizeof len + name.len, desc.p, desc.len);
	l->used += need;
	l->n++;   /* exports kept; print_entry counts again from 0 */
	return 0;
}

/* nbd-server (3.24) answers NBD_OPT_INFO with size 0 while GO carries the
 * right size. Size 0 is rare enough to double-check with a GO on a
 * connection of its own. */
static void recheck_size(struct conn_opts *c, const char *name, size_t nlen,
			 struct nbd_export *e)
{
	static struct nbd_hs hs2;
	struct nbd_io io;
	struct nbd_err err;

	if (!e->have_info || e->size)
		return;
	c->wait_s = 0;
	if (conn_open(c, &io, &hs2, &err) < 0)
		return;
	nbd_hs_set_name(&hs2, name, nlen);
	if (nbd_hs_run(&hs2, NBD_GOAL_GO) == 0) {
		e->size = hs2.exp.size;
		e->tflags = hs2.exp.tflags;
	}
	nbd_hs_close(&hs2);
}

enum { OPT_NBD_CLIENT_FORMAT = OPT_CONN_LAST };

/* -l: one NBD_OPT_INFO per export on the same connection, each export
 * printed with what it said. 0, -1 with err. */
static int list_long(struct list *l, struct nbd_hs *hs, struct conn_opts *c, struct nbd_err *err)
{
	struct lens len;
	size_t off;

	l->n = 0;
	for (off = 0; off < l->used; off += sizeof len + len.name + len.desc) {
		const char *name = l->buf + off + sizeof len;

		memcpy(&len, l->buf + off, sizeof len);
		nbd_hs_set_name(hs, name, len.name);
		if (nbd_hs_run(hs, NBD_GOAL_INFO) < 0) {
			/* A server without INFO, or one export it will not
			 * describe, still gets listed; a size no file offset
			 * can hold is an error (core/hs.c). */
			if ((err->code != NBX_NOTSUP && err->code != NBX_EXPORT) ||
			    err->errnum == EOVERFLOW)
				return -1;
			hs->exp.have_info = 0;
		}
		recheck_size(c, name, len.name, &hs->exp);
		print_entry(l, name, len.name, name + len.name, len.desc, &hs->exp);
	}
	return 0;
}

int nbd_list_main(int argc, char **argv)
{
	static const struct longopt own[] = {
		{ "long",              'l',                   0 },
		{ "json",              'j',                   0 },
		{ "help",              'h',                   0 },
		{ "nbd-client-format", OPT_NBD_CLIENT_FORMAT, 0 },
		{ NULL, 0, 0 }
	};
	static struct nbd_hs hs;
	struct list l = { 0 };
	struct conn_opts c;
	struct nbd_io io;
	struct nbd_err err;
	int opt, i, rc = 0;

	conn_opts_init(&c);
	while ((opt = getopt_long(argc, argv, CONN_SHORTOPTS "ljh", own, conn_longopts)) != -1) {
		switch (conn_opt(&c, opt, optarg)) {
		case 1: continue;
		case -1: return NBX_USAGE;
		}
		switch (opt) {
		case 'l': l.longfmt = 1; break;
		case 'j':
			if (!ENABLE_JSON)
				return usage_error("built without JSON output");
			l.json = 1;
			break;
		case OPT_NBD_CLIENT_FORMAT: l.ref = 1; break;
		case 'h': return show_usage();
		default: return bad_option();
		}
	}
	i = optind;
	if ((opt = conn_args(&c, argc, argv, i)))
		return opt;

	if (conn_open(&c, &io, &hs, &err) < 0) {
		/* conn_open keeps the TLS context for retries: ours to free. */
		nbd_tls_ctx_free(c.tls_ctx);
		return report(&err);
	}
	hs.on_server = on_server;
	hs.cb_ctx = &l;
	l.err = &err;
	l.peer = io.peer;
	if (ENABLE_JSON && l.json)
		out_str("[");
	if (l.ref)
		out_str("Negotiation: ..\n");
	if (nbd_hs_run(&hs, NBD_GOAL_LIST) < 0 || (l.longfmt && list_long(&l, &hs, &c, &err) < 0))
		rc = -1;
	nbd_hs_close(&hs);
	nbd_tls_ctx_free(c.tls_ctx);
	if (l.buf)
		munmap(l.buf, l.cap);
	if (ENABLE_JSON && l.json && rc == 0)
		out_str("]\n");
	if (rc < 0) {
		out_flush();
		return report(&err);
	}
	return finish_output();
}
