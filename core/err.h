/* The one error record. core/ and platform/ never print and never exit:
 * they fill a caller-owned struct nbd_err and return -1. Only applets/
 * print it (applets/out.c), prefixed with the applet name.
 *
 * msg reads "PEER: OPERATION: reason", e.g.
 *   127.0.0.1:10809: NBD_OPT_GO 'root': unknown export (server: "no such export")
 */
#ifndef NBDBOX_ERR_H
#define NBDBOX_ERR_H

#include <stddef.h>

/* Exit codes: the class of an error is the process's exit status.
 * Documented in README; tests rely on the numbers. */
enum nbd_exit {
	NBX_OK = 0,
	NBX_FAIL = 1,      /* anything else: out of memory, local I/O error */
	NBX_USAGE = 2,     /* bad command line */
	NBX_CONNECT = 3,   /* cannot resolve, connect, or timed out */
	NBX_EXPORT = 4,    /* unknown export, or the server refused it (policy) */
	NBX_PROTO = 5,     /* server broke the protocol, or closed unexpectedly */
	NBX_TLS = 6,       /* TLS required, refused or failed */
	NBX_NOTSUP = 7,    /* not supported: by this platform/build or by the server */
	NBX_NODEV = 8,     /* device not attached / no such device */
	NBX_KERNEL = 9,    /* the kernel refused: busy, permission, module missing */
};

struct nbd_err {
	int code;          /* enum nbd_exit */
	int errnum;        /* errno, 0 if none */
	char msg[512];
};

/* Fill err (if not NULL) with code, errno and a printf-style message.
 * Always returns -1 so callers can write `return nbd_seterr(...)`. */
int nbd_seterr(struct nbd_err *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Same, with "PEER: " put in front of the message. */
int nbd_seterr_peer(struct nbd_err *err, const char *peer, int code, int errnum,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
