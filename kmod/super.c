// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs superblock: filesystem type registration and the inode cache.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/slab.h>

#include "ezncryptfs.h"

atomic_t ezn_nr_mounts = ATOMIC_INIT(0);

struct ezn_inode_info {
	struct inode vfs_inode;
};

static struct kmem_cache *ezn_inode_cachep;

static void ezn_inode_init_once(void *obj)
{
	struct ezn_inode_info *ei = obj;

	inode_init_once(&ei->vfs_inode);
}

int __init ezn_inode_cache_init(void)
{
	ezn_inode_cachep = kmem_cache_create("ezncryptfs_inode_cache",
					     sizeof(struct ezn_inode_info), 0,
					     SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT,
					     ezn_inode_init_once);
	return ezn_inode_cachep ? 0 : -ENOMEM;
}

void ezn_inode_cache_destroy(void)
{
	/* Inodes are freed through RCU; wait for them before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(ezn_inode_cachep);
}

static int ezn_init_fs_context(struct fs_context *fc)
{
	return invalfc(fc, "mounting is not implemented in this build");
}

struct file_system_type ezn_fs_type = {
	.owner			= THIS_MODULE,
	.name			= EZN_FS_NAME,
	.init_fs_context	= ezn_init_fs_context,
	.fs_flags		= 0,
};
