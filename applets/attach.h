/* What nbd-attach's two files share. nbd-attach.c parses the options,
 * negotiates and hands sockets over; resident.c owns the processes that
 * outlive the command: the TLS relay, the ioctl NBD_DO_IT server and the
 * --persist monitor. */
#ifndef NBDBOX_ATTACH_H
#define NBDBOX_ATTACH_H

#include "applet.h"
#include "platform.h"
#include "clock.h"

struct attach {
	struct conn_opts c;
	struct nbd_devconf conf;
	int conns, read_only, persist, use_ioctl, foreground, mark;
	int swap;                  /* --swap: mlockall, oom_score_adj -1000 */
	uint32_t block_size;       /* -b, 0: choose */
	int timeout_set, dead_set;
	struct nbd_export first;   /* what the first handshake said */
	int have_first;            /* later ones, reconnects too, must agree */
	char datapath[96];         /* for nbd-probe DEVICE: plain, kTLS, relay */
	/* Spreading (-C N with --alt, read-only or --shared-store): nsrv
	 * servers (0: not spreading), connection i's home is server
	 * nbd_spread_home(i, nsrv) (core/spread.h); at[i] the server it
	 * talks to now; kfd[i] the resident's reference to the socket the
	 * kernel has for it (-1: none), to see it die. */
	int shared_store, nsrv;
	int at[NBD_MAX_CONNS], kfd[NBD_MAX_CONNS];
	char peer[NBD_MAX_CONNS][64];  /* "host:port" of at[i], for the note */
	char last_peer[64];        /* of the last connection negotiated */
};

/* --persist, read through this so that with NBD_ATTACH_PERSIST off the
 * compiler drops the monitor and the reconnect code. */
#define PERSIST(a) (ENABLE_NBD_ATTACH_PERSIST && (a)->persist)

/* ---- nbd-attach.c */
/* One connection negotiated up to transmission, its socket (or, with TLS,
 * the kTLS socket or the relay's end) in *fd for the kernel. The first
 * ever keeps the export in a->first; every later one (-C N, a --persist
 * reconnect) must agree with it (nbd_export_changed), else none is handed
 * over. nth numbers the connection in messages. */
int attach_negotiate(struct attach *a, int nth, int *fd, struct nbd_err *err);
/* n connections (a->conns, or after lost links as many as were lost)
 * into a->conf.fds; on failure none is left open. */
int attach_connect_all(struct attach *a, int n, struct nbd_err *err);
void attach_close_fds(struct nbd_devconf *conf);
/* The note nbd-probe DEVICE reads: the data path, and the server each
 * connection talks to (a->peer). */
void attach_note(struct attach *a, int index);

/* ---- resident.c */
/* Fork the TLS relay for io's session: *kernel_fd gets the kernel's end of
 * the socketpair, io is let go. Returns the relay's pid, or -1 with err
 * (io untouched). */
int attach_relay(struct attach *a, struct nbd_io *io, int *kernel_fd, struct nbd_err *err);
/* Give a->conf.fds to the kernel, print the device, stay resident where
 * needed (ioctl: to sit in NBD_DO_IT; --persist: to reconnect). Return an
 * exit code. mon: the LINK_DEAD listener for --persist, or NULL. */
int attach_ioctl(struct attach *a, struct nbd_nl_mon *mon);
int attach_netlink(struct attach *a, struct nbd_nl_mon *mon);
/* What attach-spread.c uses of the resident: the kernel log, the
 * device's ownership, a refused reconnect said once, the retry pacing. */
void klog(char level, int index, const char *what, const char *why);
int still_ours(int index);
void say_reconnect(int index, const struct nbd_err *err);
struct nbd_backoff reconnect_pacing(struct attach *a);

/* ---- attach-spread.c: --persist over netlink */
/* After CONNECT, with --persist: the resident keeps a reference to each
 * socket the kernel has (a->kfd), to see it die. */
void attach_keep_fds(struct attach *a);
/* The resident's loop: reconnect each dead connection (spread: to its
 * own server, another meanwhile, home when that is back). Exit code. */
int attach_spread_persist(struct attach *a, struct nbd_nl_mon *mon, int index);

#endif
