/* Time for deadlines and retries (core/clock.c): the monotonic clock in
 * milliseconds, a sleep, the poll timeout left before a deadline, and the
 * one backoff every retry loop uses. */
#ifndef NBDBOX_CLOCK_H
#define NBDBOX_CLOCK_H

/* CLOCK_MONOTONIC in milliseconds (deadlines), and a sleep that EINTR
 * does not cut short (backoff). */
long nbd_now_ms(void);
void nbd_sleep_ms(long ms);
/* The timeout for one poll(): timeout_ms (<= 0: forever, -1) cut to what
 * is left before deadline (0: none); 0 once the deadline has passed. */
int nbd_poll_ms(int timeout_ms, long deadline);

/* Retry pacing, the one for every retry loop: delays from first_ms,
 * doubling up to cap_ms (first 100, cap 500: at once-ish, then at most two
 * tries a second). Pure state; the caller sleeps. */
struct nbd_backoff {
	long next_ms, cap_ms;
};
#define NBD_BACKOFF(first_ms, cap_ms) { (first_ms), (cap_ms) }
/* The delay before the next try; the one after it doubles (up to cap). */
long nbd_backoff_next(struct nbd_backoff *b);

#endif
