#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include "fmt.h"

struct sink {
	char *p;
	size_t len, cap;
};

static void put(struct sink *s, const char *p, size_t n)
{
	size_t room = s->cap - 1 - s->len;

	if (n > room)
		n = room;
	memcpy(s->p + s->len, p, n);
	s->len += n;
}

static void pad(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, &c, 1);
}

/* Long on purpose: one switch over the conversions, each case a few
 * lines, as a printf reads best. */
size_t nbd_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct sink s = { buf, 0, cap };
	char num[24];

	if (!cap)
		return 0;
	while (*fmt) {
		const char *pct = strchr(fmt, '%');
		/* lng: 0 int, 1 long, 2 long long, 3 size_t (%zu, %zx, %zd).
		 * size_t is not long long on 32-bit CPUs: reading 8 bytes
		 * for a 4-byte argument shifts every argument after it. */
		int width = 0, prec = -1, lng = 0, zero = 0;
		unsigned long long u;
		int neg = 0, base = 10;
		const char *str;
		size_t n;
		char *e;

		if (!pct) {
			put(&s, fmt, strlen(fmt));
			break;
		}
		put(&s, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		if (*fmt == '0')
			zero = 1, fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + *fmt++ - '0';
		if (*fmt == '.' && fmt[1] == '*')
			prec = va_arg(ap, int), fmt += 2;
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng = *fmt == 'z' ? 3 : lng + 1;
		switch (*fmt) {
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
			zero = 0;
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			str = num, n = 1;
			break;
		case 'd':
		case 'i': {
			long long v = lng == 3 ? (long long)va_arg(ap, ssize_t)
				    : lng == 2 ? va_arg(ap, long long)
				    : lng ? va_arg(ap, long) : va_arg(ap, int);
			neg = v < 0;
			u = neg ? -(unsigned long long)v : (unsigned long long)v;
			goto number;
		}
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			u = lng == 3 ? va_arg(ap, size_t)
			  : lng == 2 ? va_arg(ap, unsigned long long)
			  : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
		number:
			e = num + sizeof num;
			do
				*--e = "0123456789abcdef"[u % (unsigned)base];
			while (u /= (unsigned)base);
			if (neg)
				*--e = '-';
			str = e, n = (size_t)(num + sizeof num - e);
			break;
		case '%':
			str = "%", n = 1;
			break;
		default: /* unknown conversion: show it rather than guess */
			put(&s, pct, (size_t)(fmt - pct + (*fmt != 0)));
			if (*fmt)
				fmt++;
			continue;
		}
		pad(&s, zero ? '0' : ' ', width - (int)n);
		put(&s, str, n);
		fmt++;
	}
	buf[s.len] = 0;
	return s.len;
}

size_t nbd_fmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = nbd_vfmt(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}
