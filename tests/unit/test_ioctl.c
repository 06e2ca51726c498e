/* The numbers the ioctl path hands the kernel: NBD_SET_SIZE_BLOCKS takes
 * an unsigned long, 32 bits on armhf/mips/i386. The device must get the
 * export's exact size there too (2 TiB at 512-byte blocks is 2^32 blocks:
 * truncated to 0 before). */
#include <errno.h>
#include "unit.h"
#include "platform.h"

static uint64_t said(uint64_t size, uint32_t bs, int *rc)
{
	unsigned long b = 0, n = 0;

	*rc = nbd_ioctl_geometry(size, bs, 4096, &b, &n);
	return (uint64_t)b * n;
}

TEST(ioctl_geometry_exact_size)
{
	const uint64_t TiB = 1ULL << 40;
	unsigned long b, n;
	int rc;

	CHECK_EQ(said(64ULL << 20, 512, &rc), 64ULL << 20);
	CHECK_EQ(rc, 0);
	/* The block size asked for is kept while the count fits. */
	CHECK_EQ(nbd_ioctl_geometry(1ULL << 30, 1024, 4096, &b, &n), 0);
	CHECK_EQ(b, 1024);
	CHECK_EQ(n, 1ULL << 20);
	CHECK_EQ(said(2 * TiB - 512, 512, &rc), 2 * TiB - 512);
	CHECK_EQ(rc, 0);
	CHECK_EQ(said(2 * TiB, 512, &rc), 2 * TiB);
	CHECK_EQ(rc, 0);
	CHECK_EQ(said(8 * TiB, 512, &rc), 8 * TiB);
	CHECK_EQ(rc, 0);
	CHECK_EQ(said(3 * TiB + 4096, 4096, &rc), 3 * TiB + 4096);
	CHECK_EQ(rc, 0);
	if (sizeof(unsigned long) == 4) {
		/* 2 TiB: 512-byte blocks no longer fit; 1024-byte ones do. */
		CHECK_EQ(nbd_ioctl_geometry(2 * TiB, 512, 4096, &b, &n), 0);
		CHECK_EQ(b, 1024);
		/* 16 TiB + 512 fits no block size that divides it: refused,
		 * not truncated. */
		errno = 0;
		CHECK_EQ(nbd_ioctl_geometry(16 * TiB + 512, 512, 4096, &b, &n), -1);
		CHECK_EQ(errno, ERANGE);
		CHECK_EQ(nbd_ioctl_geometry(64 * TiB, 512, 4096, &b, &n), -1);
	} else {
		CHECK_EQ(nbd_ioctl_geometry(64 * TiB, 512, 4096, &b, &n), 0);
		CHECK_EQ(b, 512);
		CHECK_EQ(n, 64 * TiB / 512);
	}
}
