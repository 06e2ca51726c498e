/* Showing what a server said. Export names, descriptions, meta context
 * names and error texts come from the peer: they may hold newlines, tabs,
 * terminal escape sequences, NUL and bytes that are not UTF-8 (proto.md,
 * "Conventions", says they MUST NOT, which a hostile server ignores).
 * One routine decides, byte by byte, how such a string is shown:
 *
 *   NBD_ESC_TEXT (human output, error messages): printable ASCII and
 *     valid UTF-8 other than controls and invisible format characters
 *     are kept; every other byte (C0 controls with tab and newline, DEL,
 *     the bytes of a C1 control U+0080..U+009F or of a format character or
 *     separator (bidi, zero-width, soft hyphen, tags...: esc.c lists
 *     them; they make a name read other than it is), any byte of an invalid or
 *     overlong sequence,
 *     surrogates, code points above U+10FFFF) becomes \xNN (lower-case
 *     hex), and a backslash becomes \\, so the text stays one line, the
 *     tab-separated fields stay apart, and the original bytes can be
 *     recovered.
 *   NBD_ESC_JSON (the inside of a JSON string): " and \ escaped, C0, DEL,
 *     C1 and those format characters as \uXXXX (a surrogate pair for the
 *     tags), NUL as \u0000, and every byte of an invalid
 *     sequence replaced by \ufffd: the output is always valid UTF-8 JSON
 *     (lossy for invalid bytes; the human output has them exactly).
 *
 * Pure: no output, no allocation. */
#ifndef NBDBOX_ESC_H
#define NBDBOX_ESC_H

#include <stddef.h>

enum nbd_esc_how { NBD_ESC_TEXT, NBD_ESC_JSON };

/* Escape src[0..n) into dst[0..cap) as far as whole characters fit (no
 * NUL added). Returns how many bytes of src were consumed (< n when dst
 * is full: call again with the rest); *dlen gets the bytes written. A
 * cap of at least 18 always makes progress. */
size_t nbd_esc(int how, char *dst, size_t cap, size_t *dlen, const char *src, size_t n);

/* Length of the valid UTF-8 sequence at s[0..n): 1..4, or 0 when s[0]
 * does not start one (bad lead or continuation byte, overlong form,
 * surrogate, above U+10FFFF, truncated). *cp gets the code point. */
size_t nbd_utf8_len(const unsigned char *s, size_t n, unsigned long *cp);

/* Quote an untrusted string for a one-line message (NBD_ESC_TEXT), capped
 * visibly with "..." at dstlen. dst is NUL-terminated. Returns dst. */
char *nbd_quote(char *dst, size_t dstlen, const char *src, size_t srclen);

#endif
