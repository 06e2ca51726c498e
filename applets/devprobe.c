/* nbd-probe on a device (/dev/nbdN or nbdN) rather than a server: what the
 * kernel says about it. Called from nbd-probe.c. */
//kbuild:obj-$(CONFIG_NBD_PROBE) += devprobe.o

#include <string.h>
#include "autoconf.h"
#include "applet.h"
#include "fmt.h"
#include "platform.h"
#include "parse.h"

int probe_device(const char *dev, int fmt)
{
	struct nbd_devinfo d;
	struct nbd_err err;
	char path[32];
	const char *p;
	size_t n;
	int index = nbd_dev_index(dev);

	if (index < 0)
		return usage_error("'%s' is not an nbd device", dev);
	if (nbd_dev_query(index, &d, &err) < 0)
		return report(&err);
	nbd_fmt(path, sizeof path, "/dev/nbd%d", index);
	switch (fmt) {
	case PROBE_SIZE:
		if (d.attached)
			out("%llu\n", (unsigned long long)d.size);
		break;
	case PROBE_JSON:
		if (!ENABLE_JSON)
			break;
		out_str("{\"device\":");
		json_str(path, strlen(path));
		out(",\"attached\":%s,\"size\":%llu,\"read_only\":%s,\"pid\":%ld,"
		       "\"block_size\":%u,\"backend\":", d.attached ? "true" : "false",
		       (unsigned long long)d.size, d.read_only ? "true" : "false", d.pid,
		       d.block_size);
		json_str(d.backend, strlen(d.backend));
		out(",\"mode\":\"%s\",\"data_path\":", !d.attached ? "" : d.ioctl_owned ? "ioctl" : "netlink");
		json_str(d.datapath, strlen(d.datapath));
		out_str(",\"confined\":");
		json_str(d.confined, strlen(d.confined));
		/* "N SERVER" lines, as noted (nbd-attach's /run/nbdbox note) */
		out(",\"connections\":");
		json_str(d.conns, strlen(d.conns));
		out("}\n");
		break;
	case PROBE_SHELL:
		out("NBD_DEVICE='%s'\nNBD_ATTACHED=%d\nNBD_SIZE=%llu\nNBD_READ_ONLY=%d\n"
		       "NBD_PID=%ld\nNBD_BLOCK_SIZE=%u\nNBD_BACKEND=", path, d.attached,
		       (unsigned long long)d.size, d.read_only, d.pid, d.block_size);
		shell_str(d.backend, strlen(d.backend));
		out("\nNBD_MODE='%s'\nNBD_DATA_PATH=", !d.attached ? "" : d.ioctl_owned ? "ioctl" : "netlink");
		shell_str(d.datapath, strlen(d.datapath));
		out_str("\nNBD_CONFINED=");
		shell_str(d.confined, strlen(d.confined));
		/* "N SERVER" lines, as noted */
		out("\nNBD_CONNECTIONS=");
		shell_str(d.conns, strlen(d.conns));
		out("\n");
		break;
	default:
		out("device: %s\nattached: %s\n", path, d.attached ? "yes" : "no");
		if (d.attached) {
			out("size: %llu\nread-only: %s\nblock size: %u\npid: %ld\nmode: %s\n",
			       (unsigned long long)d.size, d.read_only ? "yes" : "no", d.block_size,
			       d.pid, d.ioctl_owned ? "ioctl" : "netlink");
			if (d.backend[0])
				out("backend: %s\n", d.backend);
			if (d.datapath[0])
				out("data path: %s\n", d.datapath);
			if (d.confined[0])
				out("confined: %s\n", d.confined);
			for (p = d.conns; *p; p += n + (p[n] != 0)) {
				n = strcspn(p, "\n");
				out("connection %.*s\n", (int)n, p);
			}
		}
		break;
	}
	if (finish_output())
		return NBX_FAIL;
	return d.attached ? 0 : NBX_NODEV;
}
