/* The option tables walked row by row: every row of core/clientopt.h
 * (nbd-client's words, dracut's nbdopts) and of NBDTAB_OPTIONS
 * (core/cmdline.h) is found by its parser, sets what it says, and comes
 * out of nbd_spec_argv as the nbd-attach option the row names.
 * tests/shell/test_nbd_client.sh checks the rows against --help and
 * nbd-attach's own parser. */
#include <string.h>
#include "clientopt.h"
#include "cmdline.h"
#include "unit.h"

/* A valid argument for a row of kind k. */
static const char *arg_for(int kind)
{
	switch (kind) {
	case NBDC_BS: return "4096";
	case NBDC_TIMEOUT: return "30";
	case NBDC_CONNS: return "2";
	default: return "/some/arg";
	}
}

/* argv holds opt, followed by val (NULL: anything or nothing). */
static int has(const struct nbd_argv *a, const char *opt, const char *val)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], opt) && (!val || (i + 1 < a->n && !strcmp(a->v[i + 1], val))))
			return 1;
	return 0;
}

TEST(clientopt_rows)
{
	static const char *const fields[] = {
#define FIELD(letter, name, arg, kind, field, attach) #field,
		NBD_CLIENT_OPTIONS(FIELD)
	};
	int k;

	CHECK_EQ(nbd_client_nopts, (int)(sizeof fields / sizeof *fields));
	for (k = 0; k < nbd_client_nopts; k++) {
		const struct nbd_client_opt *o = &nbd_client_opts[k];
		char shortw[3] = { '-', o->letter, 0 }, one[32], two[32];
		static struct nbd_spec sp;
		static struct nbd_argv av;
		struct nbd_err err;
		const char *val = o->arg ? arg_for(o->kind) : NULL;
		int r, nbdopt = o->kind != NBDC_CLIENT && o->kind != NBDC_NOTSUP &&
			o->kind != NBDC_OWN;

		snprintf(one, sizeof one, "-%s", o->name);
		snprintf(two, sizeof two, "--%s", o->name);
		CHECK_EQ(nbd_client_opt_find(shortw), k);
		CHECK_EQ(nbd_client_opt_find(one), k);
		CHECK_EQ(nbd_client_opt_find(two), k);
		/* nbdopts takes the row, or refuses nbd-client's own words. */
		nbd_spec_init(&sp);
		r = nbd_spec_clientopt(&sp, shortw, val, &err);
		if (!nbdopt) {
			CHECK(r < 0);
			continue;
		}
		if (r != 1 + o->arg)
			fprintf(stderr, "row -%c: %d (%s)\n", o->letter, r, r < 0 ? err.msg : "");
		CHECK_EQ(r, 1 + o->arg);
		/* and the round trip into nbd-attach's argv */
		sp.host[0] = 'h';
		CHECK(nbd_spec_argv(&av, &sp, 0, NULL, 0, NULL, &err) == 0);
		if (o->kind == NBDC_KEEP) {
			/* A device (nbd-client, --tab) hears it; a root
			 * decides for itself (--wait, -m, --swap). */
			if (o->attach)
				CHECK(has(&av, o->attach, NULL));
			CHECK(nbd_spec_argv(&av, &sp, 1, NULL, 0, NULL, &err) == 0);
			if (o->attach && strcmp(o->attach, "-m") && strcmp(o->attach, "--swap"))
				CHECK(!has(&av, o->attach, NULL));
			continue;
		}
		if (!has(&av, o->attach, val))
			fprintf(stderr, "row -%c: %s %s not in nbd-attach's argv\n", o->letter,
				o->attach, val ? val : "");
		CHECK(has(&av, o->attach, val));
	}
}

TEST(nbdtab_rows)
{
	static const struct { const char *name, *field; int arg; } rows[] = {
#define TABROW(name, arg, kind, field) { name, #field, arg },
		NBDTAB_OPTIONS(TABROW)
	};
	static const char *const cfield[] = {
#define CFIELD(letter, name, arg, kind, field, attach) #field,
		NBD_CLIENT_OPTIONS(CFIELD)
	};
	size_t k;
	int c;

	for (k = 0; k < sizeof rows / sizeof *rows; k++) {
		static struct nbd_spec sp;
		static struct nbd_argv av;
		struct nbd_err err;
		char line[128];
		const char *val = !strcmp(rows[k].field, "port") ? "10810" :
			!strcmp(rows[k].field, "block_size") ? "4096" :
			!strcmp(rows[k].field, "timeout_s") ? "30" :
			!strcmp(rows[k].field, "conns") ? "2" : "/f";
		int r;

		snprintf(line, sizeof line, "nbd3 host exp %s%s%s\n", rows[k].name,
			 rows[k].arg ? "=" : "", rows[k].arg ? val : "");
		memset(&err, 0, sizeof err);
		r = nbd_tab_find(line, strlen(line), "nbd3", &sp, &err);
		if (!strcmp(rows[k].field, "_")) {
			CHECK(r < 0 && err.code == NBX_NOTSUP);   /* sdp, preinit */
			continue;
		}
		if (r != 1)
			fprintf(stderr, "nbdtab row %s: %d (%s)\n", rows[k].name, r, err.msg);
		CHECK_EQ(r, 1);
		/* The other form (a value where none goes, or none where one
		 * must) is refused. */
		snprintf(line, sizeof line, "nbd3 host exp %s%s\n", rows[k].name,
			 rows[k].arg ? "" : "=1");
		CHECK(nbd_tab_find(line, strlen(line), "nbd3", &sp, &err) < 0);
		snprintf(line, sizeof line, "nbd3 host exp %s%s%s\n", rows[k].name,
			 rows[k].arg ? "=" : "", rows[k].arg ? val : "");
		CHECK(nbd_tab_find(line, strlen(line), "nbd3", &sp, &err) == 1);
		CHECK(nbd_spec_argv(&av, &sp, 0, NULL, 0, NULL, &err) == 0);
		if (!strcmp(rows[k].field, "port")) {
			CHECK(!strcmp(av.v[av.n - 2], val));        /* HOST PORT DEVICE */
			continue;
		}
		if (!strcmp(rows[k].field, "unix_path")) {
			CHECK(has(&av, "-u", "host"));
			continue;
		}
		if (!strcmp(rows[k].field, "alt")) {   /* nbd-client has no such word */
			CHECK(has(&av, "--alt", val));
			continue;
		}
		/* The nbd-client row that sets the same field says what
		 * nbd-attach hears; a KEEP row's field is not passed on. */
		for (c = 0; c < nbd_client_nopts; c++)
			if (!strcmp(cfield[c], rows[k].field))
				break;
		CHECK(c < nbd_client_nopts);
		if (c == nbd_client_nopts)
			continue;
		if (nbd_client_opts[c].kind == NBDC_KEEP) {
			if (!strcmp(rows[k].field, "swap"))
				CHECK(has(&av, "--swap", NULL));
			continue;
		}
		if (!has(&av, nbd_client_opts[c].attach, rows[k].arg ? val : NULL))
			fprintf(stderr, "nbdtab row %s: %s not in nbd-attach's argv\n", rows[k].name,
				nbd_client_opts[c].attach);
		CHECK(has(&av, nbd_client_opts[c].attach, rows[k].arg ? val : NULL));
	}
}
