/* Fuzz target: a PSK file (username:hexkey lines, psktool's format),
 * searched for no user (the only entry), and for the user named on its
 * first line. */
#include <stdint.h>
#include <string.h>
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[NBD_PSK_MAX_ID + 1], user[64];
	unsigned char key[NBD_PSK_MAX_KEY];
	const char *text = (const char *)data, *colon, *why;
	size_t keylen = 0, n;

	if (nbd_psk_find(text, size, NULL, id, key, &keylen, &why) == 0 &&
	    (keylen == 0 || keylen > NBD_PSK_MAX_KEY || strlen(id) > NBD_PSK_MAX_ID))
		__builtin_trap();
	colon = memchr(text, ':', size);
	n = colon ? (size_t)(colon - text) : 0;
	if (n && n < sizeof user) {
		memcpy(user, text, n);
		user[n] = 0;
		if (nbd_psk_find(text, size, user, id, key, &keylen, &why) == 0 &&
		    (keylen == 0 || keylen > NBD_PSK_MAX_KEY))
			__builtin_trap();
	}
	return 0;
}
