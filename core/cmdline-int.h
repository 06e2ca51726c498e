/* What core/cmdline.c and core/nbdtab.c share: small bounded helpers. */
#ifndef NBDBOX_CMDLINE_INT_H
#define NBDBOX_CMDLINE_INT_H

#include <stddef.h>
#include "parse.h"

/* Copy s[0..n) into dst[cap], NUL-ended; -1 if it does not fit. */
int nbd_spec_put(char *dst, size_t cap, const char *s, size_t n);
/* What nbd_spec_setnum() sets. */
enum { NBD_NUM_BS, NBD_NUM_TIMEOUT, NBD_NUM_CONNS };
struct nbd_spec;
/* v (NULL: missing) as a block size (a power of two 512-65536), a timeout
 * (0-86400 s) or connections (1-16), into spec; -1 if it is not one. */
int nbd_spec_setnum(struct nbd_spec *spec, int what, const char *v);
#endif
