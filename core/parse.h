/* The small text parsers everything shares: hex digits (PSK keys, URI
 * percent-encoding) and yes/no words (tls-verify-peer in a URI and on the
 * command line). */
#ifndef NBDBOX_PARSE_H
#define NBDBOX_PARSE_H

/* 0..15 for one hex digit (either case), -1 for anything else. */
int nbd_hexval(int c);
/* 1 for yes/true/1, 0 for no/false/0, -1 for anything else. */
int nbd_parse_yesno(const char *s);

#endif
