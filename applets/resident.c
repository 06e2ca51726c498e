/* nbd-attach's processes that outlive the command: the TLS relay, the
 * ioctl NBD_DO_IT server and the --persist monitor (netlink: wait for
 * LINK_DEAD, renegotiate, RECONFIGURE). Called from nbd-attach.c. */
//kbuild:obj-$(CONFIG_NBD_ATTACH) += resident.o

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, program_invocation_name */
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "autoconf.h"
#include "attach.h"
#include "fmt.h"

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

/* The kernel log, opened before stdio goes to /dev/null and kept: the
 * resident's only voice, and one that needs no path once the boot has
 * moved on. Level '4' (<4>) warning, '6' info. */
static int klog_fd = -1;
/* The caller's stderr when it was a terminal (the console of a boot):
 * warnings (a refused reconnect) go there too, for the person at it. */
static int con_fd = -1;

/* "<L>nbd-attach[PID]: /dev/nbdN: WHAT WHY" */
void klog(char level, int index, const char *what, const char *why)
{
	char line[640];
	size_t n;

	if (klog_fd < 0)
		klog_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	n = nbd_fmt(line, sizeof line, "<%c>%s[%ld]: /dev/nbd%d: %s%s\n", level, applet_name,
		    (long)getpid(), index, what, why);
	if (klog_fd >= 0 && write(klog_fd, line, n) < 0)
		(void)0;
	if (con_fd >= 0 && level < '5' && write(con_fd, line + 3, n - 3) < 0)
		(void)0;
}

/* Detach from the terminal: the caller's pipes must close when it exits
 * (`nbd-attach ... | read dev` would hang on an inherited stdout). */
static void quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* Started from the initrd: dracut's has /etc/initrd-release, Debian's
 * initramfs-tools none, but there / is the initramfs itself (rootfs:
 * ramfs or tmpfs). */
static int from_initrd(void)
{
	struct statfs st;

	if (access("/etc/initrd-release", F_OK) == 0)
		return 1;
	return statfs("/", &st) == 0 &&
	       (st.f_type == 0x858458f6 /* RAMFS_MAGIC */ || st.f_type == 0x01021994 /* TMPFS_MAGIC */);
}

static void mark_argv0(const struct attach *a)
{
	/* systemd spares initrd processes whose argv[0] starts with '@'
	 * (its ROOT_STORAGE_DAEMONS rules): at switch_root and shutdown. */
	if (a->mark && from_initrd() && program_invocation_name && *program_invocation_name)
		program_invocation_name[0] = '@';
}

/* The resident process of a root or swap device (-m, --swap): a shutdown
 * that sends SIGTERM/SIGHUP to everyone must not take the storage away
 * (nbd-detach still ends it). --swap: never paged out (its own pages could
 * sit on the device it serves), never the OOM killer's choice. Done before
 * the boot moves on, while the initramfs's /proc is there. */
static void root_storage(const struct attach *a)
{
	int fd;

	if (a->mark || a->swap) {
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
	}
	if (!a->swap)
		return;
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		msg("warning: --swap: mlockall: %s", strerror(errno));
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		msg("warning: --swap: oom_score_adj: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* fork() for a process that stays behind: in the child, a session of its
 * own, / as its directory, stdio on /dev/null, no death by SIGPIPE, the
 * root-storage treatment and the '@' mark. Returns what fork() returned. */
static pid_t fork_detached(const struct attach *a)
{
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		signal(SIGPIPE, SIG_IGN);
		if (chdir("/") < 0)
			(void)0;
		root_storage(a);        /* its warnings still reach stderr */
		if (PERSIST(a)) {
			klog_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
			if (isatty(2))
				con_fd = fcntl(2, F_DUPFD_CLOEXEC, 3);
		}
		quiet_stdio();
		mark_argv0(a);
	}
	return pid;
}

/* The resident process, with a close-on-exec pipe back to the parent for
 * its first word: returns fork()'s value, *fd the child's write end or
 * the parent's read end; -1 printed. */
static pid_t fork_resident(const struct attach *a, int *fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		msg("pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork_detached(a)) < 0) {
		msg("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	close(pfd[pid ? 1 : 0]);
	*fd = pfd[pid ? 0 : 1];
	return pid;
}

int attach_relay(struct attach *a, struct nbd_io *io, int *kernel_fd, struct nbd_err *err)
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

static int print_dev(struct attach *a, int index)
{
	attach_note(a, index);
	out("/dev/nbd%d\n", index);
	return finish_output();
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

/* ---- --persist, netlink: wait for LINK_DEAD, renegotiate, RECONFIGURE */

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

/* --persist over netlink: applets/attach-spread.c, for one server, for
 * failover (--alt) and for connections spread over servers alike. */
static int persist_netlink(struct attach *a, struct nbd_nl_mon *mon, int index)
{
	return attach_spread_persist(a, mon, index);
}

/* ---- ioctl: a process sits in NBD_DO_IT */

/* Serve until detached. With --persist, a lost link (told from a detach
 * by the LINK_DEAD event, when the netlink family exists) starts a new
 * DO_IT cycle on fresh sockets. Returns an exit code. */
static int serve_ioctl(struct attach *a, int devfd, int index, struct nbd_nl_mon *mon,
		       struct nbd_err *err)
{
	int cycles = 0;

	for (;;) {
		struct nbd_backoff backoff = reconnect_pacing(a);
		int r = nbd_ioctl_doit(devfd, index, err), lost = 0, got;

		if (r == 0 && PERSIST(a) && mon) {
			/* The event is queued by the receive worker before
			 * DO_IT returns; give the workqueue a moment. */
			lost = nbd_nl_mon_wait(mon, index, 1000, NULL) > 0;
		}
		nbd_ioctl_clear(devfd);
		if (r < 0) {
			if (cycles)
				say_reconnect(index, err); /* a later DO_IT: no caller to tell */
			return err->code;
		}
		if (!lost)
			return 0;
		klog('4', index, "link lost, reconnecting (a new NBD_DO_IT)", "");
		close(devfd);
		for (;;) {
			if (attach_connect_all(a, a->conns, err) == 0) {
				a->conf.index = index;
				devfd = nbd_ioctl_setup(&a->conf, &got, err);
				attach_close_fds(&a->conf);
				if (devfd >= 0)
					break;
				if (err->errnum == EBUSY) {
					say_reconnect(index, err);
					return err->code; /* someone else took it */
				}
			}
			say_reconnect(index, err);
			nbd_sleep_ms(nbd_backoff_next(&backoff));
		}
		klog('6', index, "reconnected, NBD_DO_IT again", "");
		cycles++;
	}
}

int attach_ioctl(struct attach *a, struct nbd_nl_mon *mon)
{
	struct nbd_err err;
	int devfd, index, fd, i;
	pid_t pid;

	/* A reconnect opens /dev/nbdN again (a fresh open, so the kernel's
	 * config with the dead socket goes when the last one closes; the
	 * same fd would keep it and SET_SOCK would add a second socket):
	 * through /dev held open now, before a switch_root takes the path. */
	if (PERSIST(a))
		nbd_dev_dir_keep();
	devfd = nbd_ioctl_setup(&a->conf, &index, &err);
	attach_close_fds(&a->conf);
	if (devfd < 0)
		return report(&err);
	if (a->foreground) {
		if ((i = print_dev(a, index)))
			return i;
		mark_argv0(a);
		root_storage(a);
		i = serve_ioctl(a, devfd, index, mon, &err);
		return i ? report(&err) : 0;
	}
	if ((pid = fork_resident(a, &fd)) < 0) {
		nbd_ioctl_clear(devfd);
		return NBX_FAIL;
	}
	if (pid == 0) {
		i = serve_ioctl(a, devfd, index, mon, &err);
		/* Tell the parent if it is still waiting (a DO_IT that failed
		 * at once); after that nobody reads. */
		if (i && write(fd, &err, sizeof err) < 0)
			(void)0;
		_exit(i);
	}
	/* Report success only once the child is in DO_IT: sysfs shows its
	 * pid then (TESTBED: size may read 0 a moment before). */
	for (i = 0; i < 200; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct nbd_devinfo d;

		if (poll(&p, 1, 50) > 0) {
			ssize_t n = read(fd, &err, sizeof err);
			if (n == (ssize_t)sizeof err)
				return report(&err);
			/* EOF: the child ended without a word (detached at once). */
			waitpid(pid, NULL, WNOHANG);
			msg("/dev/nbd%d: the serving process ended at once", index);
			return NBX_KERNEL;
		}
		if (nbd_dev_query(index, &d, NULL) == 0 && d.attached && d.pid == pid)
			return print_dev(a, index);
	}
	msg("/dev/nbd%d: NBD_DO_IT did not start within 10 s", index);
	return NBX_KERNEL;
}

int attach_netlink(struct attach *a, struct nbd_nl_mon *mon)
{
	struct {
		int index;
		struct nbd_err err;
	} res;
	int r, fd;
	pid_t pid;

	if (!PERSIST(a) || a->foreground) {
		r = nbd_nl_connect(&a->conf, &res.index, &res.err);
		if (PERSIST(a))
			attach_keep_fds(a);
		else
			attach_close_fds(&a->conf);
		if (r < 0)
			return report(&res.err);
		if ((r = print_dev(a, res.index)) || !PERSIST(a))
			return r;
		mark_argv0(a);
		root_storage(a);
		_exit(persist_netlink(a, mon, res.index));
	}
	/* --persist: the resident process does the CONNECT itself, so the
	 * pid the kernel shows in sysfs (nbd-probe DEVICE, nbd-client -check)
	 * is the one that serves the device. */
	if ((pid = fork_resident(a, &fd)) < 0) {
		attach_close_fds(&a->conf);
		return NBX_FAIL;
	}
	if (pid == 0) {
		r = nbd_nl_connect(&a->conf, &res.index, &res.err);
		if (PERSIST(a))
			attach_keep_fds(a);
		else
			attach_close_fds(&a->conf);
		if (r < 0)
			res.index = -1;
		else
			attach_note(a, res.index);
		if (write(fd, &res, sizeof res) < 0 || r < 0)
			_exit(NBX_FAIL);
		close(fd);
		_exit(persist_netlink(a, mon, res.index));
	}
	attach_close_fds(&a->conf);
	if (read(fd, &res, sizeof res) != (ssize_t)sizeof res) {
		msg("the --persist process ended before attaching");
		return NBX_FAIL;
	}
	if (res.index < 0)
		return report(&res.err);
	out("/dev/nbd%d\n", res.index);
	return finish_output();
}
