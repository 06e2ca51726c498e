/* Small files read whole; see file.h. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "file.h"

ssize_t nbd_read_fd(int fd, char *buf, size_t cap)
{
	size_t got = 0;
	ssize_t n;

	while (got < cap) {
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t nbd_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = nbd_read_fd(fd, buf, cap);
	e = errno;
	close(fd);
	errno = e;
	return n;
}
