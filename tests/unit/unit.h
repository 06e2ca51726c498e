/* A tiny unit-test harness: TEST(name) { CHECK(...); } registers itself;
 * tests/unit/main.c runs them all and prints "unit: N passed, N failed". */
#ifndef NBDBOX_UNIT_H
#define NBDBOX_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};
void unit_register(struct unit_test *t);
extern int unit_failed_checks;

#define TEST(name)                                                      \
	static void name(void);                                         \
	static struct unit_test unit_##name = { #name, name, NULL };    \
	__attribute__((constructor)) static void reg_##name(void)       \
	{                                                               \
		unit_register(&unit_##name);                            \
	}                                                               \
	static void name(void)

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			unit_failed_checks++;                                \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__,  \
				__LINE__, #cond);                            \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		unsigned long long a_ = (unsigned long long)(a);             \
		unsigned long long b_ = (unsigned long long)(b);             \
		if (a_ != b_) {                                              \
			unit_failed_checks++;                                \
			fprintf(stderr, "%s:%d: %s == %llu, expected %s == %llu\n", \
				__FILE__, __LINE__, #a, a_, #b, b_);         \
		}                                                            \
	} while (0)

#define CHECK_STR(s, want)                                                   \
	do {                                                                 \
		const char *s_ = (s), *w_ = (want);                          \
		if (!s_ || !strstr(s_, w_)) {                                \
			unit_failed_checks++;                                \
			fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n",  \
				__FILE__, __LINE__, s_ ? s_ : "(null)", w_); \
		}                                                            \
	} while (0)

#endif
