/* The copy engine; see copy.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "copy.h"
#include "fmt.h"

/* Work is handed out in stripes; with base:allocation each stripe is one
 * BLOCK_STATUS question. */
#define STRIPE (32u << 20)
/* Zero and block-status requests in flight besides the data buffers. */
#define EXTRA 8u
#define REG_CAP (2u * NBD_X_MAX_EXTENTS)

enum { J_READ, J_WRITE, J_ZERO, J_STREAMZERO, J_BS, J_FLUSH };

struct job {
	int kind, buf;
	uint64_t off;
	uint32_t len;
	struct nbd_xconn *x;    /* the connection op is on; NULL: local */
	struct nbd_xop op;
};

struct region {
	uint64_t off, len;
	int zero;
};

struct worker {
	struct nbd_copy *cp;
	unsigned w;
	struct nbd_err err;
	struct nbd_xconn *sx, *dx;
	uint32_t chunk;
	int bs_nbd, bs_file;    /* where zero extents come from */
	uint8_t *mem, *zero;    /* buffer 0's data; the zeroed one */
	size_t stride;
	int freebuf[NBD_COPY_MAX_REQS];
	unsigned nfree;
	struct job *jobs;
	unsigned qcap, qhead, qlen, extras;
	struct region reg[REG_CAP];
	unsigned rhead, rlen;
	int bs_pending, stripes_done, stream_started;
	uint64_t requery_off, requery_len;
	struct nbd_extent ext[NBD_X_MAX_EXTENTS];
};

/* Buffer b's data; NBD_REQUEST_LEN bytes before it take a WRITE's header. */
static uint8_t *bufp(struct worker *wk, int b)
{
	return wk->mem + (size_t)b * wk->stride;
}

static int local_err(struct worker *wk, const char *name, const char *what, uint64_t off,
		     int e)
{
	return nbd_seterr(&wk->err, NBX_FAIL, e, "%s: %s at offset %llu: %s", name, what,
			  (unsigned long long)off, e ? strerror(e) : "unexpected end of file");
}

static void add_copied(struct worker *wk, uint64_t n)
{
	__atomic_fetch_add(&wk->cp->copied, n, __ATOMIC_RELAXED);
}

/* ---- local files and streams */

/* Local I/O at off: wr, all of len to the destination; else from the
 * source, all of len, or from a stream fewer only at its end (*got
 * tells). A write that makes no progress is a full disk; a file that
 * ends early shrank under us. */
static int local_io(struct worker *wk, int wr, uint8_t *p, size_t len, uint64_t off,
		    size_t *got)
{
	const struct nbd_copy_end *e = wr ? &wk->cp->dst : &wk->cp->src;
	size_t done = 0;

	while (done < len) {
		uint8_t *q = p + done;
		size_t k = len - done;
		off_t at = (off_t)(off + done);
		ssize_t n = e->kind == NBD_END_FILE ? (wr ? pwrite(e->fd, q, k, at)
							  : pread(e->fd, q, k, at))
						    : (wr ? write(e->fd, q, k) : read(e->fd, q, k));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (!n && (wr || e->kind == NBD_END_FILE)))
			return local_err(wk, e->name, wr ? "write" : "read", off + done,
					 n < 0 ? errno : wr ? ENOSPC : 0);
		if (!n)
			break;
		done += (size_t)n;
	}
	if (got)
		*got = done;
	return 0;
}

/* Zeroes into a file or device that may hold old data. */
static int zero_file(struct worker *wk, uint64_t off, uint64_t len)
{
#ifdef FALLOC_FL_ZERO_RANGE
	if (fallocate(wk->cp->dst.fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) == 0)
		return 0;
#endif
	while (len) {
		uint32_t n = len < wk->chunk ? (uint32_t)len : wk->chunk;
		if (local_io(wk, 1, wk->zero, n, off, NULL) < 0)
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

/* ---- the queue of requests, completed in submission order */

static struct job *push(struct worker *wk, int kind, int buf, uint64_t off, uint32_t len,
			struct nbd_xconn *x)
{
	struct job *j = &wk->jobs[(wk->qhead + wk->qlen++) % wk->qcap];

	j->kind = kind;
	j->buf = buf;
	j->off = off;
	j->len = len;
	j->x = x;
	j->op.done = 0;
	if (kind != J_READ && kind != J_WRITE)
		wk->extras++;
	return j;
}

/* Queue a request on x: buffer b's data (or, b < 0, the zeroed one);
 * writes with FUA when asked; block status into wk->ext. */
static int send_req(struct worker *wk, int kind, int b, struct nbd_xconn *x, uint16_t cmd,
		    uint64_t off, uint32_t len)
{
	struct job *j = push(wk, kind, b, off, len, x);
	uint16_t flags = wk->cp->fua && (cmd == NBD_CMD_WRITE || cmd == NBD_CMD_WRITE_ZEROES)
			 ? NBD_CMD_FLAG_FUA : 0;

	j->op.ext = wk->ext;
	j->op.cap = NBD_X_MAX_EXTENTS;
	return nbd_x_submit(x, &j->op, cmd, flags, off, len, b < 0 ? wk->zero : bufp(wk, b));
}

/* Append a region (merged with the last one where it continues it).
 * 0: the ring is full, nothing appended. */
static int push_region(struct worker *wk, uint64_t off, uint64_t len, int zero)
{
	struct region *t = wk->rlen ? &wk->reg[(wk->rhead + wk->rlen - 1) % REG_CAP] : NULL;

	if (!len)
		return 1;
	if (t && t->zero == zero && t->off + t->len == off) {
		t->len += len;
		return 1;
	}
	if (wk->rlen == REG_CAP)
		return 0;
	t = &wk->reg[(wk->rhead + wk->rlen++) % REG_CAP];
	t->off = off;
	t->len = len;
	t->zero = zero;
	return 1;
}

/* Data for [off, off+len) sits in buffer b: hand it to the destination. */
static int deliver(struct worker *wk, int b, uint64_t off, uint32_t len)
{
	struct nbd_copy *cp = wk->cp;

	if (cp->dst.kind == NBD_END_NBD)
		return send_req(wk, J_WRITE, b, wk->dx, NBD_CMD_WRITE, off, len);
	if (local_io(wk, 1, bufp(wk, b), len, off, NULL) < 0)
		return -1;
	wk->freebuf[wk->nfree++] = b;
	add_copied(wk, len);
	return 0;
}

#ifdef SEEK_DATA
/* Where a regular file's data is, from the file system. */
static void file_extents(struct worker *wk, uint64_t off, uint64_t len)
{
	int fd = wk->cp->src.fd;
	uint64_t end = off + len;

	while (off < end && wk->rlen < REG_CAP - 1) {
		off_t d = lseek(fd, (off_t)off, SEEK_DATA), h;

		if (d < 0 && errno != ENXIO) { /* no SEEK_DATA here: all data */
			push_region(wk, off, end - off, 0);
			return;
		}
		if (d < 0 || (uint64_t)d > off) {
			uint64_t z = d < 0 || (uint64_t)d > end ? end : (uint64_t)d;
			push_region(wk, off, z - off, 1);
			off = z;
			continue;
		}
		h = lseek(fd, (off_t)off, SEEK_HOLE);
		h = h < 0 || (uint64_t)h > end ? (off_t)end : h;
		if ((uint64_t)h <= off)
			h = (off_t)end;
		push_region(wk, off, (uint64_t)h - off, 0);
		off = (uint64_t)h;
	}
	if (off < end) {
		wk->requery_off = off;
		wk->requery_len = end - off;
	}
}
#else
static void file_extents(struct worker *wk, uint64_t off, uint64_t len)
{
	push_region(wk, off, len, 0);
}
#endif

/* The next stripe of work: regions, or a BLOCK_STATUS question. */
static int grab(struct worker *wk)
{
	struct nbd_copy *cp = wk->cp;
	uint64_t off, len;

	if (wk->requery_len) {
		off = wk->requery_off;
		len = wk->requery_len;
		wk->requery_len = 0;
	} else if (cp->src.kind == NBD_END_STREAM) {
		if (wk->stream_started) {
			wk->stripes_done = 1;
			return 0;
		}
		wk->stream_started = 1;
		push_region(wk, 0, UINT64_MAX, 0);
		return 0;
	} else {
		off = __atomic_fetch_add(&cp->next, STRIPE, __ATOMIC_RELAXED);
		if (off >= cp->size) {
			wk->stripes_done = 1;
			return 0;
		}
		len = cp->size - off < STRIPE ? cp->size - off : STRIPE;
	}
	if (wk->bs_nbd) {
		wk->bs_pending = 1;
		return send_req(wk, J_BS, -1, wk->sx, NBD_CMD_BLOCK_STATUS, off, (uint32_t)len);
	}
	if (wk->bs_file)
		file_extents(wk, off, len);
	else
		push_region(wk, off, len, 0);
	return 0;
}

/* One piece of a zero region. 1: done, 0: no room now, -1: error. */
static int zero_piece(struct worker *wk, struct region *r)
{
	struct nbd_copy *cp = wk->cp;
	uint64_t n = r->len;

	/* To an export or a stream, zeroes are queued (a stream's in order
	 * with the data around them). */
	if (cp->dst.kind != NBD_END_FILE && wk->extras >= EXTRA)
		return 0;
	if (cp->dst.kind == NBD_END_NBD) {
		/* WRITE_ZEROES, else the zeroed buffer written as data. */
		int wz = !!(wk->dx->tflags & NBD_TF_SEND_WRITE_ZEROES);
		uint32_t max = wz ? wk->dx->max_len : wk->chunk;

		n = n < max ? n : max;
		if (send_req(wk, J_ZERO, -1, wk->dx, wz ? NBD_CMD_WRITE_ZEROES : NBD_CMD_WRITE, r->off,
			     (uint32_t)n) < 0)
			return -1;
	} else if (cp->dst.kind == NBD_END_STREAM) {
		n = n < wk->chunk ? n : wk->chunk;
		push(wk, J_STREAMZERO, -1, r->off, (uint32_t)n, NULL);
	} else {
		if (!cp->dst_fresh && zero_file(wk, r->off, n) < 0)
			return -1;
		add_copied(wk, n);
	}
	r->off += n;
	r->len -= n;
	return 1;
}

/* One piece of a data region. 1: done, 0: no buffer free, -1: error. */
static int data_piece(struct worker *wk, struct region *r)
{
	struct nbd_copy *cp = wk->cp;
	uint64_t n = r->len < wk->chunk ? r->len : wk->chunk;
	size_t got;
	int b;

	if (!wk->nfree)
		return 0;
	b = wk->freebuf[--wk->nfree];
	if (cp->src.kind == NBD_END_NBD) {
		if (send_req(wk, J_READ, b, wk->sx, NBD_CMD_READ, r->off, (uint32_t)n) < 0)
			return -1;
	} else if (cp->src.kind == NBD_END_FILE) {
		if (local_io(wk, 0, bufp(wk, b), n, r->off, NULL) < 0 ||
		    deliver(wk, b, r->off, (uint32_t)n) < 0)
			return -1;
	} else {
		/* A stream: as much as comes, up to one byte past what the
		 * destination holds (which is then an error, not a cut). */
		uint64_t room = cp->dst_size - r->off;
		if (cp->dst_size != NBD_COPY_SIZE_UNKNOWN && n > room)
			n = room + 1;
		if (local_io(wk, 0, bufp(wk, b), n, r->off, &got) < 0)
			return -1;
		if (cp->dst_size != NBD_COPY_SIZE_UNKNOWN && got > room)
			return nbd_seterr(&wk->err, NBX_FAIL, EFBIG,
					  "%s: more input than the destination's %llu bytes",
					  cp->src.name, (unsigned long long)cp->dst_size);
		if (got < n) { /* end of the stream */
			cp->end = r->off + got;
			wk->stripes_done = 1;
			r->len = got;
			n = got;
		}
		if (!got) {
			wk->freebuf[wk->nfree++] = b;
		} else if (deliver(wk, b, r->off, (uint32_t)got) < 0) {
			return -1;
		}
	}
	r->off += n;
	r->len -= n;
	return 1;
}

static int fill(struct worker *wk)
{
	for (;;) {
		struct region *r;
		int k;

		if (__atomic_load_n(&wk->cp->failed, __ATOMIC_RELAXED))
			return -1;
		if (!wk->stripes_done && !wk->bs_pending &&
		    (!wk->rlen || (wk->bs_nbd && wk->rlen + NBD_X_MAX_EXTENTS <= REG_CAP &&
				   wk->extras < EXTRA))) {
			if (grab(wk) < 0)
				return -1;
			continue;
		}
		if (!wk->rlen)
			return 0;
		r = &wk->reg[wk->rhead];
		k = r->zero ? zero_piece(wk, r) : data_piece(wk, r);
		if (k < 0)
			return -1;
		if (!k)
			return 0;
		if (!r->len) {
			wk->rhead = (wk->rhead + 1) % REG_CAP;
			wk->rlen--;
		}
	}
}

/* Wait for the oldest request and act on its result. */
static int complete(struct worker *wk)
{
	struct job *j = &wk->jobs[wk->qhead];
	struct job d;
	uint64_t covered = 0;
	unsigned i;

	if (j->x && nbd_x_wait(j->x, &j->op) < 0)
		return -1;
	/* A server that offers WRITE_ZEROES and then refuses it (nbdkit
	 * 1.32 oldstyle does): write the zeroes as data instead. */
	if (j->kind == J_ZERO && j->op.type == NBD_CMD_WRITE_ZEROES &&
	    (j->op.error == NBD_EINVAL || j->op.error == NBD_ENOTSUP) && wk->rlen < REG_CAP) {
		j->x->tflags &= (uint16_t)~NBD_TF_SEND_WRITE_ZEROES;
		wk->rhead = (wk->rhead + REG_CAP - 1) % REG_CAP;
		wk->rlen++;
		wk->reg[wk->rhead].off = j->off;
		wk->reg[wk->rhead].len = j->len;
		wk->reg[wk->rhead].zero = 1;
		j->op.error = 0;
		j->len = 0; /* counted when written */
	}
	if (j->x && nbd_x_check(j->x, &j->op, &wk->err) < 0)
		return -1;
	d = *j;
	wk->qhead = (wk->qhead + 1) % wk->qcap;
	wk->qlen--;
	if (d.kind != J_READ && d.kind != J_WRITE)
		wk->extras--;
	switch (d.kind) {
	case J_READ:
		return deliver(wk, d.buf, d.off, d.len);
	case J_WRITE:
	case J_ZERO:
	case J_STREAMZERO:
		if (d.kind == J_WRITE)
			wk->freebuf[wk->nfree++] = d.buf;
		else if (d.kind == J_STREAMZERO &&
			 local_io(wk, 1, wk->zero, d.len, d.off, NULL) < 0)
			return -1;
		add_copied(wk, d.len);
		break;
	case J_BS:
		wk->bs_pending = 0;
		for (i = 0; i < d.op.next; i++) {
			if (!push_region(wk, d.op.ext[i].off, d.op.ext[i].len,
					 !!(d.op.ext[i].flags & NBD_STATE_ZERO)))
				break; /* no room: the rest is asked again */
			covered += d.op.ext[i].len;
		}
		if (covered < d.len) { /* the server said less: ask again */
			wk->requery_off = d.off + covered;
			wk->requery_len = d.len - covered;
		}
		break;
	}
	return 0;
}

static int work(struct worker *wk)
{
	struct nbd_copy *cp = wk->cp;

	for (;;) {
		if (fill(wk) < 0)
			return -1;
		if (!wk->qlen)
			break;
		if (complete(wk) < 0)
			return -1;
		if (!wk->w && cp->progress)
			cp->progress(cp->progress_ctx, __atomic_load_n(&cp->copied, __ATOMIC_RELAXED));
	}
	/* Writes end with a FLUSH (proto.md: data is only safe once a
	 * FLUSH has been answered; with multi-conn any connection's will
	 * do, each worker sends its own): one more job in the queue. */
	if (wk->dx && (wk->dx->tflags & NBD_TF_SEND_FLUSH))
		return send_req(wk, J_FLUSH, -1, wk->dx, NBD_CMD_FLUSH, 0, 0) < 0 ? -1 : complete(wk);
	return 0;
}

static void fail(struct nbd_copy *cp, const struct nbd_err *err)
{
	if (!__atomic_exchange_n(&cp->failed, 1, __ATOMIC_ACQ_REL))
		cp->err = *err;
}

int nbd_copy_run(struct nbd_copy *cp, unsigned w)
{
	unsigned i, nreq = cp->requests;
	size_t stride, qcap, wsz, total;
	struct worker *wk;
	uint32_t chunk = cp->request_size;
	struct nbd_xconn *sx = NULL, *dx = NULL;
	uint8_t *m;
	int r;

	if (cp->src.kind == NBD_END_NBD)
		sx = cp->src.conn[w < cp->src.nconn ? w : 0];
	if (cp->dst.kind == NBD_END_NBD)
		dx = cp->dst.conn[w < cp->dst.nconn ? w : 0];
	if (sx && chunk > sx->max_len)
		chunk = sx->max_len;
	if (dx && chunk > dx->max_len)
		chunk = dx->max_len;
	if (nreq < 1 || nreq > NBD_COPY_MAX_REQS)
		nreq = nreq < 1 ? 1 : NBD_COPY_MAX_REQS;
	/* One mapping for the worker, its queue and its buffers (mmap, not
	 * malloc: a static build carries no allocator). The last buffer
	 * stays zero: holes written as data. */
	stride = ((size_t)chunk + NBD_REQUEST_LEN + 63) & ~(size_t)63;
	qcap = nreq + EXTRA + 2;
	wsz = (sizeof *wk + qcap * sizeof(struct job) + 63) & ~(size_t)63;
	total = wsz + stride * (nreq + 1);
	m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		struct nbd_err e;
		nbd_seterr(&e, NBX_FAIL, errno, "out of memory for %u buffers of %u bytes",
			   nreq, chunk);
		fail(cp, &e);
		return -1;
	}
	wk = (struct worker *)(void *)m;
	wk->jobs = (struct job *)(void *)(m + sizeof *wk);
	wk->mem = m + wsz + NBD_REQUEST_LEN;
	wk->cp = cp;
	wk->w = w;
	wk->sx = sx;
	wk->dx = dx;
	if (sx)
		sx->err = &wk->err;
	if (dx)
		dx->err = &wk->err;
	wk->chunk = chunk;
	wk->stride = stride;
	wk->qcap = (unsigned)qcap;
	wk->bs_nbd = cp->sparse && sx && sx->have_meta;
	wk->bs_file = cp->sparse && cp->src.kind == NBD_END_FILE && cp->src.regular;
	wk->zero = bufp(wk, (int)nreq);
	for (i = 0; i < nreq; i++)
		wk->freebuf[wk->nfree++] = (int)(nreq - 1 - i);
	r = work(wk);
	/* A worker that stopped because another failed has nothing to add. */
	if (r < 0 && wk->err.msg[0])
		fail(cp, &wk->err);
	munmap(m, total);
	return r;
}

int nbd_copy_finish(struct nbd_copy *cp)
{
	struct nbd_copy_end *d = &cp->dst;
	uint64_t total = cp->size == NBD_COPY_SIZE_UNKNOWN ? cp->end : cp->size;
	struct stat st;
	char what[48];

	if (d->kind != NBD_END_FILE)
		return 0;
	if (d->regular && ftruncate(d->fd, (off_t)total) < 0)
		nbd_fmt(what, sizeof what, "truncate to %llu bytes", (unsigned long long)total);
	else if (fstat(d->fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) &&
		 fsync(d->fd) < 0)
		strcpy(what, "fsync");
	else
		return 0;
	return nbd_seterr(&cp->err, NBX_FAIL, errno, "%s: %s: %s", d->name, what, strerror(errno));
}
