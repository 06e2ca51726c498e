/* The process plumbing of nbd-attach's resident processes: fork and
 * detach (a session, / as directory, stdio on /dev/null), the root-storage
 * treatment (-m, --swap: signals, mlockall, OOM), the '@' mark and the
 * kernel log. Knows nothing of NBD: handover.c and resident.c call it;
 * it calls neither. See attach.h. */
//kbuild:obj-$(CONFIG_NBD_ATTACH) += daemon.o

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2, program_invocation_name */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>
#include "autoconf.h"
#include "attach.h"
#include "fmt.h"

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

void mark_argv0(const struct attach *a)
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
void root_storage(const struct attach *a)
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
pid_t fork_detached(const struct attach *a)
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
pid_t fork_resident(const struct attach *a, int *fd)
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
