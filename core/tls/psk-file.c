/* PSK files as psktool writes them for nbdkit and qemu: "username:hexkey"
 * per line. Pure; see tls.h. */
#include <string.h>
#include "parse.h"
#include "tls.h"

int nbd_psk_find(const char *text, size_t len, const char *user,
		 char id[NBD_PSK_MAX_ID + 1], unsigned char key[NBD_PSK_MAX_KEY],
		 size_t *keylen, const char **why)
{
	const char *p = text, *end = text + len;
	int found = 0, entries = 0;

	*why = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *colon, *h;
		size_t ulen, hlen, i;

		if (le > p && le[-1] == '\r')
			le--;
		if (le == p || *p == '#') {     /* blank line, comment */
			p = nl ? nl + 1 : end;
			continue;
		}
		colon = memchr(p, ':', (size_t)(le - p));
		if (!colon || colon == p) {
			*why = "a line is not username:hexkey";
			return -1;
		}
		entries++;
		ulen = (size_t)(colon - p);
		h = colon + 1;
		hlen = (size_t)(le - h);
		if (user ? (strlen(user) == ulen && !memcmp(user, p, ulen)) : !found) {
			if (ulen > NBD_PSK_MAX_ID) {
				*why = "username longer than 128 bytes";
				return -1;
			}
			if (!hlen || hlen % 2 || hlen / 2 > NBD_PSK_MAX_KEY) {
				*why = "key is not 2 to 128 hex digits";
				return -1;
			}
			for (i = 0; i < hlen / 2; i++) {
				int a = nbd_hexval((unsigned char)h[2 * i]);
				int b = nbd_hexval((unsigned char)h[2 * i + 1]);
				if (a < 0 || b < 0) {
					*why = "key is not hexadecimal";
					return -1;
				}
				key[i] = (unsigned char)(a << 4 | b);
			}
			memcpy(id, p, ulen);
			id[ulen] = 0;
			*keylen = hlen / 2;
			found = 1;
			if (user)
				return 0;
		}
		p = nl ? nl + 1 : end;
	}
	if (!entries)
		*why = "no username:hexkey entry";
	else if (!user && entries > 1)
		*why = "more than one user: name one with --tls-username";
	else if (!found)
		*why = "no entry for this username";
	else
		return 0;
	if (found) /* do not leave a key behind on failure */
		memset(key, 0, NBD_PSK_MAX_KEY);
	return -1;
}

