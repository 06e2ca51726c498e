/* What an errno from the nbd driver means: the one table the netlink and
 * ioctl paths share (and genl.c, for the exit class of a kernel error). */
#ifndef NBDBOX_KERR_H
#define NBDBOX_KERR_H

#include "err.h"

/* Exit class of a kernel errno: NBX_NODEV, NBX_NOTSUP, NBX_FAIL or
 * NBX_KERNEL (EBUSY, EPERM, EINVAL...: the kernel said no). */
int nbd_kerr_class(int e);
/* Fill err with "/dev/nbdINDEX: STEP: why" ("nbd: ..." when index < 0):
 * why is the table's plain words for e (then its class), else strerror(e)
 * with class code. nodev_hint (NULL for none) follows the words for a
 * missing device. Returns -1. */
int nbd_kerr(struct nbd_err *err, int code, int e, int index, const char *step,
	     const char *nodev_hint);

#endif
