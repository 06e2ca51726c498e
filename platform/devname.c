/* Device names, the same on every platform: parsing one needs no kernel,
 * so usage errors stay usage errors on the stub too. */
#include <string.h>
#include "platform.h"

int nbd_dev_index(const char *s)
{
	long n = 0;

	if (!strncmp(s, "/dev/", 5))
		s += 5;
	if (strncmp(s, "nbd", 3) || s[3] < '0' || s[3] > '9')
		return -1;
	for (s += 3; *s >= '0' && *s <= '9'; s++)
		if ((n = n * 10 + (*s - '0')) > 1000000)
			return -1;
	return *s ? -1 : (int)n;
}
