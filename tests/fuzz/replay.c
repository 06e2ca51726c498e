/* Replay a fuzz corpus without libFuzzer, so the targets never rot:
 * `replay FILE...` runs each file through LLVMFuzzerTestOneInput. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 20];
	int i, n = 0;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t len;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		len = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		n++;
	}
	/* Reaching here means no sanitizer fired on any input. */
	printf("fuzz-replay: %d passed, 0 failed\n", n);
	return 0;
}
