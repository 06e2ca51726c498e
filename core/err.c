#include <stdarg.h>
#include <string.h>
#include "err.h"
#include "fmt.h"

static int vseterr(struct nbd_err *err, const char *peer, int code, int errnum,
		   const char *fmt, va_list ap)
{
	size_t n = 0;

	if (!err)
		return -1;
	err->code = code;
	err->errnum = errnum;
	if (peer && *peer)
		n = nbd_fmt(err->msg, sizeof err->msg, "%s: ", peer);
	nbd_vfmt(err->msg + n, sizeof err->msg - n, fmt, ap);
	return -1;
}

int nbd_seterr(struct nbd_err *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(err, NULL, code, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int nbd_seterr_peer(struct nbd_err *err, const char *peer, int code, int errnum,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vseterr(err, peer, code, errnum, fmt, ap);
	va_end(ap);
	return -1;
}
