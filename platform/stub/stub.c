/* The stub platform: every kernel-facing call answers ENOTSUP. Applets
 * print "not supported on this platform" and exit NBX_NOTSUP. */
#include <errno.h>
#include <string.h>
#include "platform.h"

static int notsup(struct nbd_err *err)
{
	return nbd_seterr(err, NBX_NOTSUP, ENOTSUP, "not supported on this platform");
}

int nbd_nl_available(struct nbd_err *err) { return notsup(err); }
int nbd_nl_connect(const struct nbd_devconf *c, int *index, struct nbd_err *err)
{ (void)c; (void)index; return notsup(err); }
int nbd_nl_reconfigure(const struct nbd_devconf *c, struct nbd_err *err)
{ (void)c; return notsup(err); }
int nbd_nl_disconnect(int index, struct nbd_err *err) { (void)index; return notsup(err); }
int nbd_nl_connected(int index, struct nbd_err *err) { (void)index; return notsup(err); }
struct nbd_nl_mon *nbd_nl_mon_open(struct nbd_err *err) { notsup(err); return NULL; }
int nbd_nl_mon_wait(struct nbd_nl_mon *m, int i, int t, struct nbd_err *err)
{ (void)m; (void)i; (void)t; return notsup(err); }
void nbd_nl_mon_close(struct nbd_nl_mon *m) { (void)m; }

int nbd_ioctl_setup(const struct nbd_devconf *c, int *index, struct nbd_err *err)
{ (void)c; (void)index; return notsup(err); }
int nbd_ioctl_doit(int devfd, int index, struct nbd_err *err)
{ (void)devfd; (void)index; return notsup(err); }
void nbd_ioctl_clear(int devfd) { (void)devfd; }
void nbd_dev_dir_keep(void) {}
int nbd_ioctl_disconnect(int index, struct nbd_err *err) { (void)index; return notsup(err); }
int nbd_dev_flush(int index, struct nbd_err *err) { (void)index; return notsup(err); }
int nbd_dev_rescan(int index, int part, int wait_ms, struct nbd_err *err)
{
	(void)index, (void)part, (void)wait_ms;
	return notsup(err);
}

int nbd_dev_query(int index, struct nbd_devinfo *info, struct nbd_err *err)
{
	memset(info, 0, sizeof *info);
	info->index = index;
	return notsup(err);
}
int nbd_dev_list(int *idx, int max) { (void)idx; (void)max; return 0; }
uint32_t nbd_page_size(void) { return 4096; }
void nbd_dev_note(int index, const char *datapath, const char *conns)
{
	(void)index; (void)datapath; (void)conns;
}
void nbd_dev_unnote(int index) { (void)index; }
int nbd_sandbox_enter(const struct nbd_sandbox *s, struct nbd_err *err) { (void)s; return notsup(err); }
int nbd_sandbox_refused(void *si, void *uc) { (void)si; (void)uc; return -1; }
void nbd_sandbox_describe(long pid, char *buf, size_t size) { (void)pid; (void)size; buf[0] = 0; }
