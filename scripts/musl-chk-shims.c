/* Debian's libwolfssl.a is built for glibc with _FORTIFY_SOURCE: it calls
 * glibc's checked variants (__memcpy_chk, ...). musl has none. For
 * `make static-tls` only: each shim checks the bound, then does the work.
 * Not a supported combination upstream; a wolfSSL built against musl
 * needs none of this. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#define CHK(cond) do { if (!(cond)) abort(); } while (0)

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dn)
{
	CHK(n <= dn);
	return memcpy(d, s, n);
}

void *__memset_chk(void *d, int c, size_t n, size_t dn)
{
	CHK(n <= dn);
	return memset(d, c, n);
}

char *__strcat_chk(char *d, const char *s, size_t dn)
{
	CHK(strlen(d) + strlen(s) < dn);
	return strcat(d, s);
}

char *__strncat_chk(char *d, const char *s, size_t n, size_t dn)
{
	size_t sl = strnlen(s, n);

	CHK(strlen(d) + sl < dn);
	return strncat(d, s, n);
}

char *__strncpy_chk(char *d, const char *s, size_t n, size_t dn)
{
	CHK(n <= dn);
	return strncpy(d, s, n);
}

int __vsnprintf_chk(char *s, size_t n, int flag, size_t sn, const char *fmt, va_list ap)
{
	(void)flag;
	CHK(n <= sn);
	return vsnprintf(s, n, fmt, ap);
}

int __snprintf_chk(char *s, size_t n, int flag, size_t sn, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = __vsnprintf_chk(s, n, flag, sn, fmt, ap);
	va_end(ap);
	return r;
}

int __sprintf_chk(char *s, int flag, size_t sn, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vsnprintf(s, sn, fmt, ap);
	va_end(ap);
	CHK(r >= 0 && (size_t)r < sn);
	return r;
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	return vfprintf(f, fmt, ap);
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;
	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

long __fdelt_chk(long d)
{
	CHK(d >= 0 && d < FD_SETSIZE);
	return d / (8 * (long)sizeof(long));
}
