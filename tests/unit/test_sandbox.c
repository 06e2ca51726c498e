/* platform/linux/sandbox.c on the machine running the tests: a child
 * confines itself, then makes calls the filter refuses (SIGSYS, EPERM,
 * the number seen by the handler) and calls it allows; the parent reads
 * its /proc/PID/status through nbd_sandbox_describe(). Under qemu-user
 * (the cross runs) no seccomp filter can be loaded (qemu refuses
 * PR_SET_SECCOMP): the rest is still checked and a note says so; the
 * filter itself runs on each CPU's real kernel in tests/vm (ARCH=...). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "autoconf.h"
#include "unit.h"
#include "platform.h"

#if ENABLE_SANDBOX && ENABLE_PLATFORM_LINUX
static volatile int last_refused = -1, nrefused;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	last_refused = nbd_sandbox_refused(si, uc);
	nrefused++;
}

struct sbres {
	int r, code;
	char msg[128];
	long exec_ret;
	int exec_errno, exec_nr;
	long ioctl_ret;
	int ioctl_errno, ioctl_nr;
	long fionread_ret;
	int fionread_errno;
	int open_errno, nrefused;
};

/* The confined child's exit: the raw call, as _exit() would make ASan
 * call sigaltstack first (outside the filter). */
static void quit(int code)
{
	syscall(SYS_exit_group, code);
}

/* The child: confine, try, report through the pipe, wait to be read. */
static void child(int wfd, int gofd)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	struct nbd_sandbox s = { .dev_index = -1, .sys_admin = 1 };
	struct nbd_err err;
	struct sbres res;
	char *argv[] = { "nbdbox-unit", NULL };
	char c;
	int n = 0;
	long fd;

	memset(&res, 0, sizeof res);
	sigaction(SIGSYS, &sa, NULL);
	res.r = nbd_sandbox_enter(&s, &err);
	if (res.r < 0) {
		res.code = err.code;
		snprintf(res.msg, sizeof res.msg, "%.100s", err.msg);
	}
	/* Raw calls: no libc or sanitizer wrapper in between. */
	res.exec_ret = syscall(SYS_execve, "/nonexistent/nbdbox-unit", argv, argv + 1);
	res.exec_errno = errno;
	res.exec_nr = last_refused;
	last_refused = -1;
	res.ioctl_ret = syscall(SYS_ioctl, 0, TIOCSTI, "x"); /* not the nbd driver's */
	res.ioctl_errno = errno;
	res.ioctl_nr = last_refused;
	res.fionread_ret = syscall(SYS_ioctl, -1, FIONREAD, &n);
	res.fionread_errno = errno;
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
	res.open_errno = fd < 0 ? errno : 0;
	res.nrefused = nrefused;
	quit(write(wfd, &res, sizeof res) < 0 || read(gofd, &c, 1) < 0 ? 2 : 0);
}

TEST(sandbox_child_confined)
{
	int out[2], go[2], st;
	struct sbres res;
	char desc[96];
	pid_t pid;

	CHECK(pipe(out) == 0 && pipe(go) == 0);
	if ((pid = fork()) == 0) {
		close(out[0]);
		close(go[1]);
		child(out[1], go[0]);
	}
	close(out[1]);
	close(go[0]);
	CHECK_EQ(read(out[0], &res, sizeof res), sizeof res);
	nbd_sandbox_describe(pid, desc, sizeof desc);
	close(go[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(out[0]);
	if (res.r < 0 && strstr(res.msg, "seccomp: ")) {
		/* qemu-user: everything but the filter was done. */
		fprintf(stderr, "note: no seccomp filter here (%s): qemu-user?\n", res.msg);
		CHECK(!strncmp(desc, "yes: no_new_privs, CapEff ", 26));
		return;
	}
	CHECK(res.r >= 0);
	if (res.r < 0)
		fprintf(stderr, "nbd_sandbox_enter: %s\n", res.msg);
#if defined __x86_64__ || defined __i386__ || defined __aarch64__ || defined __arm__ || \
	defined __s390x__
	CHECK(res.r & NBD_SB_SECCOMP);
#endif
	if (!(res.r & NBD_SB_SECCOMP))
		return;
	CHECK(res.r & NBD_SB_NNP);
	CHECK(res.r & NBD_SB_CAPS);
	/* execve: trapped, its number seen, EPERM returned. */
	CHECK_EQ(res.exec_ret, -1);
	CHECK_EQ(res.exec_errno, EPERM);
	CHECK_EQ(res.exec_nr, SYS_execve);
	/* ioctl: another driver's request refused, FIONREAD let through
	 * (EBADF from the kernel, not EPERM from the filter). */
	CHECK_EQ(res.ioctl_ret, -1);
	CHECK_EQ(res.ioctl_errno, EPERM);
	CHECK_EQ(res.ioctl_nr, SYS_ioctl);
	CHECK_EQ(res.fionread_ret, -1);
	CHECK_EQ(res.fionread_errno, EBADF);
	CHECK_EQ(res.nrefused, 2);
	/* Landlock, where the kernel has it: /dev/null is not a file the
	 * resident needs. */
	if (res.r & NBD_SB_LANDLOCK)
		CHECK_EQ(res.open_errno, EACCES);
	else
		fprintf(stderr, "note: no Landlock in this kernel\n");
	/* At most CAP_SYS_ADMIN left (none if the tests run unprivileged). */
	CHECK(!strncmp(desc, "yes: seccomp filter, no_new_privs, CapEff ", 42));
	CHECK((strtoull(desc + 42, NULL, 16) & ~(1ull << 21)) == 0);
}

#if defined __x86_64__
/* Another ABI's call (i386's int 0x80, an x32 number) kills: its numbers
 * mean other calls. */
TEST(sandbox_other_abi_killed)
{
	int k, st;

	for (k = 0; k < 2; k++) {
		pid_t pid = fork();

		if (pid == 0) {
			struct nbd_sandbox s = { .dev_index = -1 };
			struct nbd_err err;
			long r = 20; /* i386 getpid */
			int done = nbd_sandbox_enter(&s, &err);

			if (done < 0 || !(done & NBD_SB_SECCOMP))
				quit(3);
			if (k == 0)
				__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
			else
				syscall(SYS_getpid | 0x40000000);
			quit(0);
		}
		CHECK(waitpid(pid, &st, 0) == pid);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
			return; /* no filter here: sandbox_child_confined says why */
		CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS);
	}
}
#endif
#endif
