#include <stdio.h>
#include <string.h>
#include "unit.h"

static struct unit_test *head, **tail = &head;
int unit_failed_checks;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

int main(int argc, char **argv)
{
	struct unit_test *t;
	int pass = 0, fail = 0;

	for (t = head; t; t = t->next) {
		int before = unit_failed_checks;
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		t->fn();
		if (unit_failed_checks == before) {
			pass++;
		} else {
			fail++;
			fprintf(stderr, "FAIL %s\n", t->name);
		}
	}
	printf("unit: %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
