/* nbd-attach's processes that outlive the command: the ioctl NBD_DO_IT
 * server and the --persist monitor (netlink: wait for LINK_DEAD,
 * renegotiate, RECONFIGURE). Called from nbd-attach.c; calls handover.c
 * (connections) and daemon.c (fork, detach, kernel log). The TLS relay's
 * process is handover.c's. */
//kbuild:obj-$(CONFIG_NBD_ATTACH) += resident.o

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "autoconf.h"
#include "attach.h"
#include "fmt.h"

static int print_dev(struct attach *a, int index)
{
	attach_note(a, index);
	out("/dev/nbd%d\n", index);
	return finish_output();
}

/* Not inlined into serve(), its only caller: its symbol is how
 * tests/shell/test_build.sh sees NBD_ATTACH_PERSIST off drop it. The
 * loop itself is attach-spread.c's (one server, failover, spread). */
static __attribute__((noinline)) int persist_netlink(struct attach *a, struct nbd_nl_mon *mon,
						     int index)
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

/* Setup done, now serve: every resident loop (ioctl NBD_DO_IT, the
 * netlink --persist monitor), in front (--foreground) or forked, starts
 * here, once its device is set up, and nowhere else. What a serving
 * process must do before it serves belongs here. devfd >= 0: ioctl
 * (NBD_DO_IT on devfd); else netlink --persist. Returns an exit code (err
 * filled for ioctl). */
static int serve(struct attach *a, struct nbd_nl_mon *mon, int devfd, int index,
		 struct nbd_err *err)
{
	if (a->foreground) {
		/* A forked one had these in fork_detached. */
		mark_argv0(a);
		root_storage(a);
	}
	/* Last: the sandbox (daemon.c). An ioctl --persist reconnect opens
	 * /dev/nbdN again. */
	if (devfd >= 0 || PERSIST(a))
		confine(a, index, devfd >= 0 && PERSIST(a));
	if (devfd >= 0)
		return serve_ioctl(a, devfd, index, mon, err);
	return PERSIST(a) ? persist_netlink(a, mon, index) : 0;
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
		i = serve(a, mon, devfd, index, &err);
		return i ? report(&err) : 0;
	}
	if ((pid = fork_resident(a, &fd)) < 0) {
		nbd_ioctl_clear(devfd);
		return NBX_FAIL;
	}
	if (pid == 0) {
		i = serve(a, mon, devfd, index, &err);
		/* Tell the parent if it is still waiting (a DO_IT that failed
		 * at once); after that nobody reads. */
		if (i)
			write_or_drop(fd, &err, sizeof err);
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
		_exit(serve(a, mon, -1, res.index, &res.err));
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
		_exit(serve(a, mon, -1, res.index, &res.err));
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
