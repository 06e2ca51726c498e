/* core/io.c: the retry pacing every retry loop uses. */
#include "io.h"
#include "unit.h"

TEST(io_backoff_doubles_to_cap)
{
	struct nbd_backoff b = NBD_BACKOFF(100, 5000);
	static const long want[] = { 100, 200, 400, 800, 1600, 3200, 5000, 5000 };
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		CHECK_EQ(nbd_backoff_next(&b), want[i]);
	/* A cap that is not a doubling of the first step is still reached. */
	b = (struct nbd_backoff)NBD_BACKOFF(100, 500);
	CHECK_EQ(nbd_backoff_next(&b), 100);
	CHECK_EQ(nbd_backoff_next(&b), 200);
	CHECK_EQ(nbd_backoff_next(&b), 400);
	CHECK_EQ(nbd_backoff_next(&b), 500);
	CHECK_EQ(nbd_backoff_next(&b), 500);
}
