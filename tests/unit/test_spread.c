/* Spreading connections over servers (core/spread.c): round-robin homes,
 * the fallback while a home is down, the way back. */
#include "unit.h"
#include "spread.h"

TEST(spread_home_round_robin)
{
	/* -C 3 over 3 servers: one each; -C 4 over 3: the first gets two;
	 * -C 2 over 3: the third is only a fallback. One server: all home. */
	CHECK_EQ(nbd_spread_home(0, 3), 0);
	CHECK_EQ(nbd_spread_home(1, 3), 1);
	CHECK_EQ(nbd_spread_home(2, 3), 2);
	CHECK_EQ(nbd_spread_home(3, 3), 0);
	CHECK_EQ(nbd_spread_home(5, 2), 1);
	CHECK_EQ(nbd_spread_home(7, 1), 0);
	CHECK_EQ(nbd_spread_home(7, 0), 0);
}

TEST(spread_pick_home_when_up)
{
	int at[3] = { 0, 1, 2 };

	CHECK_EQ(nbd_spread_pick(1, 3, 7, at, 3), 1);
	/* Home up but busier than the others: still home. */
	at[0] = 1;
	CHECK_EQ(nbd_spread_pick(1, 3, 7, at, 3), 1);
}

TEST(spread_pick_fallback_least_loaded)
{
	/* Server 0 down; connections 1, 2 on servers 1, 2; connection 3
	 * (home 0) also on 2: connection 0 goes to server 1. */
	int at[4] = { -1, 1, 2, 2 };

	CHECK_EQ(nbd_spread_pick(0, 3, 6, at, 4), 1);
	/* Ties: the first after home in order (0 -> 1 before 2). */
	at[3] = -1;
	CHECK_EQ(nbd_spread_pick(0, 3, 6, at, 4), 1);
	/* Home 2 down, servers 0 and 1 tied: 0 comes after 2. */
	at[0] = 0; at[1] = 1; at[2] = -1;
	CHECK_EQ(nbd_spread_pick(2, 3, 3, at, 3), 0);
	/* Nothing up. */
	CHECK_EQ(nbd_spread_pick(0, 3, 0, at, 3), -1);
	/* Only one up: everyone there. */
	CHECK_EQ(nbd_spread_pick(0, 3, 4, at, 3), 2);
	CHECK_EQ(nbd_spread_pick(1, 3, 4, at, 3), 2);
}

TEST(spread_order)
{
	int at[3] = { -1, 1, 1 }, o[3];

	/* Slot 0, home 0 down, server 1 carries two, 2 none: 2, 1, then
	 * the home that is down, last. */
	CHECK_EQ(nbd_spread_order(0, 3, 6, at, 3, o), 3);
	CHECK(o[0] == 2 && o[1] == 1 && o[2] == 0);
	/* Home up: first whatever the load. */
	CHECK_EQ(nbd_spread_order(1, 3, 7, at, 3, o), 3);
	CHECK(o[0] == 1);
	CHECK_EQ(nbd_spread_pick(1, 9, 7, at, 3), -1);   /* more servers than we keep */
}
