/* Output and messages for every applet: standard output buffered without
 * stdio, one-line errors and usage on standard error, JSON and shell
 * quoting. The only place (with the applets) that prints. */
//kbuild:obj-y += out.o

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "autoconf.h"
#include "applet.h"
#include "esc.h"
#include "fmt.h"
#include "usage.h"

const char *applet_name = "nbdbox";
const char *applet_usage = "";

/* ---- standard output, buffered without stdio */
static char obuf[4096];
static size_t olen;
static int oerr;

static void oflush(void)
{
	size_t off = 0;

	while (off < olen) {
		ssize_t n = write(1, obuf + off, olen - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			oerr = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	olen = 0;
}

void out_bytes(const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		size_t k = sizeof obuf - olen < n ? sizeof obuf - olen : n;
		memcpy(obuf + olen, c, k);
		olen += k;
		c += k;
		n -= k;
		if (olen == sizeof obuf)
			oflush();
	}
}

void out_str(const char *s)
{
	out_bytes(s, strlen(s));
}

void out_char(int c)
{
	char ch = (char)c;

	out_bytes(&ch, 1);
}

void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = nbd_vfmt(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out_bytes(buf, n);
}

int out_flush(void)
{
	oflush();
	return oerr ? -1 : 0;
}

int finish_output(void)
{
	if (out_flush() == 0)
		return 0;
	msg("write error: %s", strerror(oerr));
	return NBX_FAIL;
}

/* ---- messages on standard error */
/* tail: a format for what follows the message, given applet_name. */
void write_or_drop(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) < 0)
		return;
}

static void vmsg(const char *fmt, va_list ap, const char *tail)
{
	char buf[1024];
	size_t n = nbd_fmt(buf, sizeof buf, "%s: ", applet_name);

	n += nbd_vfmt(buf + n, sizeof buf - n - 1, fmt, ap);
	n += nbd_fmt(buf + n, sizeof buf - n, tail, applet_name);
	/* One write: lines from parallel processes do not interleave. */
	write_or_drop(2, buf, n);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, "\n");
	va_end(ap);
}

int report(const struct nbd_err *err)
{
	msg("%s", err->msg);
	return err->code ? err->code : NBX_FAIL;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, "\nTry '%s --help' for more information.\n");
	va_end(ap);
	return NBX_USAGE;
}

/* ---- --help: the usage texts, compressed by scripts/usagez.c. A byte
 * c != '\n' with (c ^ 0x80) < USAGE_NPAIRS stands for the two bytes of
 * pair c ^ 0x80, each expanded in turn; \1 and \2 for the connection and
 * TLS options, held once. */
static const char usage_pairs[2 * USAGE_NPAIRS] __attribute__((nonstring)) = USAGE_PAIRS;
static const char usage_conn[] = USAGE_CONN, usage_tls[] = USAGE_TLS;

static void usage_byte(unsigned c)
{
	unsigned pair = c ^ 0x80;

	if (c == 1 || c == 2) {
		out_usage(c == 1 ? usage_conn : usage_tls);
	} else if (c != '\n' && pair < USAGE_NPAIRS) {
		usage_byte((unsigned char)usage_pairs[2 * pair]);
		usage_byte((unsigned char)usage_pairs[2 * pair + 1]);
	} else {
		out_char((int)c);
	}
}

void out_usage(const char *s)
{
	while (*s)
		usage_byte((unsigned char)*s++);
}

int show_usage(void)
{
	out_usage(applet_usage);
	return finish_output();
}

/* Server strings through core/esc.c, in chunks: nothing the server sent
 * reaches the terminal or a parser unescaped. */
static void out_esc(int how, const char *s, size_t len)
{
	char buf[256];
	size_t got, used;

	while (len) {
		used = nbd_esc(how, buf, sizeof buf, &got, s, len);
		out_bytes(buf, got);
		s += used;
		len -= used;
	}
}

void out_text(const char *s, size_t len)
{
	out_esc(NBD_ESC_TEXT, s, len);
}

void json_str(const char *s, size_t len)
{
	out_char('"');
	out_esc(NBD_ESC_JSON, s, len);
	out_char('"');
}

void shell_str(const char *s, size_t len)
{
	size_t i;

	out_char('\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			out_str("'\\''");
		else if (s[i]) /* no shell variable can hold a NUL */
			out_char(s[i]);
	}
	out_char('\'');
}

void print_tflags(uint16_t tflags, const char *sep, int json)
{
	const char *n, *s = "";
	unsigned bit = NBD_TF_READ_ONLY;

	if (ENABLE_JSON && json)
		out_char('[');
	for (n = nbd_tflag_names; *n; n += strlen(n) + 1, bit <<= 1) {
		if (!(tflags & bit))
			continue;
		if (ENABLE_JSON && json)
			out("%s\"%s\"", s, n), s = ",";
		else
			out("%s%s", s, n), s = sep;
	}
	if (ENABLE_JSON && json)
		out_char(']');
}
