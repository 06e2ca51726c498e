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

/* Fork the TLS relay for io's session: *kernel_fd gets the kernel's end of
 * the socketpair, io is let go. Returns the relay's pid, or -1 with err
 * (io untouched). */
static int start_relay(struct attach *a, struct nbd_io *io, int *kernel_fd, struct nbd_err *err)
{
	int sv[2], fd;
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
		 * other connections' kernel ends): only our two sockets. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != io->fd && fd != sv[1])
				close(fd);
		signal(SIGHUP, SIG_IGN);
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

int attach_connect_all(struct attach *a, int n, struct nbd_err *err)
{
	int i, fd;

	for (i = 0; i < n; i++) {
		if (attach_negotiate(a, i, &fd, err) < 0) {
			attach_close_fds(&a->conf);
			return -1;
		}
		a->conf.fds[a->conf.nfds++] = fd;
		/* Refuse before opening more connections or touching the
		 * kernel (which would say only EINVAL). */
		if (i == 0 && a->conns > 1 && !(a->first.tflags & NBD_TF_CAN_MULTI_CONN)) {
			attach_close_fds(&a->conf);
			return nbd_seterr(err, NBX_NOTSUP, 0,
					  "-C %d: the server does not advertise CAN_MULTI_CONN: "
					  "it allows one connection only", a->conns);
		}
	}
	return 0;
}
