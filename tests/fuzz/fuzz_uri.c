/* Fuzz target: a command-line server address, as an NBD URI or as
 * HOST[:PORT], and an export name set on it. The input is split at its
 * first NUL: address, then (if any) the export name. */
#include <stdint.h>
#include <string.h>
#include "tls.h"
#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char s[8192];
	static struct nbd_addr a;
	static struct nbd_tls_conf t;
	struct nbd_err err = { 0 };
	const char *name;

	if (size >= sizeof s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	name = memchr(s, 0, size) ? s + strlen(s) + 1 : NULL;
	nbd_addr_init(&a);
	nbd_tls_conf_init(&t);
	if (nbd_is_uri(s))
		nbd_parse_uri(&a, &t, s, &err);
	else
		nbd_parse_hostport(&a, s, NULL, &err);
	if (name)
		nbd_addr_set_name(&a, name, &err);
	/* Whatever parsed must be NUL-terminated within its field. */
	if (!memchr(a.host, 0, sizeof a.host) || !memchr(a.name, 0, sizeof a.name) ||
	    !memchr(t.uri.user, 0, sizeof t.uri.user) ||
	    !memchr(t.uri.hostname, 0, sizeof t.uri.hostname) ||
	    !memchr(err.msg, 0, sizeof err.msg))
		__builtin_trap();
	return 0;
}
