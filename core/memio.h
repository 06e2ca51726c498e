/* The memory transport (core/memio.c). */
#ifndef NBDBOX_MEMIO_H
#define NBDBOX_MEMIO_H

#include <stddef.h>
#include "io.h"

/* Memory transport (core/memio.c): reads come from a script of server
 * bytes, writes are collected. For unit tests and fuzz targets. */
struct nbd_memio {
	const unsigned char *in;
	size_t inlen, inpos;
	unsigned char *out;     /* may be NULL: writes are then only counted */
	size_t outcap, outlen;
	size_t max_chunk;       /* >0: hand out reads in chunks this small */
};
void nbd_memio_init(struct nbd_io *io, struct nbd_memio *m, const char *peer);

#endif
