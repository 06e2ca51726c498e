/* Hex digits and yes/no words; see parse.h. */
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

int nbd_parse_yesno(const char *s)
{
	static const char *const words[] = { "no", "false", "0", "yes", "true", "1" };
	int i;

	for (i = 0; i < 6; i++)
		if (!strcmp(s, words[i]))
			return i / 3;
	return -1;
}
