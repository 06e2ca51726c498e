/* A small printf for messages and output. libc's printf family costs a
 * static binary 12 KiB (it drags in floating point); nbdbox needs only
 * %s %.*s %c %d %u %x with l/ll/z, a width and the 0 flag. */
#ifndef NBDBOX_FMT_H
#define NBDBOX_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: always NUL-terminates (cap > 0); returns the length
 * written, truncated to cap - 1. */
size_t nbd_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);
size_t nbd_fmt(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
