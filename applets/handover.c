/* nbd-attach's connections, from the server to the kernel's hands: one
 * negotiated up to transmission (checked against the first), its socket
 * handed over plain, as kTLS, or through a forked TLS relay; n of them at
 * once. Below nbd-attach.c and resident.c (both call it); above daemon.c
 * (the relay's fork). See attach.h. */
//kbuild:obj-$(CONFIG_NBD_ATTACH) += handover.o

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "autoconf.h"
#include "attach.h"
#include "fmt.h"
#include "spread.h"

/* Fork the TLS relay for io's session: *kernel_fd gets the kernel's end of
 * the socketpair, io is let go. Returns the relay's pid, or -1 with err
 * (io untouched). */
static int start_relay(struct attach *a, struct nbd_io *io, int *kernel_fd, struct nbd_err *err)
{
	int sv[2];
	pid_t pid;

	if (nbd_tls_relay_ready(io, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return nbd_seterr_peer(err, io->peer, NBX_FAIL, errno, "relay: socketpair: %s",
				       strerror(errno));
	if ((pid = fork_detached(a)) < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return nbd_seterr_peer(err, io->peer, NBX_FAIL, e, "relay: fork: %s", strerror(e));
	}
	if (pid == 0) {
		/* Hold nothing of the caller's (the device, netlink sockets,
		 * other connections' kernel ends): only our two sockets (and
		 * the kernel log). */
		close_fds_but(io->fd, sv[1]);
		signal(SIGHUP, SIG_IGN);
		confine(a, -1, 0);
		_exit(nbd_tls_relay_run(io, sv[1], err) < 0 ? err->code : 0);
	}
	close(sv[1]);
	nbd_tls_forget(io);
	*kernel_fd = sv[0];
	return (int)pid;
}

/* TLS: kTLS on the same TCP socket when the kernel can take it, else (or
 * with --tls-relay) a relay process over a socketpair. */
static int tls_handoff(struct attach *a, struct nbd_io *io, int *fd, struct nbd_err *err)
{
	char sess[64];           /* "TLSv1.3 TLS13-AES128-GCM-SHA256" */
	int pid;

	nbd_tls_active(io, sess, sizeof sess);
	if (!a->c.tls_conf.relay) {
		*fd = nbd_tls_ktls(io, err);
		if (*fd >= 0) {
			nbd_fmt(a->datapath, sizeof a->datapath, "kTLS, %s", sess);
			return 0;
		}
		if (err->code != NBX_NOTSUP)
			return -1;      /* keys half installed: the link is lost */
		msg("%s; using the user-space relay", err->msg);
	}
	if ((pid = start_relay(a, io, fd, err)) < 0) {
		nbd_io_close(io);
		return -1;
	}
	nbd_fmt(a->datapath, sizeof a->datapath, "TLS relay pid %d, %s", pid, sess);
	return 0;
}

int attach_negotiate(struct attach *a, int nth, int *fd, struct nbd_err *err)
{
	static struct nbd_hs hs;
	struct nbd_io io;
	const char *why;
	char wb[96];

	if (conn_open(&a->c, &io, &hs, err) < 0)
		return -1;
	/* GOAL_GO alone: no structured replies, no extended headers. The
	 * kernel speaks simple replies only. */
	if (nbd_hs_run(&hs, NBD_GOAL_GO) < 0) {
		nbd_hs_close(&hs);
		return -1;
	}
	/* Every later connection, -C N or a --persist reconnect, must lead
	 * to what the kernel already has, or it gets none. */
	if (!a->have_first) {
		a->first = hs.exp;
		a->have_first = 1;
	} else if ((why = nbd_export_changed(&a->first, &hs.exp, !a->read_only, a->conns > 1,
					     wb, sizeof wb))) {
		nbd_hs_close(&hs);
		if (a->c.nalt)          /* --alt: try the next server */
			a->c.cur = (a->c.cur + 1) % (a->c.nalt + 1);
		return nbd_seterr_peer(err, io.peer, NBX_EXPORT, 0,
				       "connection %d: %s: not handing it to the kernel", nth + 1, why);
	}
	nbd_fmt(a->last_peer, sizeof a->last_peer, "%s", io.peer);
	if (ENABLE_TLS && hs.tls_done)
		return tls_handoff(a, &io, fd, err);
	nbd_fmt(a->datapath, sizeof a->datapath, "plain");
	*fd = nbd_sock_release(&io);
	return 0;
}

void attach_close_fds(struct nbd_devconf *conf)
{
	int i;

	for (i = 0; i < conf->nfds; i++)
		if (conf->fds[i] >= 0)
			close(conf->fds[i]);
	conf->nfds = 0;
}

/* Spreading a writable export over servers that each hold a copy would
 * let the copies diverge (a write reaches one server, a later read of
 * the same block may come from another). */
static int spread_refused(struct attach *a, struct nbd_err *err)
{
	if (!a->nsrv || a->read_only || (a->first.tflags & NBD_TF_READ_ONLY) || a->shared_store)
		return 0;
	attach_close_fds(&a->conf);
	return nbd_seterr(err, NBX_USAGE, 0,
			  "-C %d over %d servers: a writable export's copies would diverge: "
			  "-r, or --shared-store",
			  a->conns, a->nsrv);
}

int attach_connect_all(struct attach *a, int n, struct nbd_err *err)
{
	int i, fd;

	for (i = 0; i < n; i++) {
		/* Spreading: connection i starts at its home server (and
		 * moves on, as --alt does, when that one does not answer). */
		if (a->nsrv)
			a->c.cur = nbd_spread_home(i, a->nsrv);
		if (attach_negotiate(a, i, &fd, err) < 0) {
			attach_close_fds(&a->conf);
			return -1;
		}
		a->conf.fds[a->conf.nfds++] = fd;
		a->at[i] = a->c.cur;
		memcpy(a->peer[i], a->last_peer, sizeof a->peer[i]);
		/* Refuse before opening more connections or touching the
		 * kernel (which would say only EINVAL). */
		if (i == 0 && a->conns > 1 && !(a->first.tflags & NBD_TF_CAN_MULTI_CONN)) {
			attach_close_fds(&a->conf);
			return nbd_seterr(err, NBX_NOTSUP, 0,
					  "-C %d: the server does not advertise CAN_MULTI_CONN: "
					  "it allows one connection only", a->conns);
		}
		if (i == 0 && spread_refused(a, err))
			return -1;
	}
	return 0;
}

void attach_note(struct attach *a, int index)
{
	char conns[NBD_MAX_CONNS * 96], *p = conns;
	int i;

	conns[0] = 0;
	for (i = 0; i < a->conns; i++) {
		const char *s = a->at[i] < 0 ? "lost, reconnecting" : a->peer[i];

		p += nbd_fmt(p, sizeof conns - (size_t)(p - conns), "%d %s%s\n", i + 1, s,
			     a->at[i] >= 0 && a->at[i] != nbd_spread_home(i, a->nsrv) ? " (away)" : "");
	}
	nbd_dev_note(index, a->datapath, conns);
}

/* Retry pacing after a lost link (both reconnect loops): 100, 200, 400 ms,
 * then every 500 ms: I/O resumes within about half a second of the
 * server's return, and a server that is down sees about 2 connections a
 * second. */
#define RECONNECT_BACKOFF NBD_BACKOFF(100, 500)

/* That pacing, and no other: --wait (a root's nbd-attach --cmdline has
 * --wait 300) would retry inside each connection attempt at its own
 * pace, up to 2 s apart, and a reconnect would then come up to 2 s after
 * the server's return. */
struct nbd_backoff reconnect_pacing(struct attach *a)
{
	struct nbd_backoff b = RECONNECT_BACKOFF;

	a->c.wait_s = 0;
	return b;
}

/* Is /dev/nbdN still the configuration this process made? Detached, or
 * detached and attached again by someone else (same index, another pid in
 * sysfs): not ours, and a reconnect would hand that device a link to our
 * server. The --persist process is the one that sent NBD_CMD_CONNECT.
 * sysfs says, while this process can see it. After switch_root it sits in
 * the emptied initramfs, where /sys is gone: then the kernel is asked over
 * netlink (NBD_CMD_STATUS, no path needed; it cannot tell whose the
 * configuration is), and no answer at all is "cannot tell", never
 * "detached". */
int still_ours(int index)
{
	struct nbd_devinfo d;
	int r;

	if (access("/sys/block", F_OK) == 0)
		return nbd_dev_query(index, &d, NULL) == 0 && d.attached && d.pid == (long)getpid();
	r = nbd_nl_connected(index, NULL);
	return r < 0 ? 1 : r;
}

/* Why a reconnect did not happen, where someone can read it: the resident
 * has no terminal, so the kernel log (next to the nbd driver's own lines)
 * and stderr (seen with --foreground). Said once per distinct reason, not
 * at every retry. */
void say_reconnect(int index, const struct nbd_err *err)
{
	static char last[sizeof err->msg];

	if (!strcmp(last, err->msg))
		return;
	memcpy(last, err->msg, sizeof last);
	klog('4', index, "reconnect: ", err->msg);
	msg("/dev/nbd%d: reconnect: %s", index, err->msg);
}
