/* The ioctl path (<linux/nbd.h>): for kernels without the netlink family,
 * and for --ioctl. The process that calls NBD_DO_IT serves the device
 * until it is disconnected or the link is lost. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h> /* BLKRRPART */
#include <unistd.h>
#include <linux/nbd.h>
#include "fmt.h"
#include "clock.h"
#include "io.h"
#include "kerr.h"
#include "platform.h"

/* Errors of the ioctl path name the step and the device. */
static int ioerr(struct nbd_err *err, int index, const char *step, int e)
{
	return nbd_kerr(err, NBX_KERNEL, e, index, step, " (is the nbd module loaded?)");
}

/* /dev as it was when nbd_dev_dir_keep() ran. A process that outlives
 * switch_root (the ioctl --persist resident) keeps its old root, whose
 * /dev path is now an empty directory: the devtmpfs moved to the new
 * root (mount --move), and this fd moved with it. */
static int dev_dir = -1;

void nbd_dev_dir_keep(void)
{
	if (dev_dir < 0)
		dev_dir = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static int open_dev(int index, struct nbd_err *err)
{
	char path[32];
	int fd = -1;

	nbd_fmt(path, sizeof path, "/dev/nbd%d", index);
	if (dev_dir >= 0)
		fd = openat(dev_dir, path + 5, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return ioerr(err, index, "open", errno);
	return fd;
}

/* NBD_SET_SIZE_BLOCKS takes an unsigned long: 32 bits on 32-bit CPUs,
 * where 2 TiB and more at 512-byte blocks do not fit (the count was
 * truncated: a 2 TiB export became a 0-byte device). Then the next larger
 * block size up to max_block that divides the size makes the count fit;
 * it is a multiple of the one asked for, so every alignment the server
 * asked for still holds. -1 (ERANGE) when none does. */
int nbd_ioctl_geometry(uint64_t size, uint32_t block_size, uint32_t max_block,
		       unsigned long *bs, unsigned long *blocks)
{
	uint64_t b = block_size ? block_size : 512;

	for (; b <= max_block || b == block_size; b *= 2) {
		if (size % b)
			break;
		if (size / b <= (unsigned long)-1) {
			*bs = (unsigned long)b;
			*blocks = (unsigned long)(size / b);
			return 0;
		}
	}
	errno = ERANGE;
	return -1;
}

int nbd_ioctl_setup(const struct nbd_devconf *c, int *index, struct nbd_err *err)
{
	int idx = c->index, fd, i;
	unsigned long bs, blocks;

	if (idx < 0) {
		int list[256], n = nbd_dev_list(list, 256);
		struct nbd_devinfo info;
		for (i = 0; i < n; i++)
			if (nbd_dev_query(list[i], &info, NULL) == 0 && !info.attached) {
				idx = list[i];
				break;
			}
		if (idx < 0 && n)
			return nbd_seterr(err, NBX_KERNEL, EBUSY, "no free nbd device (all %d attached)", n);
		if (idx < 0)
			return nbd_seterr(err, NBX_KERNEL, ENODEV,
					  "no nbd devices: nbd module not loaded (modprobe nbd)");
	}
	if ((fd = open_dev(idx, err)) < 0)
		return -1;
	/* The kernel answers EINVAL (netlink-owned) or EBUSY (another task)
	 * for a device in use; say it plainly. */
	{
		struct nbd_devinfo info;
		/* Our own pid: a reconnect of the device we serve, which a
		 * mount keeps configured after our DO_IT returned. */
		if (nbd_dev_query(idx, &info, NULL) == 0 && info.attached &&
		    !(info.ioctl_owned && info.pid == (long)getpid())) {
			close(fd);
			/* The pid of a netlink attach is a process long gone. */
			if (info.ioctl_owned)
				return nbd_seterr(err, NBX_KERNEL, EBUSY,
						  "/dev/nbd%d: device busy (attached, served by pid %ld)",
						  idx, info.pid);
			return nbd_seterr(err, NBX_KERNEL, EBUSY,
					  "/dev/nbd%d: device busy (attached)", idx);
		}
	}
	if (nbd_ioctl_geometry(c->size, c->block_size, nbd_page_size(), &bs, &blocks) < 0) {
		close(fd);
		return nbd_seterr(err, NBX_KERNEL, ERANGE,
				  "/dev/nbd%d: %llu bytes: too large for the ioctl interface "
				  "on this CPU (use netlink)", idx, (unsigned long long)c->size);
	}
	/* Block size before size: the kernel rounds the size to it. */
	if (ioctl(fd, NBD_SET_BLKSIZE, bs) < 0) {
		ioerr(err, idx, "NBD_SET_BLKSIZE", errno);
		goto fail;
	}
	if (ioctl(fd, NBD_SET_SIZE_BLOCKS, blocks) < 0) {
		ioerr(err, idx, "NBD_SET_SIZE_BLOCKS", errno);
		goto fail;
	}
	if (c->timeout_s && ioctl(fd, NBD_SET_TIMEOUT, (unsigned long)c->timeout_s) < 0) {
		ioerr(err, idx, "NBD_SET_TIMEOUT", errno);
		goto fail;
	}
	if (ioctl(fd, NBD_SET_FLAGS, (unsigned long)c->tflags) < 0) {
		ioerr(err, idx, "NBD_SET_FLAGS", errno);
		goto fail;
	}
	for (i = 0; i < c->nfds; i++)
		if (ioctl(fd, NBD_SET_SOCK, (unsigned long)c->fds[i]) < 0) {
			ioerr(err, idx, "NBD_SET_SOCK", errno);
			goto fail;
		}
	*index = idx;
	return fd;
fail:
	/* An EBUSY device belongs to someone else: leave it alone. */
	if (err && err->errnum != EBUSY)
		ioctl(fd, NBD_CLEAR_SOCK);
	close(fd);
	return -1;
}

int nbd_ioctl_doit(int devfd, int index, struct nbd_err *err)
{
	if (ioctl(devfd, NBD_DO_IT) < 0)
		return ioerr(err, index, "NBD_DO_IT", errno);
	return 0;
}

void nbd_ioctl_clear(int devfd)
{
	ioctl(devfd, NBD_CLEAR_QUE);
	ioctl(devfd, NBD_CLEAR_SOCK);
}

/* One call on /dev/nbdN, opened for it: ioctl req, or (req 0) fsync. */
static int dev_call(int index, unsigned long req, const char *step, struct nbd_err *err)
{
	int fd = open_dev(index, err), r, e;

	if (fd < 0)
		return -1;
	r = req ? ioctl(fd, req) : fsync(fd);
	e = errno;
	close(fd);
	return r < 0 ? ioerr(err, index, step, e) : 0;
}

int nbd_ioctl_disconnect(int index, struct nbd_err *err)
{
	/* DISCONNECT queues NBD_CMD_DISC behind the requests in flight; the
	 * DO_IT owner then returns and clears. CLEAR_SOCK here would fail
	 * what is still queued. */
	return dev_call(index, NBD_DISCONNECT, "NBD_DISCONNECT", err);
}

int nbd_dev_flush(int index, struct nbd_err *err)
{
	/* Write back what the page cache holds for the device and have the
	 * server flush (NBD_CMD_FLUSH when it offers it) before the link
	 * goes: a disconnect must not lose a write. */
	return dev_call(index, 0, "fsync", err);
}

/* BLKRRPART, then wait (bounded) for /dev/nbdNpM: the kernel reads the
 * partition table now, not at the next open, and devtmpfs makes the node. */
int nbd_dev_rescan(int index, int part, int wait_ms, struct nbd_err *err)
{
	char path[48];
	int waited;

	if (dev_call(index, BLKRRPART, "BLKRRPART (re-read the partition table)", err) < 0)
		return -1;
	if (part <= 0)
		return 0;
	nbd_fmt(path, sizeof path, "/dev/nbd%dp%d", index, part);
	for (waited = 0; access(path, F_OK) < 0; waited += 50) {
		if (waited >= wait_ms)
			return nbd_seterr(err, NBX_NODEV, ENOENT, "%s: no such partition after "
					  "BLKRRPART (is there a partition table with %d entries? "
					  "nbd's max_part?)", path, part);
		nbd_sleep_ms(50);
	}
	return 0;
}
