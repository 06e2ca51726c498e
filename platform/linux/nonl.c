/* CONFIG_NETLINK off: the netlink calls say so; applets use ioctls. */
#include <errno.h>
#include "platform.h"

#define NONL(err) nbd_seterr(err, NBX_NOTSUP, EOPNOTSUPP, "netlink: built without netlink support")

int nbd_nl_available(struct nbd_err *err) { (void)err; return 0; }
int nbd_nl_connect(const struct nbd_devconf *c, int *index, struct nbd_err *err)
{ (void)c; (void)index; return NONL(err); }
int nbd_nl_reconfigure(const struct nbd_devconf *c, struct nbd_err *err)
{ (void)c; return NONL(err); }
int nbd_nl_disconnect(int index, struct nbd_err *err) { (void)index; return NONL(err); }
int nbd_nl_connected(int index, struct nbd_err *err) { (void)index; return NONL(err); }
struct nbd_nl_mon *nbd_nl_mon_open(struct nbd_err *err) { NONL(err); return NULL; }
int nbd_nl_mon_wait(struct nbd_nl_mon *m, int i, int t, struct nbd_err *err)
{ (void)m; (void)i; (void)t; return NONL(err); }
void nbd_nl_mon_close(struct nbd_nl_mon *m) { (void)m; }
