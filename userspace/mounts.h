/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is mounted where, from /proc/self/mountinfo.
 */
#ifndef EZN_MOUNTS_H
#define EZN_MOUNTS_H

#include <stddef.h>

#define EZN_FSTYPE	"ezncryptfs"

/*
 * The file system type mounted exactly at path (the topmost mount there)
 * into fstype; 1 if something is mounted there, 0 if not, -errno.
 */
int ezn_mount_at(const char *path, char *fstype, size_t size);

/*
 * 1 if path (absolute, canonical) is at or below a mount of type fstype, with
 * its mount point in mnt; 0 if not; -errno.
 */
int ezn_mount_covering(const char *path, const char *fstype, char *mnt, size_t size);

#endif /* EZN_MOUNTS_H */
