// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs release of an evicted upper inode's lower objects: its lower
 * file, its file key and its reference to the lower inode.
 *
 * When the upper inode of an unlinked file goes, the last reference to its
 * lower inode goes with it, and the lower filesystem then frees the file's
 * blocks and inode (ext4: a truncate and an inode free in a journal
 * handle), most of what a delete costs. For a small file that release is
 * handed to a work item on ezn_release_wq, so that the unlink returns without
 * waiting for it and a mass delete frees the lower files on another CPU
 * while it unlinks the next ones, as XFS frees unlinked inodes in the
 * background. What a user can see of it is bounded and waited for where it
 * shows:
 *
 *  - at most EZN_RELEASE_MAX files, each of at most EZN_RELEASE_MAX_SECTORS
 *    of lower allocation, wait at any time; past that the evicting task
 *    releases its own, which also keeps a deleting task to the pace of the
 *    work (a large file is released at once: its truncate is the space a
 *    writer may be waiting for);
 *  - ezn_release_flush() waits for all of them: statfs (the space shows as
 *    free) and sync_fs (a sync makes the deletions durable), unless the
 *    lower filesystem is frozen (they are then waiting for its thaw);
 *    kill_sb (the lower mount is not busy once ours is unmounted, and the
 *    work is done before the superblock goes); a create (O_TMPFILE too),
 *    link, rename, writeback or truncate's header write that met ENOSPC,
 *    before it tries once more (ezn_release_retry(), inode.c, mmap.c,
 *    lower.c).
 *
 * Each mount has its own queue, so a frozen lower filesystem holds back the
 * releases of its own mount only. The work runs on a workqueue of its own,
 * with a rescuer: writeback waits for it while it holds an inode's io_rwsem,
 * so it must never queue behind a work that takes one (ezn_io_wq's).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "ezncryptfs.h"
#include "crypto.h"

#define EZN_RELEASE_MAX		64
#define EZN_RELEASE_MAX_SECTORS	(SZ_256K >> 9)

/* A deferred release: what the upper inode held, now owned by the work. */
struct ezn_release {
	struct llist_node node;
	struct file *lower_file;	/* or NULL: never opened */
	struct ezn_file_key *fk;	/* or NULL */
	struct inode *lower_inode;
};

static struct workqueue_struct *ezn_release_wq;

/*
 * Drop the lower objects. The work puts the file at once: in its kernel
 * thread fput() would queue it for yet another worker.
 */
static void ezn_release_now(struct file *lower_file, struct ezn_file_key *fk,
			    struct inode *lower_inode, bool in_work)
{
	if (lower_file) {
		if (in_work)
			__fput_sync(lower_file);
		else
			fput(lower_file);
	}
	if (fk)
		ezn_file_key_free(fk);
	iput(lower_inode);
}

static void ezn_release_work_fn(struct work_struct *work)
{
	struct ezn_sb_info *sbi = container_of(work, struct ezn_sb_info, release_work);
	struct llist_node *list = llist_del_all(&sbi->release_list);
	struct ezn_release *r, *next;

	llist_for_each_entry_safe(r, next, list, node) {
		ezn_release_now(r->lower_file, r->fk, r->lower_inode, true);
		kfree(r);
		atomic_dec(&sbi->release_nr);
	}
}

void ezn_release_init(struct ezn_sb_info *sbi)
{
	init_llist_head(&sbi->release_list);
	INIT_WORK(&sbi->release_work, ezn_release_work_fn);
	atomic_set(&sbi->release_nr, 0);
}

/* Hand @ei's lower objects to the work; false when the bounds say no. */
static bool ezn_release_defer(struct ezn_sb_info *sbi, struct ezn_inode_info *ei)
{
	struct inode *lower = ei->lower_inode;
	struct ezn_release *r;

	if (lower->i_nlink || READ_ONCE(lower->i_blocks) > EZN_RELEASE_MAX_SECTORS)
		return false;
	if (atomic_inc_return(&sbi->release_nr) > EZN_RELEASE_MAX)
		goto uncount;
	/* Eviction may run in reclaim: no recursion into filesystems. */
	r = kmalloc(sizeof(*r), GFP_NOFS | __GFP_NOWARN);
	if (!r)
		goto uncount;
	r->lower_file = ei->lower_file;
	r->fk = ei->fk;
	r->lower_inode = lower;
	/* The work empties the list; whoever finds it empty queues the work. */
	if (llist_add(&r->node, &sbi->release_list) && !ezn_debug_release_hold)
		queue_work(ezn_release_wq, &sbi->release_work);
	return true;

uncount:
	atomic_dec(&sbi->release_nr);
	return false;
}

/* At eviction (ezn_evict_inode()): no more users of the lower objects. */
void ezn_release_lower(struct inode *inode)
{
	struct ezn_inode_info *ei = EZN_I(inode);

	kfree_sensitive(ei->new_header);
	ei->new_header = NULL;
	/* An inode whose instantiation failed has no lower inode. */
	if (ei->lower_inode && !ezn_release_defer(EZN_SB(inode->i_sb), ei))
		ezn_release_now(ei->lower_file, ei->fk, ei->lower_inode, false);
	ei->lower_file = NULL;
	ei->fk = NULL;
	/* An RCU path walk may still look at the inode (ezn_permission()). */
	WRITE_ONCE(ei->lower_inode, NULL);
}

/* Wait for the releases @sb queued so far; whether there were any. */
bool ezn_release_flush(struct super_block *sb)
{
	struct ezn_sb_info *sbi = EZN_SB(sb);

	if (!atomic_read(&sbi->release_nr))
		return false;
	/* Queued already, unless a test holds the queue (debug_release_hold). */
	queue_work(ezn_release_wq, &sbi->release_work);
	flush_work(&sbi->release_work);
	return true;
}

/*
 * Whether an operation that failed with @err is worth one more try: it found
 * the lower filesystem full while deleted files' blocks and inodes were still
 * on their way back, and they are back now.
 */
bool ezn_release_retry(struct super_block *sb, int err)
{
	return err == -ENOSPC && ezn_release_flush(sb);
}

/* For statfs and sync_fs: as ezn_release_flush(), but not on a frozen lower. */
void ezn_release_flush_unfrozen(struct super_block *sb)
{
	struct super_block *lower_sb = EZN_SB(sb)->lower_path.dentry->d_sb;

	if (READ_ONCE(lower_sb->s_writers.frozen) == SB_UNFROZEN)
		ezn_release_flush(sb);
}

int ezn_release_wq_init(void)
{
	ezn_release_wq = alloc_workqueue("ezncryptfs_release", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return ezn_release_wq ? 0 : -ENOMEM;
}

/* After the filesystem is unregistered: every superblock flushed its queue. */
void ezn_release_wq_destroy(void)
{
	destroy_workqueue(ezn_release_wq);
}
