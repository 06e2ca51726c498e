/* Small files read whole: the kernel command line, nbdtab, a PSK file. */
#ifndef NBDBOX_FILE_H
#define NBDBOX_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Read fd until end of file or cap bytes, retrying EINTR: the bytes read,
 * or -1 (errno set). A result of cap means the file may be longer. */
ssize_t nbd_read_fd(int fd, char *buf, size_t cap);
/* The same for the file at path, opened and closed here. */
ssize_t nbd_read_file(const char *path, char *buf, size_t cap);

#endif
