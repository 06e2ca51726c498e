/* Which server each connection of a spread device talks to (spread.h). */
#include "spread.h"

/* Connections on server s, slot's own not counted. */
static int load(int s, int slot, const int *at, int nconns)
{
	int i, n = 0;

	for (i = 0; i < nconns; i++)
		n += i != slot && at[i] == s;
	return n;
}

int nbd_spread_order(int slot, int nsrv, unsigned up, const int *at, int nconns, int *order)
{
	int home = nbd_spread_home(slot, nsrv), n = 0, k, j;

	if (nsrv < 1)
		return 0;
	/* Candidates in order after home; then a stable sort: up before
	 * down, fewer connections first; home first whenever it is up. */
	for (k = 0; k < nsrv; k++)
		order[n++] = (home + k) % nsrv;
	for (k = 1; k < n; k++) {
		int s = order[k], ks = (up >> s & 1) ? 0 : 1, ls = load(s, slot, at, nconns);

		for (j = k; j > 0; j--) {
			int p = order[j - 1], kp = (up >> p & 1) ? 0 : 1, lp = load(p, slot, at, nconns);

			if (p == home && kp == 0)
				break;          /* home up stays first */
			if (kp < ks || (kp == ks && lp <= ls))
				break;
			order[j] = p;
		}
		order[j] = s;
	}
	return n;
}

int nbd_spread_pick(int slot, int nsrv, unsigned up, const int *at, int nconns)
{
	int order[NBD_SPREAD_MAX_SRV];

	if (nsrv < 1 || nsrv > NBD_SPREAD_MAX_SRV ||
	    !nbd_spread_order(slot, nsrv, up, at, nconns, order))
		return -1;
	return (up >> order[0] & 1) ? order[0] : -1;
}
