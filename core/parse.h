/* The small text parsers everything shares: hex digits (PSK keys, URI
 * percent-encoding), yes/no words (tls-verify-peer in a URI and on the
 * command line) and device names (the same on every platform: parsing one
 * needs no kernel, so usage errors stay usage errors on the stub too). */
#ifndef NBDBOX_PARSE_H
#define NBDBOX_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* 0..15 for one hex digit (either case), -1 for anything else. */
int nbd_hexval(int c);
/* 1 for yes/true/1, 0 for no/false/0, -1 for anything else. */
int nbd_parse_yesno(const char *s);
/* "nbdN" or "/dev/nbdN" (N <= 1000000) into *index; "...pM" (M 1..999)
 * too when part is not NULL (*part = M, or 0 without a partition). -1 for
 * anything else. */
int nbd_parse_dev(const char *s, size_t n, int *index, int *part);
/* 1 if s[0..n) is one or more decimal digits, 0 if not. */
int nbd_is_digits(const char *s, size_t n);
/* The decimal number s[0..n) (digits only, at least one) into *out if it
 * is at most max; -1 for anything else. nbd_parse_uint: the same for a
 * NUL-ended s. No strtoul: the static build stays small. */
int nbd_parse_num(const char *s, size_t n, unsigned long max, unsigned long *out);
int nbd_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* The decimal digits at s, saturating at UINT64_MAX rather than
 * overflowing; *end (if not NULL) gets what follows them. */
uint64_t nbd_parse_dec(const char *s, const char **end);
/* The index of s[0..n) in list: words each ended by a NUL, the list by
 * an empty word ("one\0two\0"). -1 if it is not there. */
int nbd_word_find(const char *list, const char *s, size_t n);
/* The index of a NUL-ended "nbdN" or "/dev/nbdN", -1 if it is not one. */
int nbd_dev_index(const char *s);

#endif
