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

/* Invisible format characters that make a name read other than it is
 * (the "Trojan Source" bidi controls, zero-width characters, line and
 * paragraph separators, tags): escaped like controls. Their neighbours
 * are kept. */
TEST(esc_bidi_and_invisible)
{
	TXT("evil\xe2\x80\xae" "cod.exe", "evil\\xe2\\x80\\xaecod.exe"); /* U+202E RLO */
	TXT("\xe2\x81\xa6x\xe2\x81\xa9", "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9"); /* U+2066, U+2069 */
	TXT("a\xe2\x80\x8b" "b", "a\\xe2\\x80\\x8bb");   /* U+200B zero width space */
	TXT("\xe2\x80\x8f", "\\xe2\\x80\\x8f");         /* U+200F RLM */
	TXT("\xd8\x9c", "\\xd8\\x9c");                  /* U+061C ALM */
	TXT("\xe2\x80\xa8", "\\xe2\\x80\\xa8");         /* U+2028 line separator */
	TXT("\xef\xbb\xbf", "\\xef\\xbb\\xbf");         /* U+FEFF */
	TXT("\xef\xbf\xb9", "\\xef\\xbf\\xb9");         /* U+FFF9 */
	TXT("\xf3\xa0\x81\x81", "\\xf3\\xa0\\x81\\x81"); /* U+E0041 tag A */
	TXT("\xe2\x80\x8a\xe2\x80\xaf\xe2\x81\xb0\xef\xbf\xbc",
	    "\xe2\x80\x8a\xe2\x80\xaf\xe2\x81\xb0\xef\xbf\xbc"); /* U+200A, 202F, 2070, FFFC kept */
	JSN("a\xe2\x80\xae" "b", "a\\u202eb");
	JSN("\xf3\xa0\x81\x81", "\\udb40\\udc41");
	JSN("\xe2\x80\xa9", "\\u2029");
}

/* Every code point: the text form keeps it as itself exactly when it is
 * not a control, a format character (Cf) or a separator (Zl, Zp). The
 * table is Python's unicodedata (Unicode 14) by category, plus Unicode
 * 15's U+13439..1343F; U+2065 and U+E0000, U+E0002..E001F, unassigned
 * inside blocks of format characters, are counted with them. */
TEST(esc_every_code_point)
{
	static const unsigned long bad[][2] = {
		{ 0, 0x1f }, { 0x7f, 0x9f }, { 0xad, 0xad }, { 0x600, 0x605 },
		{ 0x61c, 0x61c }, { 0x6dd, 0x6dd }, { 0x70f, 0x70f }, { 0x890, 0x891 },
		{ 0x8e2, 0x8e2 }, { 0x180e, 0x180e }, { 0x200b, 0x200f },
		{ 0x2028, 0x202e }, { 0x2060, 0x2064 }, { 0x2065, 0x2065 },
		{ 0x2066, 0x206f }, { 0xfeff, 0xfeff }, { 0xfff9, 0xfffb },
		{ 0x110bd, 0x110bd }, { 0x110cd, 0x110cd }, { 0x13430, 0x13438 },
		{ 0x13439, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
		{ 0xe0000, 0xe0000 }, { 0xe0001, 0xe0001 }, { 0xe0002, 0xe001f },
		{ 0xe0020, 0xe007f },
	};
	unsigned long cp;

	for (cp = 0; cp <= 0x10ffff; cp++) {
		unsigned char in[4];
		size_t n, i;
		int want_kept = cp != '\\', kept;
		const char *o;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
			if (cp >= bad[i][0] && cp <= bad[i][1])
				want_kept = 0;
		if (cp < 0x80)
			in[0] = (unsigned char)cp, n = 1;
		else if (cp < 0x800)
			in[0] = 0xc0 | cp >> 6, in[1] = 0x80 | (cp & 63), n = 2;
		else if (cp < 0x10000)
			in[0] = 0xe0 | cp >> 12, in[1] = 0x80 | (cp >> 6 & 63),
			in[2] = 0x80 | (cp & 63), n = 3;
		else
			in[0] = 0xf0 | cp >> 18, in[1] = 0x80 | (cp >> 12 & 63),
			in[2] = 0x80 | (cp >> 6 & 63), in[3] = 0x80 | (cp & 63), n = 4;
		o = esc(NBD_ESC_TEXT, (const char *)in, n);
		kept = strlen(o) == n && !memcmp(o, in, n);
		if (kept != want_kept) {
			CHECK(!"code point shown wrongly");
			fprintf(stderr, "  U+%04lX: '%s'\n", cp, o);
			return;
		}
	}
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
