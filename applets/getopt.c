/* getopt_long for the applets, without libc's: musl's costs a static
 * binary 4 KiB with the stdio it prints through. Same contract as GNU's
 * for what nbdbox uses: short options (with ':' for an argument), long
 * options (--name=value or --name value; unique prefixes), options and
 * operands in any order ("nbd-probe HOST -N name"), "--" ends options.
 * It prints nothing: on '?' or ':' the applet calls bad_option().
 * Long options are tables of struct longopt (applet.h), each ended by an
 * entry without a name: the applet's own and, for the network applets,
 * the connection options (conn_longopts, applets/conn.c). */
//kbuild:obj-y += getopt.o

#include <string.h>
#include "applet.h"
#include "fmt.h"

char *nbd_optarg;
int nbd_optind = 1;
static char problem[160];
static int cluster; /* position inside a cluster of short options */

/* problem = "[PRE]option 'DASH NAME'[POST]"; returns rc. Not inlined:
 * at each of its five callers the eight-argument nbd_fmt call (two on
 * the stack) costs more than a call to fail (amd64 default text -96 B). */
static __attribute__((noinline)) int fail(int rc, const char *pre, const char *dash, int n,
					  const char *name, const char *post)
{
	nbd_fmt(problem, sizeof problem, "%soption '%s%.*s'%s", pre, dash, n, name, post);
	return rc;
}

/* The applet's two tables, as nbd_getopt_long was given them. */
static const struct longopt *tables[2];

/* The entry the long option name[0..n) means: the exact name, else the
 * one name it is a prefix of. NULL if none (*hits 0) or several
 * (*hits > 1). */
static const struct longopt *find_long(const char *name, size_t n, int *hits)
{
	const struct longopt *hit = NULL, *o;
	int t;

	*hits = 0;
	for (t = 0; t < 2; t++)
		for (o = tables[t]; o && o->name; o++) {
			if (strncmp(o->name, name, n))
				continue;
			if (!o->name[n]) /* exact wins */
				return *hits = 1, o;
			hit = o, ++*hits;
		}
	return *hits == 1 ? hit : NULL;
}

/* shortopts' entry for the letter c, NULL if it is not an option. */
static const char *find_short(const char *shortopts, int c)
{
	return c == ':' ? NULL : strchr(shortopts, c);
}

/* 1 if the option element a consumes the next element. */
static int takes_next(const char *a, const char *shortopts)
{
	if (a[1] == '-') {
		size_t n = strcspn(a + 2, "=");
		int hits;
		const struct longopt *hit = a[2 + n] == '=' ? NULL : find_long(a + 2, n, &hits);
		return hit && hit->arg;
	}
	for (a++; *a; a++) {
		const char *p = find_short(shortopts, *a);
		if (p && p[1] == ':')
			return a[1] == 0;
	}
	return 0;
}

/* Move the operands behind the options, once, stably. An option never
 * lands after its old place (no <= i): they are gathered in argv itself. */
static void permute(int argc, char **argv, const char *shortopts)
{
	char *rest[argc];
	int i, no = 1, nr = 0;

	for (i = 1; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			argv[no++] = a;
			while (++i < argc)
				rest[nr++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			rest[nr++] = a;
			continue;
		}
		argv[no++] = a;
		if (takes_next(a, shortopts) && i + 1 < argc)
			argv[no++] = argv[++i];
	}
	memcpy(argv + no, rest, (size_t)nr * sizeof *argv);
}

int nbd_getopt_long(int argc, char *const argv[], const char *shortopts,
		    const struct longopt *own, const struct longopt *shared)
{
	char **av = (char **)argv;
	char *a;
	const char *p;
	int rc;

	tables[0] = own;
	tables[1] = shared;
	if (nbd_optind == 1 && !cluster)
		permute(argc, av, shortopts);
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
			size_t n = strcspn(a + 2, "=");
			int hits;
			const struct longopt *hit = find_long(a + 2, n, &hits);

			nbd_optind++;
			if (!hit)
				return fail('?', hits ? "ambiguous " : "unknown ", "",
					    (int)(n + 2), a, "");
			if (a[2 + n] == '=') {
				if (!hit->arg)
					return fail('?', "", "--", (int)strlen(hit->name), hit->name,
						    " takes no argument");
				nbd_optarg = a + 3 + n;
			} else if (hit->arg) {
				if (nbd_optind >= argc)
					return fail(':', "", "--", (int)strlen(hit->name), hit->name,
						    " needs an argument");
				nbd_optarg = av[nbd_optind++];
			}
			return hit->val;
		}
		cluster = 1;
	}
	p = find_short(shortopts, a[cluster]);
	rc = p ? *p : fail('?', "unknown ", "-", 1, a + cluster, "");
	if (p && p[1] == ':') { /* the rest of a, or the next element */
		if (a[cluster + 1])
			nbd_optarg = a + cluster + 1;
		else if (nbd_optind + 1 < argc)
			nbd_optarg = av[++nbd_optind];
		else
			rc = fail(':', "", "-", 1, a + cluster, " needs an argument");
		cluster = 0, nbd_optind++;
	} else if (!a[++cluster]) {
		cluster = 0, nbd_optind++;
	}
	return rc;
}

int bad_option(void)
{
	return usage_error("%s", problem[0] ? problem : "bad option");
}
