/* The copy engine behind nbd-copy: bytes from a source to a destination,
 * each an NBD export (connections in transmission phase), a file or block
 * device (pread/pwrite at offsets), or a stream (a pipe: read/write in
 * order). Work is cut into stripes; each worker takes the next stripe,
 * asks where its data is (base:allocation, or SEEK_DATA in a file), keeps
 * several requests in flight and writes what arrives in submission order.
 * Several workers (threads started by the caller, one connection each per
 * NBD side) share the stripes. Nothing here prints: progress goes to a
 * callback, the first failure to cp->err. */
#ifndef NBDBOX_COPY_H
#define NBDBOX_COPY_H

#include <stdint.h>
#include "err.h"
#include "xmit.h"

#define NBD_COPY_MAX_CONN 16
#define NBD_COPY_MAX_REQS 64
#define NBD_COPY_SIZE_UNKNOWN UINT64_MAX

enum { NBD_END_NBD, NBD_END_FILE, NBD_END_STREAM };

struct nbd_copy_end {
	int kind;
	int fd;                 /* FILE, STREAM */
	int regular;            /* FILE: a regular file */
	const char *name;       /* FILE, STREAM: for messages */
	unsigned nconn;         /* NBD: connections, one per worker */
	struct nbd_xconn *conn[NBD_COPY_MAX_CONN];
};

struct nbd_copy {
	struct nbd_copy_end src, dst;
	uint64_t size;          /* bytes to copy, or NBD_COPY_SIZE_UNKNOWN
				 * (a stream source: until it ends) */
	uint64_t dst_size;      /* NBD destination: its size (a bound for streams) */
	uint32_t request_size;  /* bytes per READ/WRITE (clipped to max_len) */
	unsigned requests;      /* in flight per worker, 1..NBD_COPY_MAX_REQS */
	int sparse;             /* skip zero extents */
	int fua;                /* every write with FUA */
	int dst_fresh;          /* FILE destination truncated: holes are free */
	unsigned workers;
	/* Called by worker 0 after each completed request. */
	void (*progress)(void *ctx, uint64_t copied);
	void *progress_ctx;

	/* Shared between workers (atomics). */
	uint64_t next;          /* start of the next stripe */
	uint64_t copied;        /* bytes of the destination done */
	uint64_t end;           /* stream source: where it ended */
	int failed;
	struct nbd_err err;     /* the first failure */
};

/* Worker w (0 .. workers-1) until the work is done: 0, or -1 with cp->err
 * (filled by whichever worker failed first). Thread-safe across workers. */
int nbd_copy_run(struct nbd_copy *cp, unsigned w);
/* After every worker returned 0: a FILE destination gets its final size
 * and fsync. 0, or -1 with cp->err. */
int nbd_copy_finish(struct nbd_copy *cp);

#endif
