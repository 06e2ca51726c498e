/* core/copy.c, the engine behind nbd-copy, between local ends (files and
 * streams; NBD ends are covered by tests/shell/test_nbd_copy.sh against
 * real servers): every byte arrives, holes stay holes in a fresh file, a
 * stream source is read until it ends, and a failing write is reported
 * with the end's name. One worker, run in this thread. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "unit.h"
#include "copy.h"

#define SZ (3u * 65536u + 1234u)

static int tmpfile_fd(char *path)
{
	strcpy(path, "/tmp/nbdbox-copy-XXXXXX");
	return mkstemp(path);
}

/* A source with data at both ends and a hole between. */
static int make_src(char *path, uint8_t *want)
{
	int fd = tmpfile_fd(path);
	unsigned i;

	memset(want, 0, SZ);
	for (i = 0; i < 5000; i++)
		want[i] = (uint8_t)(i * 7 + 1);
	for (i = SZ - 3000; i < SZ; i++)
		want[i] = (uint8_t)(i * 13 + 5);
	if (fd < 0 || pwrite(fd, want, 5000, 0) != 5000 ||
	    pwrite(fd, want + SZ - 3000, 3000, SZ - 3000) != 3000)
		return -1;
	return fd;
}

static void setup(struct nbd_copy *cp, int kind, int sfd, int dfd)
{
	memset(cp, 0, sizeof *cp);
	cp->src.kind = kind;
	cp->src.fd = sfd;
	cp->src.regular = kind == NBD_END_FILE;
	cp->src.name = "src";
	cp->dst.kind = NBD_END_FILE;
	cp->dst.fd = dfd;
	cp->dst.regular = 1;
	cp->dst.name = "dst";
	cp->size = kind == NBD_END_FILE ? SZ : NBD_COPY_SIZE_UNKNOWN;
	cp->dst_size = NBD_COPY_SIZE_UNKNOWN;
	cp->request_size = 65536;
	cp->requests = 4;
	cp->sparse = 1;
	cp->dst_fresh = 1;
	cp->workers = 1;
}

static int same_as(int fd, const uint8_t *want)
{
	uint8_t *got = malloc(SZ + 1);
	int ok = got && pread(fd, got, SZ + 1, 0) == (ssize_t)SZ && !memcmp(got, want, SZ);

	free(got);
	return ok;
}

/* A source file with its expected bytes, and an empty destination file. */
struct fix {
	char sp[32], dp[32];
	uint8_t *want;
	int sfd, dfd;
};

static int fix_open(struct fix *f)
{
	f->want = malloc(SZ);
	f->sfd = f->want ? make_src(f->sp, f->want) : -1;
	f->dfd = tmpfile_fd(f->dp);
	CHECK(f->sfd >= 0 && f->dfd >= 0);
	return f->sfd >= 0 && f->dfd >= 0 ? 0 : -1;
}

static void fix_close(struct fix *f)
{
	if (f->sfd >= 0)
		close(f->sfd), unlink(f->sp);
	if (f->dfd >= 0)
		close(f->dfd), unlink(f->dp);
	free(f->want);
}

TEST(copy_file_to_file)
{
	struct fix f;
	struct nbd_copy cp;
	struct stat st;

	if (fix_open(&f) == 0) {
		setup(&cp, NBD_END_FILE, f.sfd, f.dfd);
		CHECK_EQ(nbd_copy_run(&cp, 0), 0);
		CHECK_EQ(nbd_copy_finish(&cp), 0);
		CHECK(same_as(f.dfd, f.want));
		CHECK_EQ(cp.copied, SZ);
		/* The destination ends where the source does, and the
		 * source's hole (found with SEEK_DATA) was skipped, not
		 * written as zeroes: less than half the file is allocated
		 * (/tmp holds holes: tmpfs, ext4). */
		CHECK_EQ(lseek(f.dfd, 0, SEEK_END), SZ);
		CHECK(fstat(f.dfd, &st) == 0 && (uint64_t)st.st_blocks * 512 < SZ / 2);
	}
	fix_close(&f);
}

TEST(copy_stream_to_file)
{
	struct fix f;
	struct nbd_copy cp;

	if (fix_open(&f) == 0) {
		/* A stream: read in order until it ends, the size unknown. */
		setup(&cp, NBD_END_STREAM, f.sfd, f.dfd);
		CHECK_EQ(nbd_copy_run(&cp, 0), 0);
		CHECK_EQ(cp.end, SZ);
		CHECK_EQ(nbd_copy_finish(&cp), 0);
		CHECK(same_as(f.dfd, f.want));
	}
	fix_close(&f);
}

TEST(copy_write_fails)
{
	struct fix f;
	struct nbd_copy cp;
	int ro;

	if (fix_open(&f) == 0) {
		/* A destination open read-only: the first write fails, the
		 * run stops with an error naming the destination. */
		ro = open(f.dp, O_RDONLY);
		CHECK(ro >= 0);
		setup(&cp, NBD_END_FILE, f.sfd, ro);
		cp.dst_fresh = 0;
		CHECK_EQ(nbd_copy_run(&cp, 0), -1);
		CHECK(cp.failed);
		CHECK(strstr(cp.err.msg, "dst") != NULL);
		CHECK_EQ(cp.err.errnum, EBADF);
		if (ro >= 0)
			close(ro);
	}
	fix_close(&f);
}
