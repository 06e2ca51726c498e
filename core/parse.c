/* Hex digits, yes/no words, device names; see parse.h. */
#include <string.h>
#include "parse.h"

int nbd_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int nbd_word_find(const char *list, const char *s, size_t n)
{
	int i;

	for (i = 0; *list; i++) {
		size_t l = strlen(list);
		if (l == n && !memcmp(list, s, n))
			return i;
		list += l + 1;
	}
	return -1;
}

int nbd_parse_yesno(const char *s)
{
	int i = nbd_word_find("no\0false\0" "0\0yes\0true\0" "1\0", s, strlen(s));

	return i < 0 ? -1 : i / 3;
}

int nbd_is_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

int nbd_parse_num(const char *s, size_t n, unsigned long max, unsigned long *out)
{
	unsigned long v = 0, d;
	size_t i;

	if (!nbd_is_digits(s, n))
		return -1;
	for (i = 0; i < n; i++) {
		d = (unsigned long)(s[i] - '0');
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int nbd_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	return nbd_parse_num(s, strlen(s), max, out);
}

uint64_t nbd_parse_dec(const char *s, const char **end)
{
	uint64_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(*s - '0');
	if (end)
		*end = s;
	return v;
}

int nbd_parse_dev(const char *s, size_t n, int *index, int *part)
{
	size_t i;
	long v = 0, p = 0;

	if (n >= 5 && !memcmp(s, "/dev/", 5))
		s += 5, n -= 5;
	if (n < 4 || memcmp(s, "nbd", 3))
		return -1;
	for (i = 3; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if ((v = v * 10 + (s[i] - '0')) > 1000000)
			return -1;
	if (i == 3)
		return -1;
	if (i < n) {
		if (!part || s[i] != 'p' || ++i == n || n - i > 3)
			return -1;
		for (; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			p = p * 10 + (s[i] - '0');
		}
		if (!p)
			return -1;
		*part = (int)p;
	} else if (part) {
		*part = 0;
	}
	*index = (int)v;
	return 0;
}

int nbd_dev_index(const char *s)
{
	int i;

	return nbd_parse_dev(s, strlen(s), &i, NULL) < 0 ? -1 : i;
}
