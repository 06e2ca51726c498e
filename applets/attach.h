/* What nbd-attach's files share. Calls run one way, down this list:
 *   nbd-attach.c  the options, the sizes, which interface (and rootspec.c:
 *                 --cmdline, --tab, which runs nbd-attach again through
 *                 the applet table)
 *   resident.c    give the sockets to the kernel; the processes that
 *                 outlive the command: ioctl NBD_DO_IT, the --persist
 *                 monitor
 *   attach-spread.c  the --persist loop over netlink: which connection
 *                 died, revive it (spread: at home, elsewhere meanwhile)
 *   handover.c    one connection negotiated and its socket handed over
 *                 (plain, kTLS, or the TLS relay's process); n at once
 *   daemon.c      process plumbing: fork and detach, stdio, setsid, '@',
 *                 root storage, the kernel log, the sandbox
 * No file calls one above it (tests/shell/test_build.sh checks). */
#ifndef NBDBOX_ATTACH_H
#define NBDBOX_ATTACH_H

#include "applet.h"
#include <sys/types.h>
#include "platform.h"
#include "clock.h"

/* nbd-attach --cmdline [FILE] / --tab nbdN (applets/rootspec.c): the
 * spec read, then nbd-attach run again with its argv through the applet
 * table. argv is nbd-attach's own. */
int attach_spec_main(int argc, char **argv);

struct attach {
	struct conn_opts c;
	struct nbd_devconf conf;
	int conns, read_only, persist, use_ioctl, foreground, mark;
	int swap;                  /* --swap: mlockall, oom_score_adj -1000 */
	int no_sandbox;            /* --no-sandbox: the resident stays unconfined */
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

/* ---- handover.c */
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
/* For the resident loops: the retry pacing after a lost link (and no
 * --wait inside it); is /dev/nbdN still the configuration this process
 * made; why a reconnect did not happen, said once per reason. */
struct nbd_backoff reconnect_pacing(struct attach *a);
int still_ours(int index);
void say_reconnect(int index, const struct nbd_err *err);

/* ---- resident.c */
/* Give a->conf.fds to the kernel, print the device, stay resident where
 * needed (ioctl: to sit in NBD_DO_IT; --persist: to reconnect). Return an
 * exit code. mon: the LINK_DEAD listener for --persist, or NULL. */
int attach_ioctl(struct attach *a, struct nbd_nl_mon *mon);
int attach_netlink(struct attach *a, struct nbd_nl_mon *mon);

/* ---- attach-spread.c: --persist over netlink (NBD_ATTACH_PERSIST) */
/* After CONNECT, with --persist: the resident keeps a reference to each
 * socket the kernel has (a->kfd), to see it die. */
void attach_keep_fds(struct attach *a);
/* The resident's loop: reconnect each dead connection (spread: to its
 * own server, another meanwhile, home when that is back). Exit code. */
int attach_spread_persist(struct attach *a, struct nbd_nl_mon *mon, int index);

/* ---- daemon.c */
/* "<L>nbd-attach[PID]: /dev/nbdN: WHAT WHY" to the kernel log (and, for a
 * warning, to the console the resident was started from). Level '4'
 * warning, '6' info. */
void klog(char level, int index, const char *what, const char *why);
/* -m: argv[0] starts with '@' when started from the initrd (systemd's
 * root storage daemons). */
void mark_argv0(const struct attach *a);
/* -m, --swap: ignore SIGTERM/SIGHUP/SIGINT; --swap: mlockall, never the
 * OOM killer's choice. */
void root_storage(const struct attach *a);
/* fork() for a process that stays behind: in the child, a session of its
 * own, / as its directory, stdio on /dev/null, no death by SIGPIPE, the
 * root-storage treatment and the '@' mark. Returns what fork() returned. */
pid_t fork_detached(const struct attach *a);
/* The same, with a close-on-exec pipe back to the parent for the child's
 * first word: *fd the child's write end or the parent's read end; -1
 * printed. */
pid_t fork_resident(const struct attach *a, int *fd);
/* Close every descriptor from 3 up but keep1, keep2 and the kernel log. */
void close_fds_but(int keep1, int keep2);
/* The setup is done: confine the process (platform/linux/sandbox.c; off
 * with --no-sandbox). index: the device, -1 for a TLS relay; reopen: a
 * reconnect opens /dev/nbdN again (--ioctl --persist). */
void confine(const struct attach *a, int index, int reopen);

#endif
