// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs module entry: registers the filesystem type and the generic
 * netlink family, and tears them down in reverse order.
 */
#include <linux/module.h>
#include <linux/init.h>
#include <linux/slab.h>

#include <net/genetlink.h>

#include "ezncryptfs.h"
#include "ezn_genl.h"
#include "acl.h"

/* Nothing to construct: having a constructor is what matters (see below). */
static void ezn_uncleared_ctor(void *obj)
{
}

/*
 * A slab cache whose objects are not cleared on allocation: the slab
 * allocator skips init_on_alloc (on in Debian's kernel) for caches with a
 * constructor, since clearing would undo the construction. For hot objects
 * whose users write every field before reading it and that never hold
 * secrets, where the memset would be a large part of the work.
 */
struct kmem_cache *ezn_uncleared_cache_create(const char *name, unsigned int size)
{
	return kmem_cache_create(name, size, 0, 0, ezn_uncleared_ctor);
}

static int __init ezn_init(void)
{
	int err;

	err = ezn_gcm_impl_init();
	if (err)
		return err;

	err = ezn_inode_cache_init();
	if (err)
		return err;

	err = ezn_io_init();
	if (err)
		goto destroy_inode_cache;

	err = ezn_release_wq_init();
	if (err)
		goto destroy_io;

	err = ezn_access_init();
	if (err)
		goto destroy_release_wq;

	err = register_filesystem(&ezn_fs_type);
	if (err)
		goto exit_access;

	err = ezn_genl_init();
	if (err)
		goto unregister_fs;

	ezn_debug_loaded();
	pr_info("version %s loaded (on-disk format %u)\n", EZN_MODULE_VERSION, EZN_FORMAT_VERSION);
	return 0;

unregister_fs:
	unregister_filesystem(&ezn_fs_type);
exit_access:
	ezn_access_exit();
destroy_release_wq:
	ezn_release_wq_destroy();
destroy_io:
	ezn_io_destroy();
destroy_inode_cache:
	ezn_inode_cache_destroy();
	return err;
}

static void __exit ezn_exit(void)
{
	ezn_genl_exit();
	unregister_filesystem(&ezn_fs_type);
	ezn_access_exit();
	ezn_release_wq_destroy();
	ezn_io_destroy();
	ezn_inode_cache_destroy();
	ezn_file_key_pool_drain();
	pr_info("unloaded\n");
}

module_init(ezn_init);
module_exit(ezn_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Stacked filesystem with authenticated AES-256 encryption and per-executable access control");
MODULE_AUTHOR("ezncrypt developers");
MODULE_VERSION(EZN_MODULE_VERSION);
MODULE_ALIAS_FS(EZN_FS_NAME);
MODULE_ALIAS_GENL_FAMILY(EZN_GENL_NAME);
