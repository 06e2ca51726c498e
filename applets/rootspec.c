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
#include "attach.h"
#include "cmdline.h"
#include "esc.h"
#include "file.h"
#include "fmt.h"
#include "platform.h"

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
			     sp->port[0] ? sp->port : NBD_DEFAULT_PORT);
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

/* --explain: what was understood, then the argv, each word quoted for sh. */
static int explain_argv(const char *line, const struct nbd_argv *av)
{
	int i;

	out("%s\n", line);
	for (i = 0; i < av->n; i++) {
		if (i)
			out_char(' ');
		print_shell_word(av->v[i]);
	}
	out_char('\n');
	return finish_output();
}

/* nbd-attach with av, in a child whose stdout is a pipe we drain: no
 * descriptor of our caller's (`dev=$(nbd-attach --cmdline)`) may reach
 * the resident process, or the caller's pipe would never close. Its
 * exit code. */
static int run_drained(const struct nbd_argv *av)
{
	char sink[64];
	int pfd[2], st = 0;
	pid_t pid;
	long n;

	if (pipe(pfd) < 0 || (pid = fork()) < 0)
		return msg("fork: %s", strerror(errno)), NBX_FAIL;
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], 1);
		close(pfd[1]);
		_exit(run_applet(av->n, (char **)av->v));
	}
	close(pfd[1]);
	while ((n = read(pfd[0], sink, sizeof sink)) > 0 || (n < 0 && errno == EINTR))
		;
	close(pfd[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : NBX_FAIL;
}

int attach_spec_main(int argc, char **argv)
{
	static char text[NBD_CMDLINE_MAX + 2];
	static struct nbd_spec sp;
	static struct nbd_argv av;
	struct nbd_err err;
	const char *file = NULL, *tabdev = NULL;
	char *extra[32], line[768];
	int nextra = 0, explain = 0, cmdline = 0, i, r;
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
	if ((n = nbd_read_file(file, text, sizeof text - 1)) < 0)
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
	if (nbd_spec_argv(&av, &sp, cmdline, getenv("ROOTSERVER"), nextra, extra, &err) < 0)
		return report(&err);
	understood(&sp, line, sizeof line);
	if (explain)
		return explain_argv(line, &av);
	/* nbd-attach prints /dev/nbdN; we print the root device (the
	 * partition) once the kernel has read the partition table. */
	if (out_flush() < 0)
		return finish_output();
	if ((r = run_drained(&av))) {
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
