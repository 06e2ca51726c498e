/* How untrusted strings are shown: see esc.h for the rules. */
#include <stdint.h>
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

/* Code points a terminal does not show as themselves: C0, DEL and C1
 * controls, and Unicode's format characters (general category Cf, as of
 * Unicode 15, with the unassigned U+2065 and the whole tag block) and
 * line/paragraph separators (Zl, Zp), which a hostile name can use to
 * read other than it is: bidi overrides and isolates ("Trojan Source",
 * CVE-2021-42574), zero-width characters, the soft hyphen, tags. */
static const uint32_t hidden_ranges[][2] = {
	{ 0x0, 0x1f }, { 0x7f, 0x9f }, { 0xad, 0xad }, { 0x600, 0x605 },
	{ 0x61c, 0x61c }, { 0x6dd, 0x6dd }, { 0x70f, 0x70f }, { 0x890, 0x891 },
	{ 0x8e2, 0x8e2 }, { 0x180e, 0x180e }, { 0x200b, 0x200f },
	{ 0x2028, 0x202e }, { 0x2060, 0x206f }, { 0xfeff, 0xfeff },
	{ 0xfff9, 0xfffb }, { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
	{ 0xe0000, 0xe007f },
};

static int hidden(unsigned long cp)
{
	size_t i;

	for (i = 0; i < sizeof hidden_ranges / sizeof hidden_ranges[0]; i++)
		if (cp >= hidden_ranges[i][0] && cp <= hidden_ranges[i][1])
			return 1;
	return 0;
}

/* A backslash, c and the low ndig hex digits of v (\xNN, \uXXXX). */
static size_t esc_hex(char *o, char c, unsigned long v, int ndig)
{
	size_t t = 0;

	o[t++] = '\\';
	o[t++] = c;
	while (ndig--)
		o[t++] = hex[v >> 4 * ndig & 15];
	return t;
}

/* \uXXXX for a JSON string, as a surrogate pair above the BMP. */
static size_t esc_json_cp(char *o, unsigned long cp)
{
	size_t t = 0;

	if (cp > 0xffff) {
		cp -= 0x10000;
		t = esc_hex(o, 'u', 0xd800 | cp >> 10, 4);
		cp = 0xdc00 | (cp & 0x3ff);
	}
	return t + esc_hex(o + t, 'u', cp, 4);
}

size_t nbd_esc(int how, char *dst, size_t cap, size_t *dlen, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	int json = ENABLE_JSON && how == NBD_ESC_JSON;
	size_t i = 0, o = 0;

	while (i < n) {
		char tmp[24];
		size_t t = 0, k, j;
		unsigned long cp = 0;

		k = nbd_utf8_len(s + i, n - i, &cp);
		if (!k || hidden(cp)) {
			/* Hidden, or not UTF-8 (one byte at a time): text
			 * shows the bytes as \xNN; JSON, which cannot carry
			 * a byte that is not UTF-8, says so with U+FFFD. */
			if (!k)
				k = 1, cp = 0xfffd;
			if (json)
				t = esc_json_cp(tmp, cp);
			else
				for (j = 0; j < k; j++)
					t += esc_hex(tmp + t, 'x', s[i + j], 2);
		} else if (cp == '\\' || (cp == '"' && json)) {
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
