/* Fuzz target: a kernel command line and an nbdtab, fed to core/cmdline.c.
 * The first byte picks: even, the command line; odd, nbdtab for nbd0. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nbd_spec s;
	struct nbd_err e;
	int r;

	if (size < 1 || size > 2 * NBD_CMDLINE_MAX)
		return 0;
	if (data[0] & 1) {
		r = nbd_tab_find((const char *)data + 1, size - 1, "nbd0", &s, &e);
	} else {
		r = nbd_cmdline_parse((const char *)data + 1, size - 1, NULL, &s, &e);
		/* what it fills is always terminated and in range */
		if (r == 1 && (strlen(s.word) >= sizeof s.word || s.index < 0 || s.part < 0))
			__builtin_trap();
	}
	if (r < 0 && !memchr(e.msg, 0, sizeof e.msg))
		__builtin_trap();
	return 0;
}
