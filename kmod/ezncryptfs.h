/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ezncryptfs private header: the types and entry points shared between the
 * module's files. Nothing here is visible to userspace; the netlink contract
 * lives in policy/ezn_genl.h.
 */
#ifndef EZNCRYPTFS_H
#define EZNCRYPTFS_H

#include <linux/fs.h>
#include <linux/atomic.h>

#define EZN_FS_NAME		"ezncryptfs"
#define EZN_MODULE_VERSION	"0.1.0"
#define EZN_FORMAT_VERSION	1

/* super.c */
extern struct file_system_type ezn_fs_type;
extern atomic_t ezn_nr_mounts;
int ezn_inode_cache_init(void);
void ezn_inode_cache_destroy(void);

/* netlink.c */
int ezn_genl_init(void);
void ezn_genl_exit(void);

/* debug.c: only in the EZN_DEBUG=1 test flavour */
#ifdef EZNCRYPTFS_DEBUG
void ezn_debug_loaded(void);
#else
static inline void ezn_debug_loaded(void) { }
#endif

#endif /* EZNCRYPTFS_H */
