/* What applets share: the one error/usage printer family and output
 * helpers for --json and --shell (applets/out.c), the common
 * server-address and TLS options and connecting (applets/conn.c). */
//config:config JSON
//config:	bool "JSON output (--json)"
//config:	default y
#ifndef NBDBOX_APPLET_H
#define NBDBOX_APPLET_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "hs.h"
#include "clock.h"
#include "sock.h"
#include "tls.h"
#include "uri.h"

/* The applets' getopt_long is applets/getopt.c: same contract, no libc
 * getopt (and the stdio it prints with) in a static binary. */
#define getopt_long nbd_getopt_long
#define optarg nbd_optarg
#define optind nbd_optind
extern char *nbd_optarg;
extern int nbd_optind;
/* One long option. A table of them ends with an entry without a name. */
struct longopt {
	const char *name;
	int val;             /* what getopt_long returns: the short letter, or OPT_* */
	int arg;             /* 1: takes an argument (--name=value or --name value) */
};
/* own: the applet's table; shared: conn_longopts for the applets that
 * connect to a server, else NULL. */
int nbd_getopt_long(int argc, char *const argv[], const char *shortopts,
		    const struct longopt *own, const struct longopt *shared);
/* After getopt_long returned '?' or ':': the usage error, exit code 2. */
int bad_option(void);

struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *usage;
};
extern const struct applet applets[];
extern const char *applet_name;
extern const char *applet_usage;
/* Run another applet, as the table (nbdbox.c) has it: argv[0] names it.
 * One applet starts another only this way, never by calling its main.
 * The caller's applet_name stays (its messages keep its name). */
int run_applet(int argc, char **argv);

/* "APPLET: message\n" on stderr in one write. */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print err, return its exit code. */
int report(const struct nbd_err *err);
/* Usage error: message plus a hint; returns NBX_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --help: applet_usage, expanded, on stdout; returns 0. The usage texts
 * are compressed ($O/usage.h, made by scripts/usagez.c). */
int show_usage(void);
/* A usage text (USAGE_* of usage.h), expanded, on stdout. */
void out_usage(const char *text);

/* ---- connecting to a server: options every network applet takes
 * (applets/conn.c) */
struct conn_opts {
	struct nbd_addr addr;
	const char *name;        /* -N: wins over the URI's export name */
	const char *port;        /* second positional: HOST PORT */
	const char *unix_path;   /* -u PATH */
	int timeout_ms;          /* -T/--timeout: the connect, and the handshake as a whole */
	int wait_s;              /* --wait: keep retrying this long */
	/* TLS: --tls, --tls-ca, ... first, then the URI (conn_target). */
	struct nbd_tls_conf tls_conf;
	struct nbd_tls_ctx *tls_ctx; /* made by conn_open, kept for reconnects */
	/* --alt: other servers of the same export (failover). conn_open
	 * starts at cur, the one that answered last, and moves on. */
	int nalt, cur;
	const char *alt[4];
	int one;                 /* conn_open tries the server at cur only */
};

/* The options every network applet takes (nbd-list, nbd-probe,
 * nbd-attach, nbd-copy), stated once: the rows of conn_longopts
 * (applets/conn.c), their lines in the usage texts (//usage-conn: and
 * //usage-tls: there). An applet passes CONN_SHORTOPTS in front of its
 * own letters and conn_longopts as getopt_long's shared table, and hands
 * every option to conn_opt() first. tests/shell/test_docs.sh walks the
 * rows: each is accepted by every network applet and shown in its --help. */
#define CONN_SHORTOPTS "N:u:T:"
enum {
	OPT_TLS = 0x100, OPT_WAIT, OPT_ALT, OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_TLS_CERTS, OPT_TLS_CRL, OPT_TLS_PSK, OPT_TLS_HOSTNAME, OPT_TLS_USER,
	OPT_TLS_VERIFY,
	OPT_CONN_LAST   /* an applet's own long-only options start here */
};
extern const struct longopt conn_longopts[];

void conn_opts_init(struct conn_opts *c);
/* 1: handled; 0: not a connection option; -1: bad value (printed). */
int conn_opt(struct conn_opts *c, int opt, const char *arg);
/* Take the server address from argv[*i]: URI or HOST[:PORT] (and an
 * optional PORT after it when allow_port). Advances *i. Returns 0 or an
 * exit code (printed). */
int conn_target(struct conn_opts *c, int argc, char **argv, int *i, int allow_port);
/* The same when the server address is all that is left of argv (from
 * argv[i]): anything after it is a usage error. */
int conn_args(struct conn_opts *c, int argc, char **argv, int i);
/* Connect (retrying with backoff while --wait lasts) and run the greeting
 * (and STARTTLS). io and hs are the caller's. Returns 0 or -1 with err. */
int conn_open(struct conn_opts *c, struct nbd_io *io, struct nbd_hs *hs,
	      struct nbd_err *err);
/* The address conn_open connected to last (the primary or an --alt). */
struct nbd_addr *conn_addr(struct conn_opts *c);

/* ---- output (applets/out.c) */
/* A write whose failure nobody could act on (stderr gone, the reader
 * gone): tried once, its result dropped on purpose. The one way to say so. */
void write_or_drop(int fd, const void *p, size_t n);
/* Standard output, buffered without stdio (see core/fmt.h for why):
 * out() takes the conversions nbd_fmt() knows. */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void out_bytes(const void *p, size_t n);
void out_str(const char *s);
void out_char(int c);
int out_flush(void);
/* nbd-probe DEVICE (applets/devprobe.c): attached (0) or not (NBX_NODEV),
 * size, read-only, pid, backend. fmt: one of PROBE_*. */
enum { PROBE_HUMAN, PROBE_JSON, PROBE_SHELL, PROBE_SIZE };
int probe_device(const char *dev, int fmt);
/* Flush; a write error (full disk, closed pipe) is reported: exit code. */
int finish_output(void);
/* Strings from a server, escaped (core/esc.h): out_text for human output
 * (\xNN, \\), json_str as a JSON string with its quotes (\u00XX, U+FFFD
 * for bytes that are not UTF-8). */
void out_text(const char *s, size_t len);
void json_str(const char *s, size_t len);
/* Write s[0..len) single-quoted for sh: safe to eval; the bytes are kept
 * as they are, except NUL, which no shell variable can hold (dropped). */
void shell_str(const char *s, size_t len);
/* Transmission flags, decoded: names joined by sep, or as a JSON array. */
void print_tflags(uint16_t tflags, const char *sep, int json);

#endif
