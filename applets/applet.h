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
int nbd_getopt_long(int argc, char *const argv[], const char *shortopts,
		    const char *longopts);
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

/* Long options shared by nbd-list, nbd-probe, nbd-attach; short letters
 * N u T W. Put CONN_LONGOPTS in front of the applet's option table (or
 * have conn_longopts() do it, which keeps one copy) and hand unknown
 * option characters to conn_opt(). */
#define CONN_SHORTOPTS "N:u:T:"
enum {
	OPT_TLS = 0x100, OPT_WAIT,
	/* TLS file and name options, in conn.c's table order: those up to
	 * OPT_TLS_PSK name credentials. */
	OPT_TLS_CA, OPT_TLS_CERT, OPT_TLS_KEY, OPT_TLS_CERTS, OPT_TLS_PSK,
	OPT_TLS_HOSTNAME, OPT_TLS_USER,
	OPT_TLS_VERIFY, OPT_TLS_RELAY, OPT_ALT, OPT_CONN_LAST,
	/* Outside the run the applets' own options start after ("\xff"):
	 * until the connection options are one table. */
	OPT_TLS_CRL = 0x17f
};
/* Option strings for nbd_getopt_long (applets/getopt.c): value byte,
 * name, ':' if it takes an argument. A long-only option's byte is 0x80 +
 * its OPT_* value - 0x100 (the first of an applet's own is "\x8c"). */
#define CONN_LONGOPTS                                              \
	"N" "name:\0" "u" "unix:\0" "T" "timeout:\0" "\x81" "wait:\0" \
	"\x80" "tls\0" "\x82" "tls-ca:\0" "\x83" "tls-cert:\0"          \
	"\x84" "tls-key:\0" "\x85" "tls-certificates:\0"                 \
	"\x87" "tls-hostname:\0" "\x89" "tls-verify-peer:\0"             \
	"\x86" "tls-psk:\0" "\x88" "tls-username:\0"                     \
	"\x8a" "tls-relay\0" "\x8b" "alt:\0" "\xff" "tls-crl:\0"

/* CONN_LONGOPTS, then the applet's own options own[0..n) (its entries and
 * the empty one that ends them: sizeof own), into lo, of
 * CONN_LONGOPTS_LEN + n bytes. Returns lo. */
#define CONN_LONGOPTS_LEN (sizeof CONN_LONGOPTS - 1)
const char *conn_longopts(char *lo, const char *own, size_t n);

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
