/* What to attach, as the kernel command line (nbdroot=, root=nbd:,
 * netroot=nbd:, nbddev=, root=/dev/nbdXpN) or a line of /etc/nbdtab says
 * it. Pure parsers: no I/O, no printing; every length is bounded and a
 * too-long word is an error, never a truncation. applets/ turn a spec
 * into nbd-attach's own options. */
#ifndef NBDBOX_CMDLINE_H
#define NBDBOX_CMDLINE_H

#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "wire.h"

#define NBD_CMDLINE_MAX   4096   /* the largest COMMAND_LINE_SIZE Linux has */
#define NBD_SPEC_MAX_ALT  4      /* nbdroot.alt= / --alt: other servers */

enum nbd_spec_form {
	NBD_FORM_NONE,
	NBD_FORM_DEBIAN,      /* nbdroot=SERVER,PORT|NAME[,nbdX] and friends */
	NBD_FORM_DRACUT,      /* root=nbd: / netroot=nbd: */
	NBD_FORM_URI,         /* nbdroot=nbd://... (also root=nbd://...) */
	NBD_FORM_NBDTAB,      /* a line of /etc/nbdtab */
};

struct nbd_spec {
	int form;
	char word[160];             /* the command-line word, for messages */
	/* The server: host (IPv6 without brackets) and port, or a whole URI
	 * (given to nbd-attach as it is), or a Unix socket. */
	char host[256];
	char port[8];
	char uri[1024];
	char unix_path[108];
	int has_name;
	char name[NBD_MAX_STRING + 1];
	int host_dhcp;              /* server "dhcp" or empty: ROOTSERVER */
	/* The device: /dev/nbd<index>, the root partition p<part>. */
	int index;                  /* -1: not said */
	int part;                   /* 0: the whole device */
	/* nbd-client's options (dracut's nbdopts, nbdtab's options). */
	uint32_t block_size;        /* 0: not said */
	int timeout_s;              /* -1: not said */
	int conns;                  /* 0: not said */
	int read_only, persist, swap, use_ioctl, tls, no_optgo, nofork, mark;
	char certfile[256], keyfile[256], cacertfile[256], tlshostname[256];
	/* dracut: for the mount, not for the client. */
	char fstype[32];
	char rootflags[256];
	int nalt;
	char alt[NBD_SPEC_MAX_ALT][256];
};

void nbd_spec_init(struct nbd_spec *s);

/* The kernel command line s[0..len) (a NUL or newline ends it early).
 * env_nbdroot (Debian's NBDROOT, may be NULL) replaces nbdroot=.
 * Returns 1 with spec filled when the line asks for an NBD root, 0 when
 * it does not, -1 with err (NBX_USAGE, "WORD: reason") when it asks for
 * one in words that do not parse. */
int nbd_cmdline_parse(const char *s, size_t len, const char *env_nbdroot,
		      struct nbd_spec *spec, struct nbd_err *err);

/* One of nbd-client's option words (dracut's nbdopts): "-t", "30" come as
 * two calls, so next is the following word (NULL at the end). Returns how
 * many words it took (1 or 2), -1 with err. */
int nbd_spec_clientopt(struct nbd_spec *spec, const char *w, const char *next,
		       struct nbd_err *err);

/* The nbd-attach argv a spec means: options first (the rows of
 * clientopt.h, then extra[0..nextra), the caller's own, so they win), then
 * the server and the device. root: a network root (--cmdline): --wait
 * NBD_ROOT_WAIT -m --swap. rootserver: the server when the spec leaves it
 * to DHCP (initramfs-tools' ROOTSERVER). 0, or -1 with err. */
#define NBD_ROOT_WAIT "300"      /* the server may boot after us */
struct nbd_argv {
	int n, nnums;
	char *v[64];
	char nums[3][24];
	char dev[24];
};
int nbd_spec_argv(struct nbd_argv *a, const struct nbd_spec *sp, int root,
		  const char *rootserver, int nextra, char **extra, struct nbd_err *err);

/* nbdtab's options (nbdtab(5)), stated once: X("name", ARG, KIND, FIELD).
 * ARG 1: written name=value, 0: name alone. KIND: PORT (the port, 1 to
 * 65535), BS, TIMEOUT, CONNS (a checked number, nbd_spec_setnum), STR (a
 * non-empty string into FIELD), FLAG (FIELD = 1), UNIX (the host field
 * is a socket path), ALT (one more server, as --alt: several alt= and
 * conns=N spread the connections), NOTSUP (refused, exit 7). FIELD: the struct nbd_spec
 * member, "_" when none. nbd-attach's argv is made from the spec
 * (nbd_spec_argv, from clientopt.h's rows). To add an option: a row here
 * (and its struct nbd_spec member, and its nbd-client row if nbd-attach
 * must hear of it); tests/unit/test_clientopt.c walks the rows. Used by nbdtab.c. */
#define NBDTAB_OPTIONS(X)                                \
	X("port",        1, PORT,    port)               \
	X("bs",          1, BS,      block_size)         \
	X("timeout",     1, TIMEOUT, timeout_s)          \
	X("conns",       1, CONNS,   conns)              \
	X("certfile",    1, STR,     certfile)           \
	X("keyfile",     1, STR,     keyfile)            \
	X("cacertfile",  1, STR,     cacertfile)         \
	X("tlshostname", 1, STR,     tlshostname)        \
	X("persist",     0, FLAG,    persist)            \
	X("swap",        0, FLAG,    swap)               \
	X("unix",        0, UNIX,    unix_path)          \
	X("no_optgo",    0, FLAG,    no_optgo)           \
	X("tls",         0, FLAG,    tls)                \
	X("readonly",    0, FLAG,    read_only)          \
	X("alt",         1, ALT,     alt)                \
	X("sdp",         0, NOTSUP,  _)                  \
	X("preinit",     0, NOTSUP,  _)

/* /etc/nbdtab: find the line for device dev ("nbd0" or "/dev/nbd0") in
 * text[0..len). Returns 1 found (spec filled), 0 no such line, -1 with
 * err ("nbdtab line N: ...") for a line that does not parse -- the line
 * asked for, or any line before it. */
int nbd_tab_find(const char *text, size_t len, const char *dev,
		 struct nbd_spec *spec, struct nbd_err *err);

#endif
