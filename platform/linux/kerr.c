/* The errno table of kerr.h. */
#include <errno.h>
#include <string.h>
#include "fmt.h"
#include "kerr.h"

/* The plain words for an errno (0: none, strerror and the caller's class). */
static const char *const whys[] = {
	NULL, "device busy (already attached?)", "permission denied (needs CAP_SYS_ADMIN)",
	"no such device",
};

static const struct {
	unsigned char e, code, why;     /* these errnos are < 256 everywhere; why: in whys[] */
} kerrs[] = {
	{ EBUSY, NBX_KERNEL, 1 },
	{ EPERM, NBX_KERNEL, 2 },
	{ EACCES, NBX_KERNEL, 2 },
	{ ENODEV, NBX_NODEV, 3 },
	{ ENXIO, NBX_NODEV, 3 },
	{ ENOENT, NBX_NODEV, 3 },
	{ EOPNOTSUPP, NBX_NOTSUP, 0 },
	{ ENOMEM, NBX_FAIL, 0 },
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
	return nbd_seterr(err, kerrs[i].code, e, "%s: %s: %s%s", dev, step, whys[kerrs[i].why],
			  kerrs[i].code == NBX_NODEV && nodev_hint ? nodev_hint : "");
}
