/* The errno table of kerr.h. */
#include <errno.h>
#include <string.h>
#include "fmt.h"
#include "kerr.h"

static const struct {
	int e;
	int code;
	const char *why;        /* NULL: strerror, and the caller's class */
} kerrs[] = {
	{ EBUSY, NBX_KERNEL, "device busy (already attached?)" },
	{ EPERM, NBX_KERNEL, "permission denied (needs CAP_SYS_ADMIN)" },
	{ EACCES, NBX_KERNEL, "permission denied (needs CAP_SYS_ADMIN)" },
	{ ENODEV, NBX_NODEV, "no such device" },
	{ ENXIO, NBX_NODEV, "no such device" },
	{ ENOENT, NBX_NODEV, "no such device" },
	{ EOPNOTSUPP, NBX_NOTSUP, NULL },
	{ ENOMEM, NBX_FAIL, NULL },
};

static int find(int e)
{
	int i;

	for (i = 0; i < (int)(sizeof kerrs / sizeof kerrs[0]); i++)
		if (kerrs[i].e == e)
			return i;
	return -1;
}

int nbd_kerr_class(int e)
{
	int i = find(e);

	return i < 0 ? NBX_KERNEL : kerrs[i].code;
}

int nbd_kerr(struct nbd_err *err, int code, int e, int index, const char *step,
	     const char *nodev_hint)
{
	char dev[32];
	int i = find(e);

	nbd_fmt(dev, sizeof dev, index >= 0 ? "/dev/nbd%d" : "nbd", index);
	if (i < 0 || !kerrs[i].why)
		return nbd_seterr(err, code, e, "%s: %s: %s", dev, step, strerror(e));
	return nbd_seterr(err, kerrs[i].code, e, "%s: %s: %s%s", dev, step, kerrs[i].why,
			  kerrs[i].code == NBX_NODEV && nodev_hint ? nodev_hint : "");
}
