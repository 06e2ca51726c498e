/* nbd-client's option words: the rows of clientopt.h as a table. */
#include <string.h>
#include "clientopt.h"

#define ROW(letter, name, arg, kind, field, attach) \
	{ letter, arg, NBDC_##kind, name, attach },
const struct nbd_client_opt nbd_client_opts[] = { NBD_CLIENT_OPTIONS(ROW) };
#undef ROW
const int nbd_client_nopts = sizeof nbd_client_opts / sizeof *nbd_client_opts;

int nbd_client_opt_find(const char *w)
{
	const char *a = w + 1 + (w[1] == '-');
	int k;

	if (w[0] != '-')
		return -1;
	for (k = 0; k < nbd_client_nopts; k++)
		if (a[0] && !a[1] ? a[0] == nbd_client_opts[k].letter
				  : !strcmp(a, nbd_client_opts[k].name))
			return k;
	return -1;
}
