/* The small text parsers everything shares: hex digits (PSK keys, URI
 * percent-encoding), yes/no words (tls-verify-peer in a URI and on the
 * command line) and device names (the same on every platform: parsing one
 * needs no kernel, so usage errors stay usage errors on the stub too). */
#ifndef NBDBOX_PARSE_H
#define NBDBOX_PARSE_H

#include <stddef.h>

/* 0..15 for one hex digit (either case), -1 for anything else. */
int nbd_hexval(int c);
/* 1 for yes/true/1, 0 for no/false/0, -1 for anything else. */
int nbd_parse_yesno(const char *s);
/* "nbdN" or "/dev/nbdN" (N <= 1000000) into *index; "...pM" (M 1..999)
 * too when part is not NULL (*part = M, or 0 without a partition). -1 for
 * anything else. */
int nbd_parse_dev(const char *s, size_t n, int *index, int *part);
/* The index of s[0..n) in list: words each ended by a NUL, the list by
 * an empty word ("one\0two\0"). -1 if it is not there. */
int nbd_word_find(const char *list, const char *s, size_t n);
/* The index of a NUL-ended "nbdN" or "/dev/nbdN", -1 if it is not one. */
int nbd_dev_index(const char *s);

#endif
