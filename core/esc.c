/* How untrusted strings are shown: see esc.h for the rules. */
#include <string.h>
#include "autoconf.h"
#include "esc.h"

static const char hex[] = "0123456789abcdef";

size_t nbd_utf8_len(const unsigned char *s, size_t n, unsigned long *cp)
{
	unsigned long c, min;
	size_t len, i;

	if (!n)
		return 0;
	c = s[0];
	if (c < 0x80)
		len = 1, min = 0;
	else if ((c & 0xe0) == 0xc0)
		len = 2, min = 0x80, c &= 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, min = 0x800, c &= 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, min = 0x10000, c &= 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

/* One escaped byte: \xNN (text) or \u00NN (JSON). */
static size_t esc_byte(int how, char *o, unsigned char b)
{
	if ((ENABLE_JSON && how == NBD_ESC_JSON)) {
		memcpy(o, "\\u00", 4);
		o[4] = hex[b >> 4];
		o[5] = hex[b & 15];
		return 6;
	}
	o[0] = '\\';
	o[1] = 'x';
	o[2] = hex[b >> 4];
	o[3] = hex[b & 15];
	return 4;
}

size_t nbd_esc(int how, char *dst, size_t cap, size_t *dlen, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0;

	while (i < n) {
		char tmp[24];
		size_t t = 0, k, j;
		unsigned long cp = 0;

		k = nbd_utf8_len(s + i, n - i, &cp);
		if (!k) {
			/* Not UTF-8: text keeps the byte visible, JSON cannot
			 * carry it and says so with U+FFFD. */
			k = 1;
			if ((ENABLE_JSON && how == NBD_ESC_JSON))
				memcpy(tmp, "\\ufffd", 6), t = 6;
			else
				t = esc_byte(how, tmp, s[i]);
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			if ((ENABLE_JSON && how == NBD_ESC_JSON))
				t = esc_byte(how, tmp, (unsigned char)cp);
			else
				for (j = 0; j < k; j++)
					t += esc_byte(how, tmp + t, s[i + j]);
		} else if (cp == '\\' || (cp == '"' && (ENABLE_JSON && how == NBD_ESC_JSON))) {
			tmp[0] = '\\';
			tmp[1] = (char)cp;
			t = 2;
		} else {
			memcpy(tmp, s + i, k);
			t = k;
		}
		if (t > cap - o)
			break;
		memcpy(dst + o, tmp, t);
		o += t;
		i += k;
	}
	*dlen = o;
	return i;
}

char *nbd_quote(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	size_t used, got;

	if (!dstlen)
		return dst;
	if (dstlen < 5) {
		dst[0] = 0;
		return dst;
	}
	/* Room for "..." and the NUL should it not all fit. */
	used = nbd_esc(NBD_ESC_TEXT, dst, dstlen - 1, &got, src, srclen);
	if (used < srclen) {
		used = nbd_esc(NBD_ESC_TEXT, dst, dstlen - 4, &got, src, srclen);
		memcpy(dst + got, "...", 3);
		got += 3;
	}
	dst[got] = 0;
	return dst;
}
