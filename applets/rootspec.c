/* nbd-attach --cmdline [FILE] and --tab DEVICE: what the kernel command
 * line (core/cmdline.c) or /etc/nbdtab says, turned into nbd-attach's own
 * options; then the partition table is re-read and the root device
 * printed. The parsing is core's; the attaching is nbd-attach's. */
//config:config NBD_ATTACH_CMDLINE
//config:	bool "nbd-attach --cmdline and --tab (kernel command line, /etc/nbdtab)"
//config:	default y
//config:	depends on NBD_ATTACH
//config:	help
//config:	  Read the NBD root from the kernel command line (Debian's
//config:	  nbdroot=, dracut's root=nbd:, NBD URIs) or a device from
//config:	  /etc/nbdtab (nbd-client nbdX). About 13 KiB.
//config:
//kbuild:obj-$(CONFIG_NBD_ATTACH_CMDLINE) += rootspec.o

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "autoconf.h"
#include "applet.h"
#include "cmdline.h"
#include "esc.h"
#include "fmt.h"
#include "platform.h"

int nbd_attach_main(int argc, char **argv);

/* Default --wait for a root: the server may boot after us. */
#define ROOT_WAIT "300"

/* Read a whole small file (the command line, nbdtab): bounded. */
static long read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -1;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0)
				n = (size_t)-1;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	return n == (size_t)-1 ? -1 : (long)n;
}

static char *num(char *buf, size_t cap, unsigned long v)
{
	nbd_fmt(buf, cap, "%lu", v);
	return buf;
}

/* The nbd-attach argv a spec means: options first (the caller's own
 * after ours, so they win), then the server and the device. */
struct av {
	int n;
	char *v[64];
	char nums[6][24];
	char dev[24];
};

static void add(struct av *a, const char *s)
{
	if (a->n < (int)(sizeof a->v / sizeof *a->v) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void add2(struct av *a, const char *opt, const char *val)
{
	add(a, opt);
	add(a, val);
}

static int build(struct av *a, const struct nbd_spec *sp, int root, int nextra, char **extra)
{
	const char *server = sp->host;
	int i;

	a->n = 0;
	add(a, "nbd-attach");
	if (root) {
		/* As Debian's local-top/nbd does (-swap -persist -systemd-mark):
		 * the root's resident process is locked in memory, spared by
		 * the OOM killer and by systemd. */
		add2(a, "--wait", ROOT_WAIT);
		add(a, "-m"), add(a, "--swap");
	} else if (sp->swap) {
		add(a, "--swap");
	}
	if (sp->persist)
		add(a, "-p");
	if (sp->block_size)
		add2(a, "-b", num(a->nums[0], sizeof a->nums[0], sp->block_size));
	else if (sp->part)
		add2(a, "-b", "512");    /* nbd #87: larger ones lose partitions */
	if (sp->timeout_s >= 0)
		add2(a, "-t", num(a->nums[1], sizeof a->nums[1], (unsigned long)sp->timeout_s));
	if (sp->conns)
		add2(a, "-C", num(a->nums[2], sizeof a->nums[2], (unsigned long)sp->conns));
	if (sp->read_only)
		add(a, "-r");
	if (sp->use_ioctl)
		add(a, "--ioctl");
	if (sp->tls)
		add(a, "--tls");
	if (sp->certfile[0])
		add2(a, "--tls-cert", sp->certfile);
	if (sp->keyfile[0])
		add2(a, "--tls-key", sp->keyfile);
	if (sp->cacertfile[0])
		add2(a, "--tls-ca", sp->cacertfile);
	if (sp->tlshostname[0])
		add2(a, "--tls-hostname", sp->tlshostname);
	for (i = 0; i < sp->nalt; i++)
		add2(a, "--alt", sp->alt[i]);
	if (sp->has_name)
		add2(a, "-N", sp->name);
	for (i = 0; i < nextra; i++)
		add(a, extra[i]);
	if (sp->unix_path[0]) {
		add2(a, "-u", sp->unix_path);
	} else if (sp->uri[0]) {
		add(a, sp->uri);
	} else {
		if (sp->host_dhcp) {
			/* initramfs-tools' DHCP hands over ROOTSERVER. */
			server = getenv("ROOTSERVER");
			if (!server || !*server)
				return msg("%s: no server named (and no ROOTSERVER from DHCP): give "
					   "nbdroot=SERVER,...", sp->word), NBX_USAGE;
		}
		add(a, server);
		if (sp->port[0])
			add(a, sp->port);
	}
	nbd_fmt(a->dev, sizeof a->dev, "/dev/nbd%d", sp->index);
	add(a, a->dev);
	return 0;
}

static void print_shell_word(const char *s)
{
	const char *p;

	/* Letters, digits and /.:_=,@+- need no quotes. */
	for (p = s; *p; p++)
		if (!((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') && !(*p >= '0' && *p <= '9') &&
		    !strchr("/.:_=,@+-", *p))
			break;
	if (*s && !*p)
		out_str(s);
	else
		shell_str(s, strlen(s));
}

static const char *form_name(int f)
{
	static const char names[][16] = {
		[NBD_FORM_NONE] = "?", [NBD_FORM_DEBIAN] = "Debian nbdroot=",
		[NBD_FORM_DRACUT] = "dracut nbd:", [NBD_FORM_URI] = "NBD URI",
		[NBD_FORM_NBDTAB] = "nbdtab",
	};

	return names[f];
}

/* One line: what was understood, for --explain and for a failure. */
static void understood(const struct nbd_spec *sp, char *buf, size_t cap)
{
	size_t n = nbd_fmt(buf, cap, "%s (%s): ", sp->word, form_name(sp->form));
	char q[96];

	if (sp->uri[0])
		n += nbd_fmt(buf + n, cap - n, "URI %s", sp->uri);
	else if (sp->unix_path[0])
		n += nbd_fmt(buf + n, cap - n, "socket %s", sp->unix_path);
	else
		n += nbd_fmt(buf + n, cap - n, "server %s port %s", sp->host_dhcp ? "(DHCP)" : sp->host,
			     sp->port[0] ? sp->port : "10809");
	if (sp->has_name)
		n += nbd_fmt(buf + n, cap - n, " export '%s'",
			     nbd_quote(q, sizeof q, sp->name, strlen(sp->name)));
	else if (!sp->uri[0])
		n += nbd_fmt(buf + n, cap - n, " default export");
	n += nbd_fmt(buf + n, cap - n, ", device /dev/nbd%d", sp->index);
	if (sp->part)
		n += nbd_fmt(buf + n, cap - n, ", root partition %d", sp->part);
	n += nbd_fmt(buf + n, cap - n, "%s%s%s%s", sp->fstype[0] ? ", fstype " : "", sp->fstype,
		     sp->rootflags[0] ? ", rootflags " : "", sp->rootflags);
	if (sp->nalt)
		nbd_fmt(buf + n, cap - n, ", %d alternative server%s", sp->nalt, sp->nalt > 1 ? "s" : "");
}

int attach_spec_main(int argc, char **argv)
{
	static char text[NBD_CMDLINE_MAX + 2];
	static struct nbd_spec sp;
	static struct av av;
	struct nbd_err err;
	const char *file = NULL, *tabdev = NULL;
	char *extra[32], line[768], sink[64];
	int nextra = 0, explain = 0, cmdline = 0, i, r, pfd[2], st = 0;
	pid_t pid;
	long n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cmdline")) {
			cmdline = 1;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				file = argv[++i];
		} else if (!strcmp(argv[i], "--tab")) {
			if (++i >= argc)
				return usage_error("--tab needs a device (nbdN)");
			tabdev = argv[i];
		} else if (!strcmp(argv[i], "--explain")) {
			explain = 1;
		} else if (nextra < (int)(sizeof extra / sizeof *extra)) {
			extra[nextra++] = argv[i];
		} else {
			return usage_error("too many arguments");
		}
	}
	if (cmdline && tabdev)
		return usage_error("--cmdline or --tab, not both");
	if (!cmdline) {
		/* NBDTAB: another file, for tests and chroots. */
		file = getenv("NBDTAB");
		if (!file || !*file)
			file = "/etc/nbdtab";
	} else if (!file) {
		file = "/proc/cmdline";
	}
	if ((n = read_small(file, text, sizeof text - 1)) < 0)
		return msg("%s: %s", file, strerror(errno)), NBX_FAIL;
	text[n] = 0;
	if (cmdline) {
		r = nbd_cmdline_parse(text, (size_t)n, getenv("NBDROOT"), &sp, &err);
		if (r == 0)
			return msg("%s: no NBD root on the command line (nbdroot=, root=nbd:, "
				   "netroot=nbd:, root=/dev/nbdN)", file), NBX_USAGE;
	} else {
		if (n == (long)sizeof text - 1)
			return msg("%s: larger than %d bytes", file, NBD_CMDLINE_MAX), NBX_USAGE;
		r = nbd_tab_find(text, (size_t)n, tabdev, &sp, &err);
		if (r == 0)
			return msg("%s: no line for %s", file, tabdev), NBX_NODEV;
	}
	if (r < 0)
		return report(&err);
	if (sp.no_optgo || sp.swap || sp.nofork)
		(void)0;        /* GO falls back by itself; see README */
	if ((r = build(&av, &sp, cmdline, nextra, extra)))
		return r;
	understood(&sp, line, sizeof line);
	if (explain) {
		out("%s\n", line);
		for (i = 0; i < av.n; i++) {
			if (i)
				out_char(' ');
			print_shell_word(av.v[i]);
		}
		out_char('\n');
		return finish_output();
	}
	/* nbd-attach prints /dev/nbdN; we print the root device (the
	 * partition) once the kernel has read the partition table. It runs
	 * in a child whose stdout is a pipe we drain: no descriptor of our
	 * caller's (`dev=$(nbd-attach --cmdline)`) may reach the resident
	 * process, or the caller's pipe would never close. */
	if (out_flush() < 0)
		return finish_output();
	if (pipe(pfd) < 0 || (pid = fork()) < 0)
		return msg("fork: %s", strerror(errno)), NBX_FAIL;
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		_exit(nbd_attach_main(av.n, av.v));
	}
	close(pfd[1]);
	while ((n = read(pfd[0], sink, sizeof sink)) > 0 || (n < 0 && errno == EINTR))
		;
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	r = WIFEXITED(st) ? WEXITSTATUS(st) : NBX_FAIL;
	if (r) {
		msg("understood %s", line);
		return r;
	}
	if (nbd_dev_rescan(sp.index, sp.part, 5000, &err) < 0 && sp.part) {
		msg("understood %s", line);
		return report(&err);
	}
	if (sp.part)
		out("/dev/nbd%dp%d\n", sp.index, sp.part);
	else
		out("/dev/nbd%d\n", sp.index);
	return finish_output();
}
