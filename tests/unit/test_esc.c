/* core/esc.c: how untrusted strings are shown. */
#include "unit.h"
#include "esc.h"

static const char *esc(int how, const char *s, size_t n)
{
	static char out[4096];
	size_t got, used = nbd_esc(how, out, sizeof out - 1, &got, s, n);

	if (used != n)
		return "(did not consume everything)";
	out[got] = 0;
	return out;
}
#define TXT(lit, want) CHECK_STR_EQ(esc(NBD_ESC_TEXT, lit, sizeof lit - 1), want)
#define JSN(lit, want) CHECK_STR_EQ(esc(NBD_ESC_JSON, lit, sizeof lit - 1), want)
#define CHECK_STR_EQ(got, want)                                              \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (strcmp(g_, w_)) {                                        \
			unit_failed_checks++;                                \
			fprintf(stderr, "%s:%d: got '%s', expected '%s'\n",     \
				__FILE__, __LINE__, g_, w_);                 \
		}                                                            \
	} while (0)

TEST(esc_text_plain_and_utf8_kept)
{
	TXT("root", "root");
	TXT("disk \"1\" 'a'", "disk \"1\" 'a'");
	TXT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	TXT("\xc2\xa0", "\xc2\xa0"); /* U+00A0: first code point after C1 */
}

TEST(esc_text_controls)
{
	TXT("a\nb", "a\\x0ab");
	TXT("a\tb", "a\\x09b");
	TXT("\r", "\\x0d");
	TXT("\x1b[31mred", "\\x1b[31mred");
	TXT("\x7f", "\\x7f");
	TXT("a\\b", "a\\\\b");
	CHECK_STR_EQ(esc(NBD_ESC_TEXT, "a\0b", 3), "a\\x00b");
	/* C1 as UTF-8 (U+009B, CSI): both bytes shown. */
	TXT("\xc2\x9b" "2J", "\\xc2\\x9b2J");
	TXT("\xc2\x80\xc2\x9f", "\\xc2\\x80\\xc2\\x9f");
}

TEST(esc_text_invalid_utf8)
{
	TXT("\xff", "\\xff");
	TXT("\x9b", "\\x9b");                 /* bare C1 byte: a continuation */
	TXT("\xc3", "\\xc3");                 /* truncated */
	TXT("\xc3(", "\\xc3(");
	TXT("\xc0\xaf", "\\xc0\\xaf");        /* overlong '/' */
	TXT("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	TXT("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* surrogate U+D800 */
	TXT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	TXT("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");
	TXT("ok\xe2\x82", "ok\\xe2\\x82");
}

TEST(esc_json)
{
	JSN("root", "root");
	JSN("a\"b\\c", "a\\\"b\\\\c");
	JSN("a\nb\tc", "a\\u000ab\\u0009c");
	JSN("\x1b]0;x\x07", "\\u001b]0;x\\u0007");
	JSN("\x7f", "\\u007f");
	JSN("\xc2\x9b", "\\u009b");
	CHECK_STR_EQ(esc(NBD_ESC_JSON, "\0", 1), "\\u0000");
	JSN("caf\xc3\xa9", "caf\xc3\xa9");
	JSN("\xff", "\\ufffd");
	JSN("\xc0\xaf", "\\ufffd\\ufffd");
	JSN("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");
	JSN("a\xe2\x82", "a\\ufffd\\ufffd");
}

/* Whatever the bytes, the text form has no control, no DEL, no C1 and is
 * valid UTF-8; JSON the same and no bare quote. */
TEST(esc_every_byte_pair)
{
	unsigned a, b;
	char in[3], out[64];
	size_t got, i;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			int how;
			in[0] = (char)a, in[1] = (char)b, in[2] = (char)0xa9;
			for (how = NBD_ESC_TEXT; how <= NBD_ESC_JSON; how++) {
				CHECK_EQ(nbd_esc(how, out, sizeof out, &got, in, 3), 3);
				for (i = 0; i < got;) {
					unsigned long cp = 0;
					size_t k = nbd_utf8_len((unsigned char *)out + i, got - i, &cp);
					if (!k || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
					    (how == NBD_ESC_JSON && cp == '"')) {
						CHECK(!"unsafe output");
						fprintf(stderr, "  %02x %02x how %d\n", a, b, how);
						return;
					}
					if (cp == '\\')
						k++; /* an escape: the next char is part of it */
					i += k;
				}
			}
		}
}

TEST(esc_stops_on_whole_chars)
{
	char out[8];
	size_t got, used;

	/* 3 escapes of 4 bytes do not fit 8: two go, the rest waits. */
	used = nbd_esc(NBD_ESC_TEXT, out, sizeof out, &got, "\n\n\n", 3);
	CHECK_EQ(used, 2);
	CHECK_EQ(got, 8);
	/* A UTF-8 sequence is never cut. */
	used = nbd_esc(NBD_ESC_TEXT, out, 3, &got, "a\xe2\x82\xac", 4);
	CHECK_EQ(used, 1);
	CHECK_EQ(got, 1);
}

TEST(quote_caps_visibly)
{
	char b[12];

	CHECK_STR_EQ(nbd_quote(b, sizeof b, "abc", 3), "abc");
	CHECK_STR_EQ(nbd_quote(b, sizeof b, "0123456789abcdef", 16), "01234567...");
	CHECK_STR_EQ(nbd_quote(b, sizeof b, "\x1b\x1b\x1b\x1b", 4), "\\x1b\\x1b...");
	CHECK_STR_EQ(nbd_quote(b, sizeof b, "ab\n", 3), "ab\\x0a");
}
