/* What a device is doing, from sysfs: /sys/block/nbdN/{size,ro,pid,
 * backend,queue/logical_block_size}. STATUS over netlink says only
 * "connected"; sysfs says the rest and needs no privilege. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fmt.h"
#include "platform.h"

int nbd_dev_index(const char *s)
{
	char *end;
	long n;

	if (!strncmp(s, "/dev/", 5))
		s += 5;
	if (strncmp(s, "nbd", 3) || s[3] < '0' || s[3] > '9')
		return -1;
	n = strtol(s + 3, &end, 10);
	if (*end || n > 1000000)
		return -1;
	return (int)n;
}

/* First line of /sys/block/nbdN/NAME into buf. -1 if absent. */
static int sysread(int index, const char *name, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	nbd_fmt(path, sizeof path, "/sys/block/nbd%d/%s", index, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Does process pid hold /dev/nbdN open? An ioctl-mode server does (it
 * sits in NBD_DO_IT on that fd); a netlink attach does not. */
static int holds_dev(long pid, int index)
{
	char dir[64], path[600], link[64], want[32];
	struct dirent *e;
	DIR *d;
	int found = 0;

	nbd_fmt(dir, sizeof dir, "/proc/%ld/fd", pid);
	nbd_fmt(want, sizeof want, "/dev/nbd%d", index);
	if (!(d = opendir(dir)))
		return 0;
	while (!found && (e = readdir(d))) {
		ssize_t n;
		nbd_fmt(path, sizeof path, "%s/%s", dir, e->d_name);
		n = readlink(path, link, sizeof link - 1);
		if (n > 0) {
			link[n] = 0;
			found = !strcmp(link, want);
		}
	}
	closedir(d);
	return found;
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
	d->size = strtoull(buf, NULL, 10) * 512u;
	if (sysread(index, "ro", buf, sizeof buf) == 0)
		d->read_only = atoi(buf) != 0;
	/* The kernel creates pid when a configuration starts serving and
	 * removes it when the device is torn down. */
	if (sysread(index, "pid", buf, sizeof buf) == 0) {
		d->attached = 1;
		d->pid = atol(buf);
	}
	if (d->pid > 0)
		d->ioctl_owned = holds_dev(d->pid, index);
	if (sysread(index, "queue/logical_block_size", buf, sizeof buf) == 0)
		d->block_size = (uint32_t)strtoul(buf, NULL, 10);
	if (sysread(index, "backend", buf, sizeof buf) == 0)
		nbd_fmt(d->backend, sizeof d->backend, "%s", buf);
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int nbd_dev_list(int *idx, int max)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int n = 0, i;

	if (!d)
		return 0;
	while (n < max && (e = readdir(d)))
		if ((i = nbd_dev_index(e->d_name)) >= 0)
			idx[n++] = i;
	closedir(d);
	qsort(idx, (size_t)n, sizeof *idx, cmp_int);
	return n;
}

uint32_t nbd_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (uint32_t)p : 4096u;
}
