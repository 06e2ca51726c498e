/* The pure pieces: device names (core/parse.c, which every platform and
 * the command-line parsers share) and the kernel errno table
 * (platform/linux/kerr.c). */
#include <errno.h>
#include <string.h>
#include "unit.h"
#include "platform.h"
#include "parse.h"
#include "file.h"
#include <stdlib.h>
#include <unistd.h>
#include "../../platform/linux/kerr.h"

TEST(dev_index_names)
{
	CHECK_EQ(nbd_dev_index("/dev/nbd0"), 0);
	CHECK_EQ(nbd_dev_index("nbd15"), 15);
	CHECK_EQ(nbd_dev_index("nbd1000000"), 1000000);
	CHECK_EQ(nbd_dev_index("nbd1000001"), -1);
	CHECK_EQ(nbd_dev_index("nbd99999999999999999999"), -1);
	CHECK_EQ(nbd_dev_index("nbd"), -1);
	CHECK_EQ(nbd_dev_index("nbd-1"), -1);
	CHECK_EQ(nbd_dev_index("nbd1x"), -1);
	CHECK_EQ(nbd_dev_index("/dev/sda"), -1);
	CHECK_EQ(nbd_dev_index("/dev/nbd"), -1);
	CHECK_EQ(nbd_dev_index("dev/nbd0"), -1);
}

/* The shared decimal parsers every number on a command line, in a URI,
 * nbdtab or sysfs goes through. */
TEST(parse_numbers)
{
	unsigned long v = 7;
	const char *end;

	CHECK_EQ(nbd_parse_uint("0", 10, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(nbd_parse_uint("65535", 65535, &v), 0);
	CHECK_EQ(v, 65535);
	CHECK_EQ(nbd_parse_uint("65536", 65535, &v), -1);
	/* a single digit above a small max (the old applet parser let it by) */
	CHECK_EQ(nbd_parse_uint("9", 3, &v), -1);
	CHECK_EQ(nbd_parse_uint("", 10, &v), -1);
	CHECK_EQ(nbd_parse_uint("1x", 10, &v), -1);
	CHECK_EQ(nbd_parse_uint("-1", 10, &v), -1);
	CHECK_EQ(nbd_parse_uint("99999999999999999999999", (unsigned long)-1, &v), -1);
	CHECK_EQ(nbd_parse_num("80/x", 2, 65535, &v), 0);
	CHECK_EQ(v, 80);
	CHECK_EQ(nbd_is_digits("123", 3), 1);
	CHECK_EQ(nbd_is_digits("12a", 3), 0);
	CHECK_EQ(nbd_is_digits("", 0), 0);
	CHECK_EQ(nbd_parse_dec("4096 rest", &end), 4096);
	CHECK(!strcmp(end, " rest"));
	CHECK_EQ(nbd_parse_dec("99999999999999999999999", NULL), UINT64_MAX);
	CHECK_EQ(nbd_parse_dec("x", &end), 0);
}

TEST(parse_dev_partitions)
{
	int i = -1, p = -1;

	CHECK_EQ(nbd_parse_dev("/dev/nbd3p2", 11, &i, &p), 0);
	CHECK_EQ(i, 3);
	CHECK_EQ(p, 2);
	CHECK_EQ(nbd_parse_dev("nbd7", 4, &i, &p), 0);
	CHECK_EQ(i, 7);
	CHECK_EQ(p, 0);
	/* counted, not NUL-ended: the rest of a command line follows */
	CHECK_EQ(nbd_parse_dev("nbd1p1 root=x", 6, &i, &p), 0);
	CHECK_EQ(p, 1);
	CHECK_EQ(nbd_parse_dev("nbd3p2", 6, &i, NULL), -1);
	CHECK_EQ(nbd_parse_dev("nbd3p0", 6, &i, &p), -1);
	CHECK_EQ(nbd_parse_dev("nbd3p", 5, &i, &p), -1);
	CHECK_EQ(nbd_parse_dev("nbd3p1000", 9, &i, &p), -1);
	CHECK_EQ(nbd_parse_dev("nbd3p1x", 7, &i, &p), -1);
	CHECK_EQ(nbd_parse_dev("nbdp1", 5, &i, &p), -1);
}

TEST(kerr_table)
{
	struct nbd_err e;

	CHECK_EQ(nbd_kerr_class(ENODEV), NBX_NODEV);
	CHECK_EQ(nbd_kerr_class(EOPNOTSUPP), NBX_NOTSUP);
	CHECK_EQ(nbd_kerr_class(ENOMEM), NBX_FAIL);
	CHECK_EQ(nbd_kerr_class(EINVAL), NBX_KERNEL);
	CHECK_EQ(nbd_kerr(&e, NBX_FAIL, EBUSY, 3, "NBD_CMD_CONNECT", NULL), -1);
	CHECK_EQ(e.code, NBX_KERNEL);
	CHECK_EQ(e.errnum, EBUSY);
	CHECK(!strcmp(e.msg, "/dev/nbd3: NBD_CMD_CONNECT: device busy (already attached?)"));
	nbd_kerr(&e, NBX_KERNEL, ENOENT, 2, "open", " (is the nbd module loaded?)");
	CHECK_EQ(e.code, NBX_NODEV);
	CHECK(!strcmp(e.msg, "/dev/nbd2: open: no such device (is the nbd module loaded?)"));
	nbd_kerr(&e, NBX_NOTSUP, EOPNOTSUPP, -1, "NBD_CMD_DISCONNECT", " (hint)");
	CHECK_EQ(e.code, NBX_NOTSUP);
	CHECK_STR(e.msg, "nbd: NBD_CMD_DISCONNECT: ");
	CHECK(!strstr(e.msg, "hint"));
	nbd_kerr(&e, NBX_KERNEL, EINVAL, 0, "NBD_SET_SOCK", NULL);
	CHECK_EQ(e.code, NBX_KERNEL);
	CHECK_STR(e.msg, strerror(EINVAL));
	CHECK_EQ(nbd_kerr(NULL, NBX_KERNEL, EBUSY, 0, "x", NULL), -1);
}

/* core/file.c: the one small-file reader (nbdtab, the command line, PSK). */
TEST(read_small_file)
{
	char path[] = "/tmp/nbdbox-unit-XXXXXX", buf[8];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	close(fd);
	CHECK_EQ(nbd_read_file(path, buf, 4), 4);
	CHECK(!memcmp(buf, "0123", 4));
	CHECK_EQ(nbd_read_file(path, buf, sizeof buf), 8);
	unlink(path);
	CHECK_EQ(nbd_read_file(path, buf, sizeof buf), -1);
	CHECK_EQ(errno, ENOENT);
}
