/* SPDX-License-Identifier: GPL-2.0 */
/* File descriptor I/O shared by the tools and the test programs. */
#ifndef EZN_FDIO_H
#define EZN_FDIO_H

#include <sys/types.h>

/* read(2) retried on EINTR: the bytes read (0 at the end) or -errno. */
ssize_t ezn_read_retry(int fd, void *buf, size_t len);

#endif /* EZN_FDIO_H */
