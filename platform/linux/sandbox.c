/* Confinement of the long-lived processes (the --persist resident, the
 * ioctl NBD_DO_IT server, the TLS relay) once their setup is done:
 * no_new_privs, every capability but the ones the kernel still checks,
 * Landlock (no new files but the few a reconnect opens) and a seccomp-BPF
 * allow-list of the system calls they make. A call outside the list
 * traps (SIGSYS): the applet's handler logs it and nbd_sandbox_refused()
 * makes it return -EPERM, so a root device keeps being served. */
//config:config SANDBOX
//config:	bool "Confine the resident processes (seccomp, Landlock)"
//config:	default y
//config:	depends on PLATFORM_LINUX
//config:	help
//config:	  After its setup the --persist resident, the ioctl server and
//config:	  the TLS relay confine themselves: no_new_privs, capabilities
//config:	  dropped but CAP_SYS_ADMIN, Landlock, and a seccomp filter of
//config:	  the system calls they make (x86_64, i386, arm64, armhf,
//config:	  s390x). nbd-attach --no-sandbox turns it off at run time.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* REG_RAX, si_syscall */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/nbd.h>
#include <linux/seccomp.h>
#include "autoconf.h"
#include "fmt.h"
#include "platform.h"

/* The architectures whose numbers and return register we know. Elsewhere
 * no filter is loaded (the rest of the confinement still is). */
#if defined __x86_64__ && !defined __ILP32__
#define SB_ARCH AUDIT_ARCH_X86_64
#define SB_RET(uc) ((uc)->uc_mcontext.gregs[REG_RAX])
#elif defined __i386__
#define SB_ARCH AUDIT_ARCH_I386
#define SB_RET(uc) ((uc)->uc_mcontext.gregs[REG_EAX])
#elif defined __aarch64__ && !defined __AARCH64EB__
#define SB_ARCH AUDIT_ARCH_AARCH64
#define SB_RET(uc) ((uc)->uc_mcontext.regs[0])
#elif defined __arm__ && defined __ARM_EABI__
#ifdef __ARMEB__
#define SB_ARCH AUDIT_ARCH_ARMEB
#else
#define SB_ARCH AUDIT_ARCH_ARM
#endif
#define SB_RET(uc) ((uc)->uc_mcontext.arm_r0)
#elif defined __s390x__
#define SB_ARCH AUDIT_ARCH_S390X
#define SB_RET(uc) ((uc)->uc_mcontext.gregs[2])
#endif

#if ENABLE_SANDBOX && defined SB_ARCH
/* What the resident and the relay call after their setup, found with
 * strace -f on each of them (netlink and ioctl --persist, kTLS and the
 * relay, a server restarted, --alt) and by the SIGSYS log of the VM runs
 * on each libc (tests/vm/scenarios/57-sandbox.sh). Numbers from the
 * target's own headers; what a CPU or libc lacks is left out by #ifdef.
 * ioctl is checked apart: NBD's own and FIONREAD only. */
static const unsigned short allowed[] = {
	/* files and descriptors: the kernel log, sysfs (still_ours), the
	 * --ioctl reopen of /dev/nbdN, wolfSSL's seed */
	__NR_read, __NR_write, __NR_readv, __NR_writev, __NR_close, __NR_lseek,
	__NR_openat, __NR_getdents64, __NR_fcntl,
#ifdef __NR_open
	__NR_open,
#endif
#ifdef __NR_fcntl64
	__NR_fcntl64,
#endif
#ifdef __NR__llseek
	__NR__llseek,
#endif
#ifdef __NR_readlink
	__NR_readlink,
#endif
	__NR_readlinkat, __NR_faccessat, __NR_fstat,
#ifdef __NR_newfstatat
	__NR_newfstatat,
#endif
#ifdef __NR_fstatat64
	__NR_fstatat64,
#endif
#ifdef __NR_fstat64
	__NR_fstat64,
#endif
#ifdef __NR_access
	__NR_access,
#endif
#ifdef __NR_faccessat2
	__NR_faccessat2,
#endif
#ifdef __NR_statx
	__NR_statx,
#endif
	/* the note in /run/nbdbox a reconnect rewrites (nbd_dev_note: a
	 * mkdir that finds it there, a file written aside and renamed) */
#ifdef __NR_mkdir
	__NR_mkdir,
#endif
#ifdef __NR_rename
	__NR_rename,
#endif
#ifdef __NR_renameat
	__NR_renameat,
#endif
#ifdef __NR_renameat2
	__NR_renameat2,
#endif
#ifdef __NR_unlink
	__NR_unlink,
#endif
	__NR_mkdirat, __NR_unlinkat,
	/* sockets: the reconnect (TCP, Unix, DNS over UDP, kTLS setsockopt),
	 * netlink (RECONFIGURE, STATUS, LINK_DEAD), the relay */
#ifdef __NR_socketcall
	__NR_socketcall,
#endif
#ifdef __NR_socket
	__NR_socket, __NR_socketpair, __NR_connect, __NR_bind, __NR_getsockname,
	__NR_getpeername, __NR_setsockopt, __NR_getsockopt, __NR_sendto, __NR_recvfrom,
	__NR_sendmsg, __NR_recvmsg, __NR_shutdown,
#endif
#ifdef __NR_send
	__NR_send,
#endif
#ifdef __NR_recv
	__NR_recv,
#endif
	/* waiting and time */
#ifdef __NR_poll
	__NR_poll,
#endif
#ifdef __NR_ppoll
	__NR_ppoll,
#endif
#ifdef __NR_ppoll_time64
	__NR_ppoll_time64,
#endif
#ifdef __NR_nanosleep
	__NR_nanosleep,
#endif
#ifdef __NR_clock_nanosleep
	__NR_clock_nanosleep,
#endif
#ifdef __NR_clock_nanosleep_time64
	__NR_clock_nanosleep_time64,
#endif
#ifdef __NR_clock_gettime
	__NR_clock_gettime,
#endif
#ifdef __NR_clock_gettime64
	__NR_clock_gettime64,
#endif
#ifdef __NR_gettimeofday
	__NR_gettimeofday,
#endif
#ifdef __NR_time
	__NR_time,
#endif
	/* musl's names for the 32-bit time calls (its fallback on a
	 * kernel without the time64 ones) */
#ifdef __NR_clock_gettime32
	__NR_clock_gettime32,
#endif
#ifdef __NR_clock_nanosleep_time32
	__NR_clock_nanosleep_time32,
#endif
#ifdef __NR_gettimeofday_time32
	__NR_gettimeofday_time32,
#endif
#ifdef __NR_futex
	__NR_futex,
#endif
#ifdef __NR_futex_time64
	__NR_futex_time64,
#endif
	/* memory (malloc: wolfSSL's sessions, the handshake) */
	__NR_brk, __NR_munmap, __NR_mremap, __NR_madvise,
#ifdef __NR_mmap
	__NR_mmap,
#endif
#ifdef __NR_mmap2
	__NR_mmap2,
#endif
	/* the process: a reconnect over TLS may fork a relay; signals */
	__NR_getpid, __NR_gettid, __NR_exit, __NR_exit_group, __NR_rt_sigaction,
	__NR_rt_sigprocmask, __NR_rt_sigreturn, __NR_restart_syscall, __NR_tgkill,
	__NR_clone, __NR_wait4, __NR_set_tid_address, __NR_set_robust_list,
#ifdef __NR_fork
	__NR_fork,
#endif
#ifdef __NR_sigreturn
	__NR_sigreturn,
#endif
	/* wolfSSL's RNG seed */
	__NR_getrandom,
	/* a relay forked by a reconnect: its capabilities dropped further,
	 * its memory locked (--swap) */
	__NR_capget, __NR_capset, __NR_mlockall,
};

#define INS(c, k, jt, jf) ((struct sock_filter){ (c), (jt), (jf), (k) })
#define JEQ(k, jt) INS(BPF_JMP | BPF_JEQ | BPF_K, (k), (jt), 0)
#define LD(off)    INS(BPF_LD | BPF_W | BPF_ABS, (off), 0, 0)
#define RET(k)     INS(BPF_RET | BPF_K, (k), 0, 0)
#define NALLOWED   (sizeof allowed / sizeof *allowed)
/* The low 32 bits of argument n (the BPF word loads are 32-bit). */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]) + 4)
#else
#define ARG_LO(n) offsetof(struct seccomp_data, args[n])
#endif

static int load_filter(void)
{
	struct sock_filter f[NALLOWED + 16];
	struct sock_fprog prog = { .filter = f };
	unsigned n = 0, i, allow;

	/* Another ABI's numbers mean other calls: killed, not trapped. */
	f[n++] = LD(offsetof(struct seccomp_data, arch));
	f[n++] = JEQ(SB_ARCH, 1);
	f[n++] = RET(SECCOMP_RET_KILL_PROCESS);
	f[n++] = LD(offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 calls share x86_64's audit arch, with bit 30 set. */
	f[n++] = INS(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	f[n++] = RET(SECCOMP_RET_KILL_PROCESS);
#endif
	/* ioctl: the nbd driver's (type 0xab: NBD_SET_SOCK, DO_IT, CLEAR_*)
	 * and FIONREAD (a kTLS hand-off checks nothing is buffered). */
	f[n++] = INS(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 5);
	f[n++] = LD(ARG_LO(1));
	f[n++] = JEQ(FIONREAD, 0);  /* jt patched: allow */
	f[n++] = INS(BPF_ALU | BPF_AND | BPF_K, ~0xffu, 0, 0);
	f[n++] = JEQ(NBD_SET_SOCK & ~0xffu, 0); /* jt patched: allow */
	f[n++] = RET(SECCOMP_RET_TRAP);
	f[n++] = LD(offsetof(struct seccomp_data, nr));
	for (i = 0; i < NALLOWED; i++)
		f[n++] = JEQ(allowed[i], 0);
	f[n++] = RET(SECCOMP_RET_TRAP);
	allow = n;
	f[n++] = RET(SECCOMP_RET_ALLOW);
	/* Every match (a JEQ whose jumps are still 0) goes to allow. */
	for (i = 0; i < n; i++)
		if (f[i].code == (BPF_JMP | BPF_JEQ | BPF_K) && !f[i].jt && !f[i].jf)
			f[i].jt = (unsigned char)(allow - i - 1);
	prog.len = (unsigned short)n;
	return (int)syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

int nbd_sandbox_refused(void *siginfo, void *ucontext)
{
	siginfo_t *si = siginfo;
	ucontext_t *uc = ucontext;

	SB_RET(uc) = -EPERM;
	return si->si_syscall;
}
#else
#if ENABLE_SANDBOX
static int load_filter(void) { errno = ENOSYS; return -1; }
#endif
int nbd_sandbox_refused(void *siginfo, void *ucontext)
{
	(void)siginfo, (void)ucontext;
	return -1;
}
#endif

#if ENABLE_SANDBOX
/* Capabilities: the bounding set emptied (nothing can come back through
 * an exec), then the process's own sets cut to keep. */
static int drop_caps(uint64_t keep, int again)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int c;

	for (c = 0; c < 64 && !again; c++)
		if (!(keep >> c & 1) && syscall(SYS_prctl, PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno == EINVAL)
			break;
	if (!again)
		syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	for (c = 0; c < 2; c++) {
		d[c].effective &= (uint32_t)(keep >> 32 * c);
		d[c].permitted &= (uint32_t)(keep >> 32 * c);
		d[c].inheritable = 0;
	}
	return (int)syscall(SYS_capset, &h, d);
}

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define LL_ALL_V1 ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)

static void ll_allow(int ruleset, const char *path, uint64_t access)
{
	struct landlock_path_beneath_attr pb = { .allowed_access = access };

	if (!path || (pb.parent_fd = open(path, O_PATH | O_CLOEXEC)) < 0)
		return;
	syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
}

/* Landlock (5.13+): no file opened from now on but /sys (read), the
 * random device (wolfSSL seeds from it), the resolver's files (a --alt
 * name not resolved yet), the note in /run/nbdbox (written anew, by
 * rename, when a connection moves) and, for an ioctl reconnect,
 * /dev/nbdN. The kernel log is open already. 1 done, 0 no Landlock here, -1 failed. */
static int landlock(const struct nbd_sandbox *s)
{
	struct landlock_ruleset_attr ra = { .handled_access_fs = LL_ALL_V1 };
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	char dev[32];
	int fd, r;

	if (abi < 1)
		return 0;
	if (abi >= 2)
		ra.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if ((fd = (int)syscall(__NR_landlock_create_ruleset, &ra, sizeof ra, 0)) < 0)
		return -1;
	ll_allow(fd, "/sys", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR);
	ll_allow(fd, "/dev/urandom", LANDLOCK_ACCESS_FS_READ_FILE);
	ll_allow(fd, "/dev/random", LANDLOCK_ACCESS_FS_READ_FILE);
	ll_allow(fd, "/etc/hosts", LANDLOCK_ACCESS_FS_READ_FILE);
	ll_allow(fd, s->resolv_conf ? s->resolv_conf : "/etc/resolv.conf",
		 LANDLOCK_ACCESS_FS_READ_FILE);
	/* the connections' note a reconnect rewrites (nbd-probe DEVICE) */
	ll_allow(fd, NBD_NOTE_DIR, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
		 LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE);
	if (s->dev_index >= 0) {
		nbd_fmt(dev, sizeof dev, "/dev/nbd%d", s->dev_index);
		ll_allow(fd, dev, LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE);
	}
	r = (int)syscall(__NR_landlock_restrict_self, fd, 0);
	close(fd);
	return r < 0 ? -1 : 1;
}

int nbd_sandbox_enter(const struct nbd_sandbox *s, struct nbd_err *err)
{
	static int entered;     /* NBD_SB_* of the first call, inherited by fork */
	uint64_t keep = 0;
	const char *step = "capset";
	int done = NBD_SB_CAPS | NBD_SB_NNP, r;

	if (s->sys_admin)
		keep |= 1ull << CAP_SYS_ADMIN;
	if (s->net_admin)
		keep |= 1ull << CAP_NET_ADMIN;
	if (s->ipc_lock)
		keep |= 1ull << CAP_IPC_LOCK;
	if (drop_caps(keep, entered) < 0)
		goto fail;
	if (entered)
		return entered;
	step = "no_new_privs";
	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	step = "landlock";
	if ((r = landlock(s)) < 0)
		goto fail;
	if (r)
		done |= NBD_SB_LANDLOCK;
	step = "seccomp";
	if (load_filter() == 0)
		done |= NBD_SB_SECCOMP;
	else if (errno != ENOSYS)
		goto fail;
	return entered = done;
fail:
	return nbd_seterr(err, NBX_FAIL, errno, "%s: %s", step, strerror(errno));
}
#else
int nbd_sandbox_enter(const struct nbd_sandbox *s, struct nbd_err *err)
{
	(void)s;
	return nbd_seterr(err, NBX_NOTSUP, ENOTSUP, "built without the sandbox");
}
#endif

/* The value of NAME ("CapEff:\t") in the /proc/PID/status text at *cur,
 * its line ended, *cur moved past it; "" if absent. (No strstr: musl's
 * costs 1.2 KiB.) */
static const char *field(char **cur, const char *name)
{
	size_t n = strlen(name);
	char *p, *e;

	for (p = *cur; *p; p = e + 1) {
		if (!(e = strchr(p, '\n')))
			break;
		if (!strncmp(p, name, n)) {
			*e = 0;
			*cur = e + 1;
			return p + n;
		}
	}
	return "";
}

/* "Seccomp:", "NoNewPrivs:" and "CapEff:" of /proc/PID/status. */
void nbd_sandbox_describe(long pid, char *buf, size_t size)
{
	char st[4096], *cur = st;
	const char *cap;
	ssize_t n;
	int fd, sec, nnp;

	nbd_fmt(st, sizeof st, "/proc/%ld/status", pid);
	buf[0] = 0;
	if ((fd = open(st, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, st, sizeof st - 1);
	close(fd);
	if (n <= 0)
		return;
	st[n] = 0;
	/* In this order in the file (fs/proc/array.c). */
	cap = field(&cur, "CapEff:\t");
	nnp = *field(&cur, "NoNewPrivs:\t") == '1';
	sec = *field(&cur, "Seccomp:\t") == '2';
	nbd_fmt(buf, size, sec || nnp ? "yes: %s%sCapEff %s" : "no (CapEff %s%s%s)",
		sec ? "seccomp filter, " : "", nnp ? "no_new_privs, " : "", cap);
}
