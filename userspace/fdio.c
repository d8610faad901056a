// SPDX-License-Identifier: GPL-2.0
/* File descriptor I/O shared by the tools and the test programs. */
#include <errno.h>
#include <unistd.h>

#include "fdio.h"

ssize_t ezn_read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}
