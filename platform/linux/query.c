/* What a device is doing, from sysfs: /sys/block/nbdN/{size,ro,pid,
 * backend,queue/logical_block_size}. STATUS over netlink says only
 * "connected"; sysfs says the rest and needs no privilege. */
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fmt.h"
#include "platform.h"
#include "parse.h"

/* Call fn for each name in directory path (getdents: no opendir, whose
 * DIR comes from malloc). Stops when fn returns non-zero; returns that. */
static int each_entry(const char *path, int (*fn)(void *ctx, const char *name), void *ctx)
{
	char buf[2048] __attribute__((aligned(8)));
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0, n;

	if (fd < 0)
		return 0;
	/* struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, name */
	while (!r && (n = (int)syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		int off = 0;
		while (!r && off + 19 < n) {
			unsigned short reclen;
			memcpy(&reclen, buf + off + 16, sizeof reclen);
			if (reclen < 20 || off + reclen > n)
				break;
			r = fn(ctx, buf + off + 19);
			off += reclen;
		}
	}
	close(fd);
	return r;
}

/* The first line of path into buf (the whole file, up to len - 1 bytes,
 * when whole). -1 if it cannot be read. */
static int read_text(const char *path, char *buf, size_t len, int whole)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	if (!whole)
		buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* First line of /sys/block/nbdN/NAME into buf. -1 if absent. */
static int sysread(int index, const char *name, char *buf, size_t len)
{
	char path[96];

	nbd_fmt(path, sizeof path, "/sys/block/nbd%d/%s", index, name);
	return read_text(path, buf, len, 0);
}

/* Does process pid hold /dev/nbdN open? An ioctl-mode server does (it
 * sits in NBD_DO_IT on that fd); a netlink attach does not. */
struct holds {
	char dir[64], want[32];
};

static int fd_is_dev(void *ctx, const char *name)
{
	struct holds *h = ctx;
	char path[600], link[64];
	ssize_t n;

	nbd_fmt(path, sizeof path, "%s/%s", h->dir, name);
	n = readlink(path, link, sizeof link - 1);
	if (n <= 0)
		return 0;
	link[n] = 0;
	return !strcmp(link, h->want);
}

static int holds_dev(long pid, int index)
{
	struct holds h;

	nbd_fmt(h.dir, sizeof h.dir, "/proc/%ld/fd", pid);
	nbd_fmt(h.want, sizeof h.want, "/dev/nbd%d", index);
	return each_entry(h.dir, fd_is_dev, &h);
}

static void note_path(char *path, size_t len, int index)
{
	nbd_fmt(path, len, NBD_NOTE_DIR "/nbd%d", index);
}

/* "PID TEXT\n" then the connections' lines: PID is what sysfs said when
 * the note was written. */
static void read_note(int index, struct nbd_devinfo *d)
{
	char path[64], buf[128 + sizeof d->conns];
	const char *rest;
	size_t eol;

	note_path(path, sizeof path, index);
	if (read_text(path, buf, sizeof buf, 1) < 0)
		return;
	if ((long)nbd_parse_dec(buf, &rest) != d->pid || *rest != ' ')
		return; /* another configuration's note */
	eol = strcspn(rest, "\n");
	nbd_fmt(d->datapath, sizeof d->datapath, "%.*s", (int)(eol - 1), rest + 1);
	if (rest[eol])
		nbd_fmt(d->conns, sizeof d->conns, "%s", rest + eol + 1);
}

void nbd_dev_note(int index, const char *datapath, const char *conns)
{
	struct nbd_devinfo d;
	char path[64], tmp[72], buf[128 + sizeof d.conns];
	size_t n;
	int fd;

	if (nbd_dev_query(index, &d, NULL) < 0 || !d.attached)
		return;
	mkdir("/run", 0755); /* an early initramfs may not have it yet */
	mkdir(NBD_NOTE_DIR, 0755);
	note_path(path, sizeof path, index);
	/* Written aside and renamed: the --persist resident rewrites it when
	 * a connection moves, and a reader sees the old note or the new. */
	nbd_fmt(tmp, sizeof tmp, "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = nbd_fmt(buf, sizeof buf, "%ld %s\n%s", d.pid, datapath, conns ? conns : "");
	if ((write(fd, buf, n) != (ssize_t)n) | (close(fd) < 0) || rename(tmp, path) < 0)
		unlink(tmp);
}

void nbd_dev_unnote(int index)
{
	char path[64];

	note_path(path, sizeof path, index);
	unlink(path);
}

int nbd_dev_query(int index, struct nbd_devinfo *d, struct nbd_err *err)
{
	char buf[256];

	memset(d, 0, sizeof *d);
	d->index = index;
	if (sysread(index, "size", buf, sizeof buf) < 0)
		return nbd_seterr(err, NBX_NODEV, ENODEV,
				  "/dev/nbd%d: no such device%s", index,
				  access("/sys/module/nbd", F_OK) ? " (nbd module not loaded)" : "");
	d->exists = 1;
	d->size = nbd_parse_dec(buf, NULL) * 512u;
	if (sysread(index, "ro", buf, sizeof buf) == 0)
		d->read_only = nbd_parse_dec(buf, NULL) != 0;
	/* The kernel creates pid when a configuration starts serving and
	 * removes it when the device is torn down. */
	if (sysread(index, "pid", buf, sizeof buf) == 0) {
		d->attached = 1;
		d->pid = (long)nbd_parse_dec(buf, NULL);
	}
	if (d->pid > 0)
		d->ioctl_owned = holds_dev(d->pid, index);
	if (sysread(index, "queue/logical_block_size", buf, sizeof buf) == 0)
		d->block_size = (uint32_t)nbd_parse_dec(buf, NULL);
	if (sysread(index, "backend", buf, sizeof buf) == 0)
		nbd_fmt(d->backend, sizeof d->backend, "%s", buf);
	if (d->attached)
		read_note(index, d);
	if (d->attached && d->pid > 0)
		nbd_sandbox_describe(d->pid, d->confined, sizeof d->confined);
	return 0;
}

struct devlist {
	int *idx, n, max;
};

static int add_dev(void *ctx, const char *name)
{
	struct devlist *l = ctx;
	int i = nbd_dev_index(name), k;

	if (i < 0)
		return 0;
	/* Insertion sort: a handful of devices, and no qsort to link. */
	for (k = l->n++; k > 0 && l->idx[k - 1] > i; k--)
		l->idx[k] = l->idx[k - 1];
	l->idx[k] = i;
	return l->n == l->max;
}

int nbd_dev_list(int *idx, int max)
{
	struct devlist l = { idx, 0, max };

	if (max > 0)
		each_entry("/sys/block", add_dev, &l);
	return l.n;
}

uint32_t nbd_page_size(void)
{
	int p = getpagesize();

	return p > 0 ? (uint32_t)p : 4096u;
}
