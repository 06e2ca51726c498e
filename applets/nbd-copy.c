/* nbd-copy: an export to or from a file, a device or a pipe, or one export
 * to another, without the kernel's nbd driver. */
//config:config NBD_COPY
//config:	bool "nbd-copy"
//config:	default y
//config:	help
//config:	  Copy an NBD export to a file, a device or standard output,
//config:	  or the other way, or between two exports, in user space
//config:	  (no nbd.ko needed). Skips holes where the server reports them
//config:	  (base:allocation).
//applet:nbd-copy nbd_copy_main NBD_COPY
//kbuild:obj-$(CONFIG_NBD_COPY) += nbd-copy.o
//usage:Usage: nbd-copy [OPTIONS] SRC DST
//usage:
//usage:Copy SRC to DST: each an NBD URI (nbd://HOST[:PORT]/NAME, nbds://...,
//usage:nbd+unix:///NAME?socket=PATH), else a local path (file, block device,
//usage:- for stdin / stdout). A regular file DST is replaced (like cp); a
//usage:device or export must be at least as large as the source.
//usage:
//usage:  -C, --connections N  connections per export when the server allows
//usage:                       multi-conn (default 4; 1 with a pipe)
//usage:  -R, --requests N     requests in flight per connection (default 16)
//usage:      --request-size N bytes per request, K/M suffix (default 256K;
//usage:                       at most the server's maximum block size)
//usage:      --no-sparse      read and write holes as data (default: where
//usage:                       the source says zeroes, write zeroes / skip)
//usage:      --fua            every write with FUA (flush at the end always)
//usage:  -p, --progress       progress on stderr even when not a terminal
//usage:  -N, --name NAME      export name, when only one side is an export
//usage:  -T, --timeout SECS   connect and handshake timeout (default 10), and
//usage:                       the longest wait for a reply (default 60)
//usage:      --wait SECS      keep retrying with backoff for up to SECS
//usage:      --alt HOST[:PORT]|URI  another server of a read-only source: the
//usage:                       connections spread over all (up to 4)
//usage:@TLS
//usage:  -h, --help           this text
//usage:
//usage:Exit: 0 every byte copied (and flushed), 1 I/O error (the server's or
//usage:a local one: the message names the offset), 2 usage, 3 connect,
//usage:4 export refused or read-only, 5 protocol, 6 TLS, 7 not supported.

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "autoconf.h"
#include "applet.h"
#include "copy.h"
#include "fmt.h"
#include "parse.h"
#include "spread.h"

enum { OPT_NO_SPARSE = OPT_CONN_LAST, OPT_FUA, OPT_REQSIZE };

/* One NBD side: its connections. */
struct side {
	struct conn_opts c;
	int explicit_timeout;   /* -T given: it bounds requests too */
	unsigned n;
	long long meta_id;
	struct nbd_io io[NBD_COPY_MAX_CONN];
	struct nbd_hs *hs[NBD_COPY_MAX_CONN];
	struct nbd_xconn x[NBD_COPY_MAX_CONN];
	struct nbd_err err;
};

static int on_meta(void *ctx, uint32_t id, struct nbd_str name)
{
	struct side *s = ctx;

	if (name.len == 15 && !memcmp(name.p, "base:allocation", 15))
		s->meta_id = id;
	return 0;
}

/* Connection k of side s: handshake (with structured replies and
 * base:allocation when sparse), GO. 0 or an exit code (printed). */
static int open_one(struct side *s, unsigned k, int want_meta)
{
	/* mmap, not malloc: a static build carries no allocator. */
	struct nbd_hs *hs = mmap(NULL, sizeof *hs, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct nbd_err *err = &s->err;

	if (hs == MAP_FAILED)
		return msg("out of memory"), NBX_FAIL;
	if (conn_open(&s->c, &s->io[k], hs, err) < 0) {
		munmap(hs, sizeof *hs);
		return report(err);
	}
	s->hs[k] = hs;
	s->meta_id = -1;
	hs->meta_query = "base:allocation";
	hs->on_meta = on_meta;
	hs->cb_ctx = s;
	if ((want_meta && hs->style == NBD_STYLE_FIXED && nbd_hs_run(hs, NBD_GOAL_META) < 0) ||
	    nbd_hs_run(hs, NBD_GOAL_GO) < 0)
		return report(err);
	/* Handshake waits are short; a request (a FLUSH of a big image)
	 * may take longer, but never forever: 60 s, or what -T said. */
	if (!s->explicit_timeout)
		s->io[k].timeout_ms = 60000;
	nbd_x_init(&s->x[k], &s->io[k], hs, s->meta_id, err);
	if (k && (s->x[k].size != s->x[0].size || s->x[k].tflags != s->x[0].tflags))
		return msg("%s: the export changed between connections", s->io[k].peer), NBX_PROTO;
	return 0;
}

static void close_side(struct side *s)
{
	unsigned k;

	for (k = 0; k < NBD_COPY_MAX_CONN; k++)
		if (s->hs[k]) {
			nbd_hs_close(s->hs[k]);
			munmap(s->hs[k], sizeof *s->hs[k]);
			s->hs[k] = NULL;
		}
	if (s->c.tls_ctx)
		nbd_tls_ctx_free(s->c.tls_ctx);
}

/* A local side: "-", a file, a device. */
static int open_local(struct nbd_copy_end *e, const char *path, int dst, uint64_t *size,
		      struct stat *src_st)
{
	struct stat st;

	e->name = path;
	*size = NBD_COPY_SIZE_UNKNOWN;
	if (!strcmp(path, "-")) {
		e->kind = NBD_END_STREAM;
		e->fd = dst;
		e->name = dst ? "standard output" : "standard input";
		return 0;
	}
	if (dst) {
		/* A device keeps what is beyond the copy; a file is replaced
		 * (never the source itself: O_TRUNC would eat it). */
		if (stat(path, &st) == 0 && src_st->st_ino && st.st_dev == src_st->st_dev &&
		    st.st_ino == src_st->st_ino)
			return usage_error("%s: source and destination are the same file", path);
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
			e->fd = open(path, O_WRONLY | O_CLOEXEC);
		else
			e->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	} else {
		e->fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (e->fd < 0 || fstat(e->fd, &st) < 0)
		return msg("%s: open: %s", path, strerror(errno)), NBX_FAIL;
	if (!dst)
		*src_st = st;
	e->regular = S_ISREG(st.st_mode);
	if (e->regular) {
		e->kind = NBD_END_FILE;
		if (!dst)
			*size = (uint64_t)st.st_size;
	} else if (lseek(e->fd, 0, SEEK_END) >= 0 && !S_ISCHR(st.st_mode)) {
		/* A block device: its size from seeking to the end. */
		e->kind = NBD_END_FILE;
		*size = (uint64_t)lseek(e->fd, 0, SEEK_END);
	} else if (S_ISCHR(st.st_mode) && lseek(e->fd, 0, SEEK_CUR) >= 0) {
		e->kind = NBD_END_FILE; /* /dev/null, /dev/zero: positional I/O works */
	} else {
		e->kind = NBD_END_STREAM;
	}
	return 0;
}

static int parse_size(const char *s, uint32_t *out)
{
	unsigned long v;
	size_t n = strlen(s);
	unsigned shift = 0;
	char buf[32];

	if (n && n < sizeof buf) {
		memcpy(buf, s, n + 1);
		switch (buf[n - 1]) {
		case 'k': case 'K': shift = 10; buf[n - 1] = 0; break;
		case 'm': case 'M': shift = 20; buf[n - 1] = 0; break;
		}
		if (nbd_parse_uint(buf, NBD_X_MAX_LEN >> shift, &v) == 0 && (v << shift) >= 512) {
			*out = (uint32_t)(v << shift);
			return 0;
		}
	}
	return -1;
}

/* ---- progress: bytes, rate, ETA, rewritten in place */
struct progress {
	int on;
	int nsrv;               /* the source read from this many servers */
	long start, last;
	uint64_t total;
};

static void mib(char *b, size_t len, uint64_t v)
{
	uint64_t t = v * 10 / (1 << 20);

	nbd_fmt(b, len, "%llu.%u MiB", (unsigned long long)(t / 10), (unsigned)(t % 10));
}

static void show(struct progress *p, uint64_t done, int final)
{
	char line[160], a[32], b[32], r[32], of[64], eta[32];
	long now = nbd_now_ms(), ms = now - p->start;
	uint64_t rate = ms > 0 ? done * 1000 / (uint64_t)ms : 0;
	size_t n;

	of[0] = eta[0] = 0;
	mib(a, sizeof a, done);
	mib(r, sizeof r, rate);
	if (p->total != NBD_COPY_SIZE_UNKNOWN) {
		mib(b, sizeof b, p->total);
		nbd_fmt(of, sizeof of, " of %s (%u%%)", b,
			p->total ? (unsigned)(done * 100 / p->total) : 100);
		if (rate && !final) {
			uint64_t s = (p->total - done) / rate;
			nbd_fmt(eta, sizeof eta, ", ETA %u:%02u:%02u", (unsigned)(s / 3600),
				(unsigned)(s / 60 % 60), (unsigned)(s % 60));
		}
	}
	nbd_fmt(b, sizeof b, p->nsrv > 1 ? ", from %d servers" : "", p->nsrv);
	n = nbd_fmt(line, sizeof line, "\r%s: %s%s, %s/s%s%s   %s", applet_name, a, of, r, eta, b,
		    final ? "\n" : "");
	write_or_drop(2, line, n);
}

static void on_progress(void *ctx, uint64_t done)
{
	struct progress *p = ctx;
	long now = nbd_now_ms();

	if (now - p->last < 250)
		return;
	p->last = now;
	show(p, done, 0);
}

/* The copy; static: large, and its workers' threads see it. */
static struct nbd_copy cp;

/* Thread for worker number arg. */
static void *worker(void *arg)
{
	nbd_copy_run(&cp, (unsigned)(uintptr_t)arg);
	return NULL;
}

/* The options, into cp and the caller's: -1 to go on, else the exit code
 * (0 after --help). */
static int copy_options(int argc, char **argv, struct conn_opts *base, unsigned long *nconn,
			int *force_progress, int *explicit_timeout)
{
	static const struct longopt own[] = {
		{ "connections",  'C',           1 },
		{ "requests",     'R',           1 },
		{ "request-size", OPT_REQSIZE,   1 },
		{ "no-sparse",    OPT_NO_SPARSE, 0 },
		{ "fua",          OPT_FUA,       0 },
		{ "progress",     'p',           0 },
		{ "help",         'h',           0 },
		{ NULL, 0, 0 }
	};
	unsigned long v;
	int opt;

	while ((opt = getopt_long(argc, argv, CONN_SHORTOPTS "C:R:ph", own, conn_longopts)) != -1) {
		*explicit_timeout |= opt == 'T';
		switch (conn_opt(base, opt, optarg)) {
		case 1: continue;
		case -1: return NBX_USAGE;
		}
		switch (opt) {
		case 'C':
			if (nbd_parse_uint(optarg, NBD_COPY_MAX_CONN, &v) < 0 || !v)
				return usage_error("--connections: '%s' is not 1-%u", optarg,
						   NBD_COPY_MAX_CONN);
			*nconn = v;
			break;
		case 'R':
			if (nbd_parse_uint(optarg, NBD_COPY_MAX_REQS, &v) < 0 || !v)
				return usage_error("--requests: '%s' is not 1-%u", optarg,
						   NBD_COPY_MAX_REQS);
			cp.requests = (unsigned)v;
			break;
		case OPT_REQSIZE:
			if (parse_size(optarg, &cp.request_size) < 0)
				return usage_error("--request-size: '%s' is not 512 bytes to 32M", optarg);
			break;
		case OPT_NO_SPARSE: cp.sparse = 0; break;
		case OPT_FUA: cp.fua = 1; break;
		case 'p': *force_progress = 1; break;
		case 'h': return show_usage();
		default: return bad_option();
		}
	}
	if (argc - optind < 2)
		return usage_error("need a source and a destination");
	if (argc - optind > 2)
		return usage_error("unexpected argument '%s'", argv[optind + 2]);
	if (base->unix_path)
		return usage_error("-u: name the socket in the URI (nbd+unix:///NAME?socket=PATH)");
	return -1;
}

/* Open both sides' first connection (or file), sizes into size[]; a side
 * that cannot take more than one connection sets *nconn to 1. 0, or an
 * exit code (printed). */
static int open_sides(char **args, const struct conn_opts *base, int explicit_timeout,
		      struct side sides[2], struct nbd_copy_end *end[2], const int isnbd[2],
		      uint64_t size[2], unsigned long *nconn, struct stat *src_st)
{
	int i, rc;

	for (i = 0; i < 2; i++) {
		struct side *s = &sides[i];
		char *t[1] = { args[i] };
		int k = 0;

		if (!isnbd[i]) {
			if ((rc = open_local(end[i], args[i], i, &size[i], src_st)))
				return rc;
			if (end[i]->kind == NBD_END_STREAM)
				*nconn = 1;
			continue;
		}
		s->c = *base;
		s->explicit_timeout = explicit_timeout;
		if ((rc = conn_target(&s->c, 1, t, &k, 0)))
			return rc;
		if ((rc = open_one(s, 0, i == 0 && cp.sparse)))
			return rc;
		s->n = 1;
		end[i]->kind = NBD_END_NBD;
		size[i] = s->x[0].size;
		if (!(s->x[0].tflags & NBD_TF_CAN_MULTI_CONN))
			*nconn = 1;
		if (i == 1 && (s->x[0].tflags & NBD_TF_READ_ONLY)) {
			msg("%s: the destination export is read-only", s->io[0].peer);
			return NBX_EXPORT;
		}
	}
	if (size[0] != NBD_COPY_SIZE_UNKNOWN && size[1] != NBD_COPY_SIZE_UNKNOWN &&
	    size[1] < size[0]) {
		msg("%s is smaller (%llu bytes) than %s (%llu bytes)", args[1],
		    (unsigned long long)size[1], args[0], (unsigned long long)size[0]);
		return NBX_USAGE;
	}
	return 0;
}

/* Workers 1..nconn-1 on threads, worker 0 here; 0, or NBX_FAIL when a
 * thread could not start (the others stop). */
static int run_workers(unsigned long nconn)
{
	pthread_t th[NBD_COPY_MAX_CONN];
	unsigned long w;
	int rc = 0;

	for (w = 1; w < nconn; w++) {
		int e = pthread_create(&th[w], NULL, worker, (void *)(uintptr_t)w);

		if (e) {
			/* pthread_create returns the error; errno is not set. */
			msg("cannot start a thread: %s", strerror(e));
			__atomic_store_n(&cp.failed, 1, __ATOMIC_RELEASE);
			nconn = w;
			rc = NBX_FAIL;
			break;
		}
	}
	nbd_copy_run(&cp, 0);
	for (w = 1; w < nconn; w++)
		pthread_join(th[w], NULL);
	return rc;
}

int nbd_copy_main(int argc, char **argv)
{
	static struct side sides[2];
	struct conn_opts base;
	struct progress prog;
	struct nbd_copy_end *end[2] = { &cp.src, &cp.dst };
	uint64_t size[2];
	unsigned long nconn = 4, w;
	int rc, i, isnbd[2] = { 1, 1 }, force_progress = 0, explicit_timeout = 0;
	struct stat src_st;  /* st_ino 0: no file */

	conn_opts_init(&base);
	src_st.st_ino = 0;
	cp.requests = 16;
	cp.request_size = 256 << 10;
	cp.sparse = 1;
	if ((rc = copy_options(argc, argv, &base, &nconn, &force_progress, &explicit_timeout)) >= 0)
		return rc;
	for (i = 0; i < 2; i++)
		isnbd[i] = nbd_is_uri(argv[optind + i]);
	if (base.name && isnbd[0] + isnbd[1] != 1)
		return usage_error("-N: only with exactly one export; name each in its URI");

	/* Open both sides: first connections, then the extra ones once we
	 * know whether both servers allow multi-conn. */
	if ((rc = open_sides(argv + optind, &base, explicit_timeout, sides, end, isnbd, size,
			     &nconn, &src_st)))
		goto out;
	cp.size = size[0];
	cp.dst_size = size[1];
	/* No more workers than stripes of 32 MiB. */
	if (cp.size != NBD_COPY_SIZE_UNKNOWN && nconn > cp.size / (32u << 20) + 1)
		nconn = (unsigned)(cp.size / (32u << 20)) + 1;
	/* A read-only source with --alt: its connections spread over the
	 * servers round-robin, the first server first (core/spread.h); each
	 * moves on to the next server when its own does not answer. */
	prog.nsrv = 1;
	if (isnbd[0] && sides[0].c.nalt && (sides[0].x[0].tflags & NBD_TF_READ_ONLY))
		prog.nsrv = sides[0].c.nalt + 1;
	for (i = 0; i < 2; i++) {
		struct side *s = &sides[i];

		for (; isnbd[i] && s->n < nconn; s->n++) {
			if (!i && prog.nsrv > 1)
				s->c.cur = nbd_spread_home((int)s->n, prog.nsrv);
			if ((rc = open_one(s, s->n, i == 0 && cp.sparse)))
				goto out;
		}
		end[i]->nconn = s->n;
		for (w = 0; w < s->n; w++)
			end[i]->conn[w] = &s->x[w];
	}
	cp.workers = (unsigned)nconn;
	cp.dst_fresh = cp.dst.kind == NBD_END_FILE && cp.dst.regular;

	prog.on = force_progress || isatty(2);
	prog.total = cp.size;
	prog.start = prog.last = nbd_now_ms();
	if (prog.on) {
		cp.progress = on_progress;
		cp.progress_ctx = &prog;
	}
	if ((rc = run_workers(nconn)))
		goto out;
	if (cp.failed || nbd_copy_finish(&cp) < 0) {
		if (prog.on)
			write_or_drop(2, "\n", 1);
		rc = report(&cp.err);
		goto out;
	}
	if (prog.on)
		show(&prog, cp.copied, 1);
out:
	for (i = 0; i < 2; i++) {
		close_side(&sides[i]);
		if (!isnbd[i] && end[i]->fd > 2)
			close(end[i]->fd);
	}
	return rc;
}
