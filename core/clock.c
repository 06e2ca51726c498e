/* The clock, sleeping and backoff; see clock.h. */
#include <errno.h>
#include <time.h>
#include "clock.h"

long nbd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

int nbd_poll_ms(int timeout_ms, long deadline)
{
	long left;

	if (!deadline)
		return timeout_ms > 0 ? timeout_ms : -1;
	left = deadline - nbd_now_ms();
	if (left < 0)
		left = 0;
	return timeout_ms > 0 && timeout_ms < left ? timeout_ms : (int)left;
}

void nbd_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long nbd_backoff_next(struct nbd_backoff *b)
{
	long d = b->next_ms;

	b->next_ms = d > b->cap_ms / 2 ? b->cap_ms : d * 2;
	return d;
}
