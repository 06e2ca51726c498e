/* The kernel-facing calls applets use. platform/linux implements them
 * with generic netlink, ioctls and sysfs; platform/stub answers every one
 * with NBX_NOTSUP, "not supported on this platform". Like core/, nothing
 * here prints or exits: failures fill struct nbd_err (exit class, errno,
 * "STEP: reason") and return -1. */
//config:config PLATFORM_LINUX
//config:	bool "Linux kernel backend (netlink, ioctl, sysfs)"
//config:	default y
//config:	help
//config:	  Talk to the Linux nbd driver. Off: the stub platform, whose
//config:	  kernel-facing calls answer "not supported on this platform".
#ifndef NBDBOX_PLATFORM_H
#define NBDBOX_PLATFORM_H

#include <stdint.h>
#include <sys/types.h>
#include "err.h"

#define NBD_MAX_CONNS 16

/* What the kernel needs to serve a device. */
struct nbd_devconf {
	int index;              /* -1: any free device (netlink: the kernel picks) */
	uint64_t size;          /* bytes, a multiple of block_size */
	uint32_t block_size;    /* power of two, 512 .. page size */
	uint16_t tflags;        /* the server's transmission flags (+ READ_ONLY for -r) */
	unsigned timeout_s;     /* per request; 0: the kernel's default */
	unsigned dead_timeout_s;/* all links dead: I/O waits this long for a new one */
	const char *identifier; /* backend identifier, NULL for none (5.14+) */
	int nfds;
	int fds[NBD_MAX_CONNS]; /* sockets in transmission phase */
};

/* ---- generic netlink (family "nbd") */
/* 1: the family exists; 0: it does not (module not loaded, or a kernel
 * without it); -1: err (no netlink at all is 0, not -1). */
int nbd_nl_available(struct nbd_err *err);
/* NBD_CMD_CONNECT. *index gets the device the kernel used. */
int nbd_nl_connect(const struct nbd_devconf *c, int *index, struct nbd_err *err);
/* NBD_CMD_RECONFIGURE: new sockets for dead ones (c->index must be set). */
int nbd_nl_reconfigure(const struct nbd_devconf *c, struct nbd_err *err);
int nbd_nl_disconnect(int index, struct nbd_err *err);
/* NBD_CMD_STATUS: 1 if device index is configured, 0 if not, -1 err.
 * Needs no path: what a process asks after switch_root, /sys gone. */
int nbd_nl_connected(int index, struct nbd_err *err);

/* Multicast listener for NBD_CMD_LINK_DEAD. */
struct nbd_nl_mon;
struct nbd_nl_mon *nbd_nl_mon_open(struct nbd_err *err);
/* Wait up to timeout_ms (<0: forever) for events. Returns how many
 * LINK_DEAD events named device index (0: timeout or other devices), or
 * -1 on error. */
int nbd_nl_mon_wait(struct nbd_nl_mon *m, int index, int timeout_ms, struct nbd_err *err);
void nbd_nl_mon_close(struct nbd_nl_mon *m);

/* ---- ioctl path */
/* Open /dev/nbdN (c->index, or the first one that is free when -1) and
 * configure it: SET_BLKSIZE, SET_SIZE, SET_TIMEOUT, SET_FLAGS, SET_SOCK.
 * Returns the device fd; *index gets N. */
int nbd_ioctl_setup(const struct nbd_devconf *c, int *index, struct nbd_err *err);
/* What NBD_SET_BLKSIZE and NBD_SET_SIZE_BLOCKS get (unsigned long: 32
 * bits on 32-bit CPUs) for size bytes at block_size: that block size, or
 * the next power of two up to max_block that makes the count fit and
 * divides the size. 0, or -1 (errno ERANGE) when none does. */
int nbd_ioctl_geometry(uint64_t size, uint32_t block_size, uint32_t max_block,
		       unsigned long *bs, unsigned long *blocks);
/* NBD_DO_IT: blocks until the device is disconnected or the link is lost
 * (it returns 0 in both cases). 0 or -1 with err. */
int nbd_ioctl_doit(int devfd, int index, struct nbd_err *err);
/* NBD_CLEAR_QUE and NBD_CLEAR_SOCK: after DO_IT, or to undo a setup. */
void nbd_ioctl_clear(int devfd);
/* fsync /dev/nbdN: dirty pages written and flushed on the server, before
 * a detach. */
int nbd_dev_flush(int index, struct nbd_err *err);
/* BLKRRPART on /dev/nbdN; with part > 0, wait up to wait_ms for
 * /dev/nbdNp<part> to appear. */
int nbd_dev_rescan(int index, int part, int wait_ms, struct nbd_err *err);
/* NBD_DISCONNECT + NBD_CLEAR_SOCK from another process. */
int nbd_ioctl_disconnect(int index, struct nbd_err *err);
/* Keep /dev open: later opens of /dev/nbdN go through it (then the path),
 * so they still work after switch_root moved /dev out of this process's
 * root. */
void nbd_dev_dir_keep(void);

/* ---- what a device is doing (sysfs) */
struct nbd_devinfo {
	int index;
	int exists;             /* /sys/block/nbdN is there */
	int attached;           /* has a live configuration (pid file) */
	uint64_t size;          /* bytes */
	int read_only;
	long pid;               /* the task that configured it, 0 if none */
	int ioctl_owned;        /* pid lives and holds /dev/nbdN open: NBD_DO_IT */
	uint32_t block_size;
	char backend[256];      /* backend identifier, "" if none */
	char datapath[96];      /* how the data flows, as nbd-attach noted it:
				 * "plain", "kTLS ...", "TLS relay ..."; "" unknown */
	char confined[96];      /* the serving process's, nbd_sandbox_describe() */
	char conns[1280];       /* its connections as noted: a line each,
				 * "N SERVER[ (why)]"; "" unknown */
};

/* nbd-attach leaves a note of the data path and of its connections
 * (conns: a line each, "N SERVER", may be NULL) in /run/nbdbox/nbdN (the
 * kernel keeps no such thing); nbd_dev_query() reads it back while the
 * same configuration (same pid in sysfs) lives. Best effort: no /run, no
 * note. */
#define NBD_NOTE_DIR "/run/nbdbox"
void nbd_dev_note(int index, const char *datapath, const char *conns);
void nbd_dev_unnote(int index);
/* 0 with info filled; -1 with err (NBX_NODEV: no such device). */
int nbd_dev_query(int index, struct nbd_devinfo *info, struct nbd_err *err);
/* Indices of the nbd devices present, ascending; returns how many. */
int nbd_dev_list(int *idx, int max);
/* The page size: the largest block size the kernel takes. */
uint32_t nbd_page_size(void);

/* ---- confinement of a resident process (linux/sandbox.c) */
struct nbd_sandbox {
	int dev_index;           /* >= 0: /dev/nbdN may be opened again (--ioctl reconnect) */
	int sys_admin;           /* keep CAP_SYS_ADMIN: NBD ioctls, NBD_CMD_RECONFIGURE */
	int net_admin;           /* keep CAP_NET_ADMIN: kTLS (the kernel loads tls.ko for it) */
	int ipc_lock;            /* keep CAP_IPC_LOCK: --swap, a relay forked later mlockall()s */
	const char *resolv_conf; /* NULL: /etc/resolv.conf */
};
#define NBD_SB_CAPS     1       /* capabilities dropped but the ones asked for */
#define NBD_SB_NNP      2       /* no_new_privs */
#define NBD_SB_LANDLOCK 4       /* Landlock: see sandbox.c for the files left */
#define NBD_SB_SECCOMP  8       /* the seccomp filter (not on every CPU) */
/* Confine the calling process for good. Called again in a confined
 * process (a relay it forked), it only drops capabilities: the rest is
 * inherited. Returns the NBD_SB_* bits done
 * (a kernel without Landlock or a CPU without a filter leaves its bit
 * out), or -1 with err when a step the kernel has failed. A call outside
 * the filter raises SIGSYS: the caller's SA_SIGINFO handler must pass its
 * siginfo and ucontext to nbd_sandbox_refused(), which makes the call
 * return -EPERM and returns its number. */
int nbd_sandbox_enter(const struct nbd_sandbox *s, struct nbd_err *err);
int nbd_sandbox_refused(void *siginfo, void *ucontext);
/* What /proc/PID/status says of a process's confinement, for nbd-probe:
 * "yes: seccomp filter, no_new_privs, CapEff 0000000000200000", "no
 * (CapEff ...)", or "" when it cannot be read. */
void nbd_sandbox_describe(long pid, char *buf, size_t size);

#endif
