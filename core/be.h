/* Big-endian loads and stores, for every wire format here (NBD, DNS,
 * the kernel's TLS record sequence numbers). */
#ifndef NBDBOX_BE_H
#define NBDBOX_BE_H

#include <stdint.h>

static inline uint16_t nbd_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t nbd_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t nbd_get64(const uint8_t *p)
{
	return (uint64_t)nbd_get32(p) << 32 | nbd_get32(p + 4);
}
static inline uint8_t *nbd_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}
static inline uint8_t *nbd_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}
static inline uint8_t *nbd_put64(uint8_t *p, uint64_t v)
{
	return nbd_put32(nbd_put32(p, (uint32_t)(v >> 32)), (uint32_t)v);
}

#endif
