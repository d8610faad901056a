/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ezncryptfs private header: the types and entry points shared between the
 * module's files. Nothing here is visible to userspace; the netlink contract
 * lives in policy/ezn_genl.h.
 *
 * Lock order (outermost first), shared by every file of the module:
 *
 *   upper i_rwsem (VFS)
 *     -> upper invalidate_lock (truncate, faults)
 *       -> upper folio lock (read_folio, write_begin, writeback)
 *         -> ezn_inode_info.io_rwsem (lower block I/O and resizes)
 *           -> lower i_rwsem / lower page locks (inside the lower filesystem)
 *
 * ezn_inode_info.lower_mutex only guards the one-time set-up of the lower file
 * and the per-file key; it is taken with at most the upper i_rwsem held and
 * never while holding a folio lock or io_rwsem.
 */
#ifndef EZNCRYPTFS_H
#define EZNCRYPTFS_H

#include <linux/fs.h>
#include <linux/bvec.h>
#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/path.h>
#include <linux/rwsem.h>
#include <linux/mutex.h>
#include <linux/llist.h>
#include <linux/workqueue.h>

#include "ezn_format.h"
#include "crypto.h"

#define EZN_FS_NAME		"ezncryptfs"
#define EZN_MODULE_VERSION	"0.1.0"
#define EZN_FORMAT_VERSION	1
/* statfs f_type: "EZNC" */
#define EZN_SUPER_MAGIC		0x455a4e43

struct ezn_master_key;
struct ezn_file_key;

/*
 * Per mount. Immutable after fill_super() until kill_sb, except the master
 * keys (rotation, under keys.lock) and the list entry (ezn_sb_list_mutex).
 */
struct ezn_sb_info {
	struct path lower_path;		/* lower root, referenced */
	const struct cred *creds;	/* the mounter's: every lower operation */
	struct ezn_key_set keys;	/* category master keys, keys[0] current */
	bool keys_set;			/* keys initialised (mount got that far) */
	struct list_head list;		/* on ezn_sb_list once mounted */
	char *key_desc;			/* key= */
	char *old_key_desc;		/* oldkey= or NULL */
	char *category;			/* category= or the lower dir's basename */
	/* Deleted files' lower objects, released in the background (release.c). */
	struct llist_head release_list;
	struct work_struct release_work;
	atomic_t release_nr;		/* queued and not yet released */
	/*
	 * The lower filesystem's writeback errors (its s_wb_err) that sync_fs
	 * has passed on to ours, under lower_wb_err_lock (ezn_sync_fs()).
	 */
	spinlock_t lower_wb_err_lock;
	errseq_t lower_wb_err;
};

/*
 * Per upper inode. The upper inode owns the cleartext page cache; the lower
 * inode holds the ciphertext layout of ezn_format.h.
 */
struct ezn_inode_info {
	struct inode *lower_inode;	/* referenced; fixed at instantiation */
	/*
	 * lower_mutex serialises the one-time opening of lower_file and the
	 * reading or creation of the header (fk). Once set, lower_file and fk
	 * stay until the inode is evicted, so the data path reads them without
	 * the mutex (every data path runs on an open file or under setattr,
	 * after ezn_lower_file_get() succeeded).
	 */
	struct mutex lower_mutex;
	struct file *lower_file;	/* opened with the mounter's creds */
	struct ezn_file_key *fk;	/* per-file key from the header */
	/*
	 * A file created here has no header on disk until its first lower
	 * write (ezn_pending_header_write()): its lower file stays empty, which
	 * reads as an empty file, and its file id and key wait here, to be
	 * wrapped under the master key current at that write. Set before
	 * lower_file is published, cleared under io_rwsem held exclusively.
	 */
	struct ezn_new_header *new_header;
	/*
	 * io_rwsem: shared while reading blocks from the lower file, exclusive
	 * while writing blocks, re-sealing a partial last block or resizing
	 * the lower file, so a reader never sees a block and its metadata
	 * entry from two different writes, and every change of the lower size
	 * re-seals the block whose sealed length it changes. The upper i_size
	 * only shrinks with io_rwsem held exclusively (ezn_setattr_size()).
	 */
	struct rw_semaphore io_rwsem;
	/*
	 * Write-behind (mmap.c): wb_work writes back [wb_start, wb_end) of a
	 * sequential writer's pages, or all dirty pages once the last writer
	 * has closed the file; wb_next (where the writer's next write
	 * would continue its run) and wb_mark (the run's offset not handed
	 * over yet) find them. wb_lock guards the four; the work is cancelled
	 * before the inode's pages go at eviction.
	 */
	spinlock_t wb_lock;
	loff_t wb_next;
	loff_t wb_mark;
	loff_t wb_start;
	loff_t wb_end;
	struct work_struct wb_work;
	struct inode vfs_inode;
};

static inline struct ezn_sb_info *EZN_SB(const struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct ezn_inode_info *EZN_I(const struct inode *inode)
{
	return container_of(inode, struct ezn_inode_info, vfs_inode);
}

static inline struct inode *ezn_lower_inode(const struct inode *inode)
{
	return EZN_I(inode)->lower_inode;
}

/* The lower dentry an upper dentry stands for (dentry.c keeps a reference). */
static inline struct dentry *ezn_lower_dentry(const struct dentry *dentry)
{
	return dentry->d_fsdata;
}

static inline void ezn_lower_path(const struct dentry *dentry, struct path *path)
{
	path->mnt = EZN_SB(dentry->d_sb)->lower_path.mnt;
	path->dentry = ezn_lower_dentry(dentry);
}

/*
 * Run lower operations as the mounter: ezn_override_creds(), or
 * ezn_creds_override() with credentials the caller holds, each paired with
 * ezn_revert_creds(), never revert_creds(). The superblock holds the
 * mounter's credentials until it is destroyed, after the last operation on
 * it, so the override takes no reference: on every CPU every stacked
 * operation would otherwise increment and decrement the one shared count
 * (the kernel's own override_creds() took the same step in 6.14, after
 * overlayfs in 6.13). A reference the lower filesystem takes with
 * get_current_cred() is its own. CONFIG_DEBUG_CREDENTIALS checks that the
 * current credentials count their task as a subscriber, which only the
 * kernel's override maintains: it is kept there.
 */
#ifdef CONFIG_DEBUG_CREDENTIALS
static inline const struct cred *ezn_creds_override(const struct cred *cred)
{
	return override_creds(cred);
}

static inline void ezn_revert_creds(const struct cred *old)
{
	revert_creds(old);
}
#else
static inline const struct cred *ezn_creds_override(const struct cred *cred)
{
	const struct cred *old = current->cred;

	rcu_assign_pointer(current->cred, cred);
	return old;
}

static inline void ezn_revert_creds(const struct cred *old)
{
	rcu_assign_pointer(current->cred, old);
}
#endif

static inline const struct cred *ezn_override_creds(const struct super_block *sb)
{
	return ezn_creds_override(EZN_SB(sb)->creds);
}

/* super.c */
extern struct file_system_type ezn_fs_type;
extern atomic_t ezn_nr_mounts;
int ezn_sb_rotate(const char *category, const char *key_desc);
int ezn_sb_retire(const char *category, const u8 key_id[EZN_KEY_ID_SIZE]);
int ezn_inode_cache_init(void);
void ezn_inode_cache_destroy(void);

/* main.c */
struct kmem_cache *ezn_uncleared_cache_create(const char *name, unsigned int size);

/* inode.c */
extern const struct xattr_handler *ezn_xattr_handlers[];
struct inode *ezn_get_inode(struct inode *lower_inode, struct super_block *sb);
void ezn_copy_attrs(struct inode *inode, const struct inode *lower);
bool ezn_is_marker(const struct dentry *dir, const char *name, unsigned int len);

/* dentry.c */
extern const struct dentry_operations ezn_dops;
void ezn_set_lower_dentry(struct dentry *dentry, struct dentry *lower);
bool ezn_dentry_settled(struct dentry *dentry);

/* file.c */
extern const struct file_operations ezn_file_fops;
extern const struct file_operations ezn_dir_fops;

/* mmap.c */
extern const struct address_space_operations ezn_aops;
int ezn_io_init(void);
int ezn_lower_call_unkillable(struct super_block *sb, int (*fn)(void *arg), void *arg);
void ezn_io_destroy(void);
void ezn_write_behind_init_once(struct ezn_inode_info *ei);
void ezn_write_behind_reset(struct ezn_inode_info *ei);
void ezn_write_behind(struct inode *inode, loff_t pos, size_t len);
void ezn_write_behind_close(struct inode *inode);

/* release.c */
int ezn_release_wq_init(void);
void ezn_release_wq_destroy(void);
void ezn_release_init(struct ezn_sb_info *sbi);
void ezn_release_lower(struct inode *inode);
bool ezn_release_flush(struct super_block *sb);
bool ezn_release_retry(struct super_block *sb, int err);
void ezn_release_flush_unfrozen(struct super_block *sb);

/* lower.c */
/* Cleartext size of a lower file: 0 when it is empty, negative when no size maps to it. */
long long ezn_lower_clear_size(const struct inode *lower_inode);
int ezn_lower_write_begin(struct vfsmount *mnt);
void ezn_lower_write_end(struct vfsmount *mnt);
int ezn_lower_notify_change(struct dentry *lower, struct iattr *ia);
int ezn_lower_file_get(struct inode *inode, const struct path *lpath);
int ezn_lower_file_init(struct inode *inode, struct file *lower_file);
int ezn_lower_read_block(struct inode *inode, pgoff_t index, struct page *page, bool *cached);
int ezn_lower_resize(struct inode *inode, loff_t size);

/*
 * A run of consecutive blocks of one group (so that their data and their
 * metadata entries are each contiguous in the lower file), read or written
 * with one lower I/O for the data and one for the entries. page[] are the
 * upper pages; a write seals them into cipher[], its bounce pages (nr_cipher
 * of them allocated), and a read decrypts in place.
 */
#define EZN_BATCH_MAX	32
/* The least readahead window (super.c): runs for the CPUs to decrypt at once */
#define EZN_READAHEAD_PAGES	(4 * EZN_BATCH_MAX)

struct ezn_batch {
	pgoff_t first;
	unsigned int nr;
	unsigned int nr_cipher;
	bool cached;		/* data went through the lower page cache */
	struct page *page[EZN_BATCH_MAX];
	struct page *cipher[EZN_BATCH_MAX];
	unsigned int len[EZN_BATCH_MAX];	/* bytes of each block; 0 for a hole read */
	int err[EZN_BATCH_MAX];
	/* A new file's header, then a new group's metadata block, then the data */
	struct bio_vec bvec[EZN_BATCH_MAX + 2];
	u8 meta[EZN_BATCH_MAX * EZN_META_ENTRY_SIZE];
};

/* May block @index join @b (after its last block)? */
static inline bool ezn_batch_fits(const struct ezn_batch *b, pgoff_t index)
{
	return b->nr < EZN_BATCH_MAX && index == b->first + b->nr &&
	       index % EZN_BLOCKS_PER_GROUP != 0;
}

unsigned long ezn_lower_read_blocks(struct inode *inode, struct ezn_batch *b);
int ezn_lower_write_blocks(struct inode *inode, struct ezn_batch *b);
void ezn_lower_drop_cache(struct inode *inode, loff_t clear_start, loff_t clear_end);
void ezn_lower_written(struct inode *inode, pgoff_t first, pgoff_t last);

/* netlink.c */
int ezn_genl_init(void);
void ezn_genl_exit(void);

/* debug.c: only in the EZN_DEBUG=1 test flavour */
#ifdef EZNCRYPTFS_DEBUG
void ezn_debug_loaded(void);
/* Deferred releases wait for a flush (release.c), for the tests of the flushes. */
extern bool ezn_debug_release_hold;
/* A rename waits this long inside its window (inode.c), for the access tests. */
extern unsigned int ezn_debug_rename_hold_ms;
#else
static inline void ezn_debug_loaded(void) { }
#define ezn_debug_release_hold false
#define ezn_debug_rename_hold_ms 0U
#endif

#endif /* EZNCRYPTFS_H */
