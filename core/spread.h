/* One read-only export held by several servers: which server each of N
 * connections talks to. Pure: no I/O. The rule: round-robin in the order
 * the servers were given, the first server first (connection i's home is
 * server i % nsrv); a connection whose home is down goes to the live
 * server that carries the fewest connections (ties: the first after its
 * home, in order), and back home when its home is up again. */
#ifndef NBDBOX_SPREAD_H
#define NBDBOX_SPREAD_H

#define NBD_SPREAD_MAX_SRV 5     /* the first server and up to 4 --alt */

/* Connection slot's home server, 0 .. nsrv-1. */
static inline int nbd_spread_home(int slot, int nsrv)
{
	return nsrv > 1 ? slot % nsrv : 0;
}

/* Where connection slot should go now. up: bit s set when server s is
 * thought up; at[0..nconns): the server each connection talks to (-1:
 * none), slot's own entry not counted. Returns the server, or -1 when
 * none is up. */
int nbd_spread_pick(int slot, int nsrv, unsigned up, const int *at, int nconns);

/* The order to try servers in for slot: its pick first, then every other
 * server up or not, fewest connections first (ties in order after the
 * home). order gets nsrv entries; returns nsrv. */
int nbd_spread_order(int slot, int nsrv, unsigned up, const int *at, int nconns, int *order);

#endif
