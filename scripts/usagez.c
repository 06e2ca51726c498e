/* Host tool: compress the applets' usage texts (busybox's
 * FEATURE_COMPRESS_USAGE, done with byte-pair encoding). Built with
 * HOSTCC, run by scripts/gen.sh:
 *   usagez NAME=FILE...
 * reads every FILE (ASCII text: '\n', ' '..'~', and the bytes \1 and \2
 * that out_usage() expands into the connection and TLS options) and
 * replaces the most frequent pair of adjacent bytes, over all the texts,
 * with a byte no text uses, again and again while that saves a byte (156
 * codes at most). Prints C for $O/usage.h:
 *   #define USAGE_NPAIRS N
 *   #define USAGE_PAIRS "..."    pair i: the two bytes code i ^ 0x80 stands for
 *   #define NAME "..."           each text, compressed
 * The codes are 0x80..0xff, then the control bytes 0x03..0x1f: byte c is
 * a code when c != '\n' and (c ^ 0x80) < USAGE_NPAIRS; pairs may hold
 * codes (expanded in turn), \1 and \2. Deterministic: the same texts give
 * the same output (ties go to the smallest pair). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXTEXTS 32
#define MAXLEN 16384

static struct text {
	const char *name;
	unsigned char s[MAXLEN];
	size_t len;
} texts[MAXTEXTS];
static int ntexts;
static unsigned char pairs[0xa0][2];
static unsigned count[256][256];

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "usagez: %s: %s\n", what, arg);
	exit(1);
}

static void load(char *arg)
{
	char *eq = strchr(arg, '=');
	struct text *t = &texts[ntexts];
	FILE *f;
	size_t i;

	if (!eq || ntexts == MAXTEXTS)
		die("want at most 32 NAME=FILE", arg);
	*eq = 0;
	t->name = arg;
	f = fopen(eq + 1, "rb");
	if (!f)
		die("cannot open", eq + 1);
	t->len = fread(t->s, 1, MAXLEN, f);
	if (!feof(f) || ferror(f))
		die("too long or unreadable", eq + 1);
	fclose(f);
	for (i = 0; i < t->len; i++)
		if (!(t->s[i] == '\n' || t->s[i] == 1 || t->s[i] == 2 ||
		      (t->s[i] >= ' ' && t->s[i] <= '~')))
			die("not ASCII text (or a byte other than \\1 \\2)", eq + 1);
	ntexts++;
}

/* Count the pairs, a run like "   " as one pair (the replacement takes
 * it so), and return the most frequent: *best its count. */
static unsigned top_pair(unsigned *best)
{
	unsigned a, b, top = 0;
	int i;
	size_t k;

	memset(count, 0, sizeof count);
	for (i = 0; i < ntexts; i++) {
		struct text *t = &texts[i];
		int skip = 0;

		for (k = 0; k + 1 < t->len; k++) {
			a = t->s[k], b = t->s[k + 1];
			if (skip) {
				skip = 0;
				continue;
			}
			count[a][b]++;
			skip = a == b;
		}
	}
	*best = 0;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			if (count[a][b] > *best)
				*best = count[a][b], top = a << 8 | b;
	return top;
}

static void replace(unsigned a, unsigned b, unsigned code)
{
	int i;
	size_t k, n;

	for (i = 0; i < ntexts; i++) {
		struct text *t = &texts[i];

		for (k = n = 0; k < t->len; k++) {
			if (k + 1 < t->len && t->s[k] == a && t->s[k + 1] == b)
				t->s[n++] = (unsigned char)code, k++;
			else
				t->s[n++] = t->s[k];
		}
		t->len = n;
	}
}

/* A C string literal, in lines of at most about 72 columns. */
static void cstr(const unsigned char *s, size_t len)
{
	size_t k, col = 8;

	printf(" \\\n\t\"");
	for (k = 0; k < len; k++) {
		unsigned c = s[k];

		if (col >= 72) {
			printf("\" \\\n\t\"");
			col = 8;
		}
		if (c == '\n')
			col += (size_t)printf("\\n");
		else if (c == '"' || c == '\\')
			col += (size_t)printf("\\%c", c);
		else if (c >= ' ' && c <= '~')
			col += (size_t)printf("%c", c);
		else
			col += (size_t)printf("\\%03o", c); /* octal: never eats a digit after it */
	}
	printf("\"\n");
}

int main(int argc, char **argv)
{
	unsigned npairs = 0, slot, code, best, top;
	int i;

	for (i = 1; i < argc; i++)
		load(argv[i]);
	for (slot = 0; slot < 0xa0; slot++) {
		code = slot ^ 0x80; /* 0x80..0xff, then 0x03..0x1f but '\n' */
		if (code < 3 || code == '\n')
			continue;
		top = top_pair(&best);
		/* n replacements save n bytes, the pair costs 2 */
		if (best < 3)
			break;
		pairs[slot][0] = (unsigned char)(top >> 8);
		pairs[slot][1] = (unsigned char)top;
		replace(top >> 8, top & 0xff, code);
		npairs = slot + 1;
	}
	printf("/* usage texts compressed by scripts/usagez.c */\n");
	printf("#define USAGE_NPAIRS %u\n#define USAGE_PAIRS", npairs);
	cstr(pairs[0], 2 * npairs);
	for (i = 0; i < ntexts; i++) {
		printf("#define %s", texts[i].name);
		cstr(texts[i].s, texts[i].len);
	}
	return 0;
}
