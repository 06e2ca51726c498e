/* The multicall entry point: dispatch on the basename of argv[0] (a leading
 * '-' or '@' stripped: login shells and root-storage daemons), or on the
 * first argument of `nbdbox APPLET ...`. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "autoconf.h"
#include "applet.h"
#include "fmt.h"
#include "usage.h"

/* The head of --help: USAGE_NBDBOX, compressed with the applets' texts
 * (scripts/gen.sh). */
//usage:nbdbox: Network Block Device client, multi-call binary.
//usage:Usage: nbdbox APPLET [ARGS...]   or   APPLET [ARGS...] via a link
//usage:       nbdbox --list | --install [DIR] | --help
//usage:
//usage:Applets:

#define APPLET(name, fn, usage) int fn(int argc, char **argv);
#include "applets.h"
#undef APPLET

const struct applet applets[] = {
#define APPLET(name, fn, usage) { name, fn, usage },
#include "applets.h"
#undef APPLET
	{ NULL, NULL, NULL },
};

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	s = s ? s + 1 : path;
	while (*s == '-' || *s == '@')
		s++;
	return s;
}

static const struct applet *find(const char *name)
{
	const struct applet *a;

	for (a = applets; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

int run_applet(int argc, char **argv)
{
	const struct applet *a = find(argv[0]);

	if (!a) {
		msg("applet not found: %s", argv[0]);
		return 127;
	}
	return a->main(argc, argv);
}

static void list(void)
{
	const struct applet *a;

	for (a = applets; a->name; a++)
		out("%s\n", a->name);
}

static int install(const char *dir)
{
	char self[PATH_MAX], link[PATH_MAX];
	const struct applet *a;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	int rc = 0;

	if (n <= 0) {
		msg("--install: cannot find my own path: %s", strerror(errno));
		return NBX_FAIL;
	}
	self[n] = 0;
	if (!dir) {
		/* Next to the binary itself. */
		char *slash = strrchr(self, '/');
		static char here[PATH_MAX];
		nbd_fmt(here, sizeof here, "%.*s", (int)(slash - self), self);
		dir = here;
	}
	for (a = applets; a->name; a++) {
		if (nbd_fmt(link, sizeof link, "%s/%s", dir, a->name) >= sizeof link - 1) {
			msg("--install: %s: path too long", dir);
			return NBX_FAIL;
		}
		unlink(link);
		if (symlink(self, link) < 0) {
			msg("--install: %s: %s", link, strerror(errno));
			rc = NBX_FAIL;
		}
	}
	return rc;
}

/* To stdout (--help) or, after a usage error, to stderr. */
static int help(int fd)
{
	if (fd == 2)
		out_flush(), dup2(2, 1);
	out_usage(USAGE_NBDBOX);
	list();
	return finish_output();
}

int main(int argc, char **argv)
{
	const char *name = base(argv[0]);
	const struct applet *a = find(name);

	if (!a) {
		applet_name = "nbdbox";
		if (argc < 2)
			return help(2), NBX_USAGE;
		if (!strcmp(argv[1], "--list"))
			return list(), finish_output();
		if (!strcmp(argv[1], "--install"))
			return install(argc > 2 ? argv[2] : NULL);
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
			return help(1);
		argv++, argc--;
		a = find(base(argv[0]));
		if (!a) {
			msg("applet not found: %s", argv[0]);
			help(2);
			return 127;
		}
	}
	applet_name = a->name;
	applet_usage = a->usage;
	return a->main(argc, argv);
}
