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

char *nbd_quote(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (!dstlen)
		return dst;
	for (i = 0; i < srclen; i++) {
		unsigned char c = (unsigned char)src[i];
		if (o + 5 >= dstlen) {
			/* Truncate visibly rather than silently. */
			if (o + 4 <= dstlen)
				memcpy(dst + o, "...", 3), o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '\\') {
			dst[o++] = '\\';
			if (c == '\\') {
				dst[o++] = '\\';
			} else {
				dst[o++] = 'x';
				dst[o++] = hex[c >> 4];
				dst[o++] = hex[c & 15];
			}
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = 0;
	return dst;
}
