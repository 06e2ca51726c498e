/* getopt_long for the applets, without libc's: musl's costs a static
 * binary 4 KiB with the stdio it prints through. Same contract as GNU's
 * for what nbdbox uses: short options (with ':' for an argument), long
 * options (--name=value or --name value; unique prefixes), options and
 * operands in any order ("nbd-probe HOST -N name"), "--" ends options.
 * It prints nothing: on '?' or ':' the applet calls bad_option(). */
//kbuild:obj-y += getopt.o

#include <string.h>
#include "applet.h"
#include "fmt.h"

char *nbd_optarg;
int nbd_optind = 1;
static char problem[160];
static int cluster; /* position inside a cluster of short options */

/* 1 if the option element argv[i] consumes the next element. */
static int takes_next(const char *a, const char *shortopts, const struct option *lo)
{
	if (a[1] == '-') {
		size_t n = strcspn(a + 2, "=");
		if (a[2 + n] == '=')
			return 0;
		for (; lo && lo->name; lo++)
			if (!strncmp(lo->name, a + 2, n))
				return lo->has_arg == required_argument;
		return 0;
	}
	for (a++; *a; a++) {
		const char *p = strchr(shortopts, *a);
		if (p && *a != ':' && p[1] == ':')
			return a[1] == 0;
	}
	return 0;
}

/* Move the operands behind the options, once, stably. */
static void permute(int argc, char **argv, const char *shortopts, const struct option *lo)
{
	char *opts[argc], *rest[argc];
	int i, no = 0, nr = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			opts[no++] = a;
			while (++i < argc)
				rest[nr++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			rest[nr++] = a;
			continue;
		}
		opts[no++] = a;
		if (takes_next(a, shortopts, lo) && i + 1 < argc)
			opts[no++] = argv[++i];
	}
	memcpy(argv + 1, opts, (size_t)no * sizeof *argv);
	memcpy(argv + 1 + no, rest, (size_t)nr * sizeof *argv);
}

int nbd_getopt_long(int argc, char *const argv[], const char *shortopts,
		    const struct option *lo, int *idx)
{
	char **av = (char **)argv;
	char *a;
	const char *p;

	(void)idx;
	if (nbd_optind == 1 && !cluster)
		permute(argc, av, shortopts, lo);
	nbd_optarg = NULL;
	if (nbd_optind >= argc)
		return -1;
	a = av[nbd_optind];
	if (!cluster) {
		if (a[0] != '-' || !a[1])
			return -1;
		if (!strcmp(a, "--")) {
			nbd_optind++;
			return -1;
		}
		if (a[1] == '-') {
			const struct option *o, *hit = NULL;
			size_t n = strcspn(a + 2, "=");
			int hits = 0;

			for (o = lo; o && o->name; o++) {
				if (strncmp(o->name, a + 2, n))
					continue;
				if (strlen(o->name) == n) { /* exact wins */
					hit = o, hits = 1;
					break;
				}
				hit = o, hits++;
			}
			nbd_optind++;
			if (hits != 1) {
				nbd_fmt(problem, sizeof problem, "%s option '%.*s'",
					hits ? "ambiguous" : "unknown", (int)(n + 2), a);
				return '?';
			}
			if (a[2 + n] == '=') {
				if (hit->has_arg == no_argument) {
					nbd_fmt(problem, sizeof problem,
						"option '--%s' takes no argument", hit->name);
					return '?';
				}
				nbd_optarg = a + 3 + n;
			} else if (hit->has_arg == required_argument) {
				if (nbd_optind >= argc) {
					nbd_fmt(problem, sizeof problem,
						"option '--%s' needs an argument", hit->name);
					return ':';
				}
				nbd_optarg = av[nbd_optind++];
			}
			if (hit->flag) {
				*hit->flag = hit->val;
				return 0;
			}
			return hit->val;
		}
		cluster = 1;
	}
	p = strchr(shortopts, a[cluster]);
	if (!p || *p == ':') {
		nbd_fmt(problem, sizeof problem, "unknown option '-%c'", a[cluster]);
		if (!a[++cluster])
			cluster = 0, nbd_optind++;
		return '?';
	}
	if (p[1] == ':') {
		int c = *p;
		if (a[cluster + 1]) {
			nbd_optarg = a + cluster + 1;
		} else if (nbd_optind + 1 < argc) {
			nbd_optarg = av[++nbd_optind];
		} else {
			cluster = 0;
			nbd_optind++;
			nbd_fmt(problem, sizeof problem, "option '-%c' needs an argument", c);
			return ':';
		}
		cluster = 0;
		nbd_optind++;
		return c;
	}
	if (!a[++cluster])
		cluster = 0, nbd_optind++;
	return *p;
}

int bad_option(void)
{
	return usage_error("%s", problem[0] ? problem : "bad option");
}
