/* --persist over netlink (called from resident.c): the resident keeps a
 * reference to each socket the kernel has, sees which connections died,
 * and gives the kernel new ones (NBD_CMD_RECONFIGURE). One server, or
 * failover (--alt with -C 1): to the server that served last, else the
 * next. Spread (-C N --alt): a dead connection reconnects to its own
 * server, to another one of the set while its own is down (the live one
 * carrying the fewest connections: the kernel puts the dead connection's
 * requests on the live ones anyway, find_fallback in drivers/block/nbd.c,
 * so a connection to any live server keeps the count and the queues up),
 * and back to its own server once that answers again, so the load spreads
 * again. */
//kbuild:obj-$(CONFIG_NBD_ATTACH_PERSIST) += attach-spread.o

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "autoconf.h"
#include "attach.h"
#include "clock.h"
#include "fmt.h"
#include "spread.h"

/* How often a connection away from home tries its own server again. */
#define HOME_CHECK_MS 2000

void attach_keep_fds(struct attach *a)
{
	int i;

	for (i = 0; i < a->conf.nfds; i++)
		a->kfd[i] = a->conf.fds[i];
	a->conf.nfds = 0;
}

/* The kernel shuts a connection down both ways when it gives it up
 * (nbd_mark_nsock_dead): our reference to the same socket polls POLLHUP. */
static int gone(int fd)
{
	struct pollfd p = { .fd = fd, .events = 0, .revents = 0 };

	return fd < 0 || (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)));
}

/* Did the kernel take socket fd? RECONFIGURE puts a socket into the
 * lowest dead slot and says nothing when there is none (the socket is
 * dropped); a socket it takes gets the request timeout as SO_SNDTIMEO
 * (nbd_reconnect_socket). Without a request timeout: cannot tell, yes. */
static int taken(const struct attach *a, int fd)
{
	struct timeval tv = { 0, 0 };
	socklen_t n = sizeof tv;

	if (!a->conf.timeout_s)
		return 1;
	return getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &n) == 0 && (tv.tv_sec || tv.tv_usec);
}

/* No request in flight, as far as TCP can tell: nothing sent for 100 ms,
 * the last bytes a reply (received after the last request went out),
 * nothing unacknowledged. A socket retired now costs no request the -t
 * wait. Not TCP (the TLS relay's socketpair): cannot tell, yes. */
static int quiet(int fd)
{
	struct tcp_info ti;
	socklen_t n = sizeof ti;

	memset(&ti, 0, sizeof ti);
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &n) < 0)
		return 1;
	return !ti.tcpi_unacked && ti.tcpi_last_data_sent >= 100 &&
	       ti.tcpi_last_data_recv <= ti.tcpi_last_data_sent;
}

/* One connection for slot to server s only. */
static int connect_to(struct attach *a, int slot, int s, int *fd, struct nbd_err *err)
{
	int r;

	a->c.cur = s;
	a->c.one = 1;
	r = attach_negotiate(a, slot, fd, err);
	a->c.one = 0;
	return r;
}

static void set_slot(struct attach *a, int slot, int fd, int srv, const char *peer)
{
	if (a->kfd[slot] >= 0)
		close(a->kfd[slot]);
	a->kfd[slot] = fd;
	a->at[slot] = srv;
	nbd_fmt(a->peer[slot], sizeof a->peer[slot], "%s", peer);
}

/* Give the kernel sockets fds[0..k) (servers srv, peers) in one
 * RECONFIGURE: it fills its dead slots lowest first, so the j-th socket it
 * takes is dead[j]'s, whatever server it reached. Returns how many it
 * took, -1 when the device is not ours any more. */
static int hand_over(struct attach *a, int index, const int *dead, int *fds, const int *srv,
		     char (*peers)[64], int k)
{
	struct nbd_err err;
	int j = 0, t;

	if (!still_ours(index)) {
		for (t = 0; t < k; t++)
			close(fds[t]);
		return -1;
	}
	a->conf.index = index;
	memcpy(a->conf.fds, fds, (size_t)k * sizeof *fds);
	a->conf.nfds = k;
	if (nbd_nl_reconfigure(&a->conf, &err) < 0) {
		say_reconnect(index, &err);
		attach_close_fds(&a->conf);
		return 0;
	}
	a->conf.nfds = 0;
	for (t = 0; t < k; t++) {
		if (!taken(a, fds[t])) {
			close(fds[t]);
			continue;
		}
		set_slot(a, dead[j++], fds[t], srv[t], peers[t]);
	}
	return j;
}

/* New sockets for the dead connections dead[0..nd), each to its own
 * server if that answers, else to the live one with the fewest
 * (core/spread.h). Returns how many are back, -1: not ours any more. */
static int revive(struct attach *a, int index, const int *dead, int nd)
{
	int fds[NBD_MAX_CONNS], srv[NBD_MAX_CONNS], order[NBD_SPREAD_MAX_SRV], k = 0, j, t, n, r;
	char peers[NBD_MAX_CONNS][64];
	unsigned up = a->nsrv ? (1u << a->nsrv) - 1 : 1;
	struct nbd_err err;

	for (j = 0; j < nd; j++)
		a->at[dead[j]] = -1;
	for (j = 0; j < nd && up; j++) {
		if (!a->nsrv) {
			/* Not spread: from the server that served last on
			 * (conn_open moves a->c.cur). */
			if (attach_negotiate(a, dead[j], &fds[k], &err) < 0) {
				say_reconnect(index, &err);
				break;
			}
			srv[k] = a->c.cur;
			memcpy(peers[k++], a->last_peer, sizeof peers[0]);
			continue;
		}
		n = nbd_spread_order(dead[j], a->nsrv, up, a->at, a->conns, order);
		for (t = 0; t < n; t++) {
			if (!(up >> order[t] & 1))
				continue;
			if (connect_to(a, dead[j], order[t], &fds[k], &err) == 0) {
				srv[k] = a->at[dead[j]] = order[t];   /* counts for the next pick */
				memcpy(peers[k++], a->last_peer, sizeof peers[0]);
				break;
			}
			/* Down, or another export (named in the kernel log). */
			say_reconnect(index, &err);
			up &= ~(1u << order[t]);
		}
	}
	for (j = 0; j < nd; j++)
		a->at[dead[j]] = -1;
	if (!k)
		return 0;
	r = hand_over(a, index, dead, fds, srv, peers, k);
	return r;
}

/* A connection away from home whose own server answers again is retired
 * at a quiet moment (up to 2 s of looking; on a device never quiet, at
 * the fifth try at once: its requests in flight then wait for -t), and
 * revived: home first. Returns 1 when it retired one. */
static int go_home(struct attach *a, int index)
{
	static int busy[NBD_MAX_CONNS];
	struct nbd_err err;
	int i, t, fd, home;

	for (i = 0; i < a->conns; i++) {
		home = nbd_spread_home(i, a->nsrv);
		if (a->at[i] < 0 || a->at[i] == home)
			continue;
		if (connect_to(a, i, home, &fd, &err) < 0) {
			say_reconnect(index, &err);  /* once per reason: down, another export */
			continue;
		}
		close(fd);              /* it answers: that is all we asked */
		for (t = 0; t < 100 && !quiet(a->kfd[i]); t++)
			nbd_sleep_ms(20);
		if (t < 100 || ++busy[i] >= 5) {
			busy[i] = 0;
			shutdown(a->kfd[i], SHUT_RDWR);
			/* The kernel's receive worker gives the slot up (a
			 * LINK_DEAD follows); only a dead slot takes a socket. */
			nbd_sleep_ms(100);
			return 1;
		}
	}
	return 0;
}

int attach_spread_persist(struct attach *a, struct nbd_nl_mon *mon, int index)
{
	struct nbd_backoff backoff = reconnect_pacing(a);
	long retry_at = 0, home_at = nbd_now_ms() + HOME_CHECK_MS, now;
	struct nbd_err err;

	klog('6', index, "serving, reconnects when a link dies", "");
	for (;;) {
		int dead[NBD_MAX_CONNS], nd = 0, i, n, wait;

		now = nbd_now_ms();
		wait = retry_at ? (int)(retry_at > now ? retry_at - now : 0) : HOME_CHECK_MS;
		if (nbd_nl_mon_wait(mon, index, wait, &err) < 0) {
			klog('4', index, err.msg, "");
			return NBX_FAIL;
		}
		if (!still_ours(index)) {
			klog('6', index, "detached, leaving", "");
			return 0;
		}
		for (i = 0; i < a->conns; i++)
			if (gone(a->kfd[i]))
				dead[nd++] = i;
		now = nbd_now_ms();
		if (!nd) {
			retry_at = 0;
			backoff = reconnect_pacing(a);
			if (a->nsrv && now >= home_at) {
				home_at = nbd_now_ms() + HOME_CHECK_MS;
				if (go_home(a, index))
					home_at = now;  /* revive it now, then the next */
			}
			continue;
		}
		if (now < retry_at)
			continue;
		if (!retry_at)
			klog('4', index, "link lost, reconnecting", "");
		if ((n = revive(a, index, dead, nd)) < 0) {
			klog('6', index, "detached while reconnecting, leaving", "");
			return 0;
		}
		if (n)
			klog('6', index, "reconnected", "");
		attach_note(a, index);
		retry_at = n == nd ? 0 : nbd_now_ms() + nbd_backoff_next(&backoff);
		if (!retry_at)
			backoff = reconnect_pacing(a);
	}
}
