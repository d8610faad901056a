// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs superblock: filesystem type registration, mount options (the
 * fs_context API), the mount marker, and the superblock and inode cache
 * operations.
 *
 *   mount -t ezncryptfs -o key=DESC[,oldkey=DESC][,category=NAME] LOWER UPPER
 *
 * key=       description of a logon key holding the 32-byte category master
 *            key (looked up in the mounter's keyrings); required.
 * oldkey=    during an interrupted key rotation, the category's former master
 *            key: it opens the headers not yet rewrapped, and its marker is
 *            accepted (and moved to key= on a read-write mount). FORMAT.md
 *            "Key rotation".
 * category=  category name for the access-control rules ([A-Za-z0-9._-],
 *            at most 64 bytes); default: the basename of LOWER.
 *
 * Everything that can be checked is checked before the superblock exists
 * (ezn_get_tree()): a mount that would only fail later with EIO is refused
 * here, with a message in the kernel log (errorfc/invalfc) and an errno.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <linux/statfs.h>
#include <linux/backing-dev.h>
#include <linux/pagemap.h>
#include <linux/file.h>
#include <linux/uio.h>

#include "ezncryptfs.h"
#include "crypto.h"
#include "ezn_rule.h"

atomic_t ezn_nr_mounts = ATOMIC_INIT(0);

/* Live mounts, for key rotation by category (netlink.c). */
static LIST_HEAD(ezn_sb_list);
static DEFINE_MUTEX(ezn_sb_list_mutex);

static struct kmem_cache *ezn_inode_cachep;

static void ezn_inode_init_once(void *obj)
{
	struct ezn_inode_info *ei = obj;

	inode_init_once(&ei->vfs_inode);
	mutex_init(&ei->lower_mutex);
	init_rwsem(&ei->io_rwsem);
	ezn_write_behind_init_once(ei);
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

static struct inode *ezn_alloc_inode(struct super_block *sb)
{
	struct ezn_inode_info *ei;

	ei = alloc_inode_sb(sb, ezn_inode_cachep, GFP_KERNEL);
	if (!ei)
		return NULL;
	ei->lower_inode = NULL;
	ei->lower_file = NULL;
	ei->fk = NULL;
	ei->new_header = NULL;
	ezn_write_behind_reset(ei);
	return &ei->vfs_inode;
}

static void ezn_free_inode(struct inode *inode)
{
	kmem_cache_free(ezn_inode_cachep, EZN_I(inode));
}

/*
 * Dirty pages of a live inode were written back before we get here (iput or
 * umount); an unlinked inode's pages are simply dropped, once a write-behind
 * still at work on them is done. Then the lower file, the per-file key and
 * the lower inode go, a small unlinked file's in the background (release.c).
 */
static void ezn_evict_inode(struct inode *inode)
{
	cancel_work_sync(&EZN_I(inode)->wb_work);
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	ezn_release_lower(inode);
}

static int ezn_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	const struct cred *old;
	struct path lower;
	int err;

	/* Space that deleted files give back counts as free once they are gone. */
	ezn_release_flush_unfrozen(dentry->d_sb);
	ezn_lower_path(dentry, &lower);
	old = ezn_override_creds(dentry->d_sb);
	err = vfs_statfs(&lower, buf);
	ezn_revert_creds(old);
	buf->f_type = EZN_SUPER_MAGIC;
	return err;
}

/*
 * syncfs/sync: the VFS has already written our dirty pages into the lower
 * files (writeback of this superblock's inodes); deleted files' lower inodes
 * are released, then the lower filesystem made durable. Called with our
 * s_umount held; the lower s_umount nests inside. What the lower page cache
 * failed to write since the last call (metadata entries, headers, short
 * blocks) is recorded in our s_wb_err, which syncfs() reports after this:
 * the lower filesystem's errors are counted whole, as overlayfs's volatile
 * mounts do, for they cannot be told apart by file.
 */
static int ezn_sync_fs(struct super_block *sb, int wait)
{
	struct ezn_sb_info *sbi = EZN_SB(sb);
	struct super_block *lower_sb = sbi->lower_path.dentry->d_sb;
	const struct cred *old;
	int err, wb_err;

	if (!wait)
		return 0;
	ezn_release_flush_unfrozen(sb);
	old = ezn_override_creds(sb);
	down_read(&lower_sb->s_umount);
	err = sync_filesystem(lower_sb);
	up_read(&lower_sb->s_umount);
	ezn_revert_creds(old);
	spin_lock(&sbi->lower_wb_err_lock);
	wb_err = errseq_check_and_advance(&lower_sb->s_wb_err, &sbi->lower_wb_err);
	spin_unlock(&sbi->lower_wb_err_lock);
	if (wb_err)
		errseq_set(&sb->s_wb_err, wb_err);
	return err;
}

static int ezn_show_options(struct seq_file *m, struct dentry *root)
{
	struct ezn_sb_info *sbi = EZN_SB(root->d_sb);

	seq_show_option(m, "key", sbi->key_desc);
	if (sbi->old_key_desc)
		seq_show_option(m, "oldkey", sbi->old_key_desc);
	seq_show_option(m, "category", sbi->category);
	return 0;
}

static const struct super_operations ezn_sops = {
	.alloc_inode	= ezn_alloc_inode,
	.free_inode	= ezn_free_inode,
	.evict_inode	= ezn_evict_inode,
	.statfs		= ezn_statfs,
	.sync_fs	= ezn_sync_fs,
	.show_options	= ezn_show_options,
};

static void ezn_sbi_free(struct ezn_sb_info *sbi)
{
	if (!sbi)
		return;
	if (sbi->keys_set)
		ezn_key_set_destroy(&sbi->keys);
	if (sbi->lower_path.dentry)
		path_put(&sbi->lower_path);
	if (sbi->creds)
		put_cred(sbi->creds);
	kfree(sbi->key_desc);
	kfree(sbi->old_key_desc);
	kfree(sbi->category);
	kfree(sbi);
}

/* Options parsed from the mount data, before the superblock exists. */
struct ezn_fs_context {
	char *key_desc;
	char *old_key_desc;
	char *category;
};

enum { OPT_KEY, OPT_OLDKEY, OPT_CATEGORY };

static const struct fs_parameter_spec ezn_fs_parameters[] = {
	fsparam_string("key", OPT_KEY),
	fsparam_string("oldkey", OPT_OLDKEY),
	fsparam_string("category", OPT_CATEGORY),
	{}
};

static bool ezn_category_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > EZN_CATEGORY_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-", name[i]))
			return false;
	return true;
}

static int ezn_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct ezn_fs_context *ctx = fc->fs_private;
	struct fs_parse_result result;
	char **desc;
	int opt;

	opt = fs_parse(fc, ezn_fs_parameters, param, &result);
	if (opt < 0)
		return opt;

	switch (opt) {
	case OPT_KEY:
	case OPT_OLDKEY:
		desc = opt == OPT_KEY ? &ctx->key_desc : &ctx->old_key_desc;
		if (strlen(param->string) > 4095)
			return invalfc(fc, "%s: description too long", param->key);
		kfree(*desc);
		*desc = param->string;
		param->string = NULL;
		break;
	case OPT_CATEGORY:
		if (!ezn_category_valid(param->string))
			return invalfc(fc, "category: '%s' is not 1-%d of [A-Za-z0-9._-]",
				       param->string, EZN_CATEGORY_MAX);
		kfree(ctx->category);
		ctx->category = param->string;
		param->string = NULL;
		break;
	}
	return 0;
}

struct ezn_empty_ctx {
	struct dir_context ctx;
	bool at_root;
	int entries;
};

static bool ezn_empty_actor(struct dir_context *ctx, const char *name, int len, loff_t off,
			    u64 ino, unsigned int d_type)
{
	struct ezn_empty_ctx *ec = container_of(ctx, struct ezn_empty_ctx, ctx);

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	/* A fresh ext4 filesystem's root holds lost+found: still "empty". */
	if (ec->at_root && len == 10 && !memcmp(name, "lost+found", 10))
		return true;
	ec->entries++;
	return false;
}

/* 1 when the lower directory holds nothing, 0 when it does, or -errno. */
static int ezn_lower_dir_empty(const struct path *lower, const struct cred *cred)
{
	struct ezn_empty_ctx ec = {
		.ctx.actor = ezn_empty_actor,
		.at_root = lower->dentry == lower->mnt->mnt_root,
	};
	struct file *dir;
	int err;

	dir = dentry_open(lower, O_RDONLY | O_DIRECTORY, cred);
	if (IS_ERR(dir))
		return PTR_ERR(dir);
	err = iterate_dir(dir, &ec.ctx);
	fput(dir);
	if (err)
		return err;
	return ec.entries == 0;
}

/*
 * Write the marker of @mk into the lower root and fsync it: a new one
 * (@flags O_CREAT | O_EXCL) or, for a key rotation, over the old one in place
 * (FORMAT.md "Key rotation": 64 bytes at offset 0 lie in one sector, so a
 * crash leaves the old or the new marker). Runs with the mounter's creds.
 */
static int ezn_marker_write(const struct path *root, struct ezn_master_key *mk, int flags)
{
	u8 buf[EZN_MARKER_SIZE];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int err;

	f = file_open_root(root, EZN_MARKER_NAME, O_WRONLY | O_NOFOLLOW | O_LARGEFILE | flags,
			   0400);
	if (IS_ERR(f))
		return PTR_ERR(f);
	ezn_marker_create(mk, buf);
	n = kernel_write(f, buf, sizeof(buf), &pos);
	memzero_explicit(buf, sizeof(buf));
	err = n == sizeof(buf) ? 0 : n < 0 ? (int)n : -EIO;
	if (!err)
		err = vfs_fsync(f, 0);
	fput(f);
	return err;
}

/*
 * The marker is not the current key's: a rotation was interrupted before the
 * marker was rewritten. Accept the marker of oldkey= @old and move it to the
 * current key (read-write mounts).
 */
static int ezn_marker_check_old(struct fs_context *fc, struct ezn_sb_info *sbi,
				struct ezn_master_key *old, const u8 buf[EZN_MARKER_SIZE])
{
	struct ezn_master_key *mk;
	int err;

	err = ezn_marker_check(old, buf);
	if (err || (fc->sb_flags & SB_RDONLY))
		return err;
	mk = ezn_key_set_current(&sbi->keys);
	err = ezn_marker_write(&sbi->lower_path, mk, 0);
	ezn_master_key_put(mk);
	if (err)
		return errorfc(fc, "cannot rewrite %s/%s for the new key: error %d", fc->source,
			       EZN_MARKER_NAME, err), err;
	pr_info("%s: marker moved to the new key of category %s\n", fc->source, sbi->category);
	return 0;
}

/*
 * Check the lower root's marker against the master key, or create it when
 * the lower directory is empty. Runs with the mounter's credentials.
 */
static int ezn_marker_setup(struct fs_context *fc, struct ezn_sb_info *sbi,
			    struct ezn_master_key *old)
{
	struct ezn_master_key *mk;
	u8 buf[EZN_MARKER_SIZE];
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int err;

	f = file_open_root(&sbi->lower_path, EZN_MARKER_NAME, O_RDONLY | O_NOFOLLOW | O_LARGEFILE,
			   0);
	if (!IS_ERR(f)) {
		if (!S_ISREG(file_inode(f)->i_mode)) {
			fput(f);
			return errorfc(fc, "%s/%s is not a regular file", fc->source,
				       EZN_MARKER_NAME), -EUCLEAN;
		}
		n = kernel_read(f, buf, sizeof(buf), &pos);
		fput(f);
		if (n < 0)
			return errorfc(fc, "cannot read %s/%s: error %zd", fc->source,
				       EZN_MARKER_NAME, n), (int)n;
		if (n != sizeof(buf))
			return errorfc(fc, "%s/%s is damaged (%zd bytes, expected %d)", fc->source,
				       EZN_MARKER_NAME, n, EZN_MARKER_SIZE), -EUCLEAN;
		mk = ezn_key_set_current(&sbi->keys);
		err = ezn_marker_check(mk, buf);
		ezn_master_key_put(mk);
		if (err == -EKEYREJECTED && old)
			err = ezn_marker_check_old(fc, sbi, old, buf);
		memzero_explicit(buf, sizeof(buf));
		switch (err) {
		case 0:
			return 0;
		case -EKEYREJECTED:
			return errorfc(fc, "wrong key: key '%s' is not the key %s was created with",
				       sbi->key_desc, fc->source), err;
		case -EPROTONOSUPPORT:
			return errorfc(fc, "%s has a newer on-disk format than version %u",
				       fc->source, EZN_FORMAT_VERSION), err;
		default:
			return errorfc(fc, "%s/%s is damaged (error %d)", fc->source,
				       EZN_MARKER_NAME, err), err;
		}
	}
	err = PTR_ERR(f);
	if (err != -ENOENT)
		return errorfc(fc, "cannot open %s/%s: error %d", fc->source, EZN_MARKER_NAME,
			       err), err;

	err = ezn_lower_dir_empty(&sbi->lower_path, sbi->creds);
	if (err < 0)
		return errorfc(fc, "cannot read lower directory %s: error %d", fc->source, err),
		       err;
	if (!err)
		return errorfc(fc, "%s is not empty and has no %s marker: not ezncryptfs",
			       fc->source, EZN_MARKER_NAME), -ENOTEMPTY;
	if (fc->sb_flags & SB_RDONLY)
		return errorfc(fc, "%s has no marker yet and the mount is read-only", fc->source),
		       -EROFS;

	mk = ezn_key_set_current(&sbi->keys);
	err = ezn_marker_write(&sbi->lower_path, mk, O_CREAT | O_EXCL);
	ezn_master_key_put(mk);
	if (err)
		return errorfc(fc, "cannot create %s/%s: error %d", fc->source, EZN_MARKER_NAME,
			       err), err;
	pr_info("new lower directory %s: created its marker (category %s)\n", fc->source,
		sbi->category);
	return 0;
}

/* Checks on the lower directory that do not need the key. */
static int ezn_check_lower(struct fs_context *fc, const struct path *lower)
{
	struct inode *dir = d_inode(lower->dentry);
	struct super_block *lower_sb = lower->dentry->d_sb;

	if (lower_sb->s_type == &ezn_fs_type)
		return invalfc(fc, "%s is on ezncryptfs: stacking on ezncryptfs is refused",
			       fc->source);
	if (lower_sb->s_stack_depth + 1 > FILESYSTEM_MAX_STACK_DEPTH)
		return invalfc(fc, "%s: maximum filesystem stacking depth exceeded", fc->source);
	if (IS_CASEFOLDED(dir))
		return invalfc(fc, "%s is case-insensitive (casefold): not supported", fc->source);
	if (!dir->i_op->create || !dir->i_op->mkdir || !dir->i_op->unlink ||
	    !dir->i_op->rename || !dir->i_op->lookup ||
	    (!dir->i_fop->iterate_shared && !dir->i_fop->iterate))
		return errorfc(fc, "%s (%s) cannot hold files and directories: unusable lower",
			       fc->source, lower_sb->s_type->name), -EOPNOTSUPP;
	if (lower_sb->s_maxbytes < 2 * EZN_GROUP_LOWER_SIZE)
		return errorfc(fc, "%s (%s): maximum file size too small", fc->source,
			       lower_sb->s_type->name), -EOPNOTSUPP;
	if (!(fc->sb_flags & SB_RDONLY) && (sb_rdonly(lower_sb) || __mnt_is_readonly(lower->mnt)))
		return errorfc(fc, "%s is read-only: mount with -o ro", fc->source), -EROFS;
	return 0;
}

static int ezn_default_category(struct fs_context *fc, struct ezn_sb_info *sbi)
{
	struct name_snapshot name;
	int err = 0;

	take_dentry_name_snapshot(&name, sbi->lower_path.dentry);
	if (!ezn_category_valid(name.name.name)) {
		err = invalfc(fc, "basename '%s' of %s is not a valid category: give category=",
			      name.name.name, fc->source);
	} else {
		sbi->category = kstrdup(name.name.name, GFP_KERNEL);
		if (!sbi->category)
			err = -ENOMEM;
	}
	release_dentry_name_snapshot(&name);
	return err;
}

/* Lower size limit translated into the cleartext size limit. */
static loff_t ezn_max_bytes(loff_t lower_max)
{
	u64 body = lower_max - EZN_HEADER_SIZE;
	u64 clear = body / EZN_GROUP_LOWER_SIZE * EZN_GROUP_CLEAR_SIZE;
	u64 rem = body % EZN_GROUP_LOWER_SIZE;

	if (rem > EZN_BLOCK_SIZE)
		clear += rem - EZN_BLOCK_SIZE;
	return min_t(u64, clear, MAX_LFS_FILESIZE);
}

static int ezn_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct ezn_sb_info *sbi = EZN_SB(sb);
	struct dentry *lower_root = sbi->lower_path.dentry;
	struct super_block *lower_sb = lower_root->d_sb;
	struct inode *inode;
	struct dentry *root;
	int err;

	err = super_setup_bdi(sb);
	if (err)
		return err;
	/*
	 * The asynchronous part of a readahead window is decrypted in runs of
	 * EZN_BATCH_MAX pages, one work item each (mmap.c): a window of a
	 * single run keeps one CPU decrypting while the reader waits for it.
	 */
	sb->s_bdi->ra_pages = max_t(unsigned long, lower_sb->s_bdi->ra_pages, EZN_READAHEAD_PAGES);
	sb->s_bdi->io_pages = max_t(unsigned long, lower_sb->s_bdi->io_pages, EZN_READAHEAD_PAGES);
	sb->s_stack_depth = lower_sb->s_stack_depth + 1;
	sb->s_maxbytes = ezn_max_bytes(lower_sb->s_maxbytes);
	sb->s_blocksize = EZN_BLOCK_SIZE;
	sb->s_blocksize_bits = EZN_BLOCK_SHIFT;
	sb->s_magic = EZN_SUPER_MAGIC;
	sb->s_op = &ezn_sops;
	sb->s_xattr = ezn_xattr_handlers;
	/* ACLs are enforced on the upper inodes as the lower ones hold them. */
	sb->s_flags |= lower_sb->s_flags & SB_POSIXACL;
	sb->s_d_op = &ezn_dops;
	sb->s_time_gran = lower_sb->s_time_gran;

	inode = ezn_get_inode(d_inode(lower_root), sb);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	root = d_make_root(inode);
	if (!root)
		return -ENOMEM;
	ezn_set_lower_dentry(root, dget(lower_root));
	sb->s_root = root;
	atomic_inc(&ezn_nr_mounts);
	mutex_lock(&ezn_sb_list_mutex);
	list_add_tail(&EZN_SB(sb)->list, &ezn_sb_list);
	mutex_unlock(&ezn_sb_list_mutex);
	return 0;
}

static int ezn_get_tree(struct fs_context *fc)
{
	struct ezn_fs_context *ctx = fc->fs_private;
	struct ezn_master_key *mk, *old_mk = NULL;
	struct ezn_sb_info *sbi;
	const struct cred *old;
	int err;

	if (!fc->source || !*fc->source)
		return invalfc(fc, "no lower directory given");
	if (!ctx->key_desc)
		return invalfc(fc, "missing key= option (a logon key holding the master key)");

	sbi = kzalloc(sizeof(*sbi), GFP_KERNEL);
	if (!sbi)
		return -ENOMEM;
	fc->s_fs_info = sbi;	/* freed by ezn_fc_free() or, once sget moved it, kill_sb */
	ezn_release_init(sbi);
	sbi->creds = prepare_creds();
	if (!sbi->creds)
		return -ENOMEM;
	sbi->key_desc = ctx->key_desc;
	ctx->key_desc = NULL;
	sbi->old_key_desc = ctx->old_key_desc;
	ctx->old_key_desc = NULL;
	INIT_LIST_HEAD(&sbi->list);
	sbi->category = ctx->category;
	ctx->category = NULL;

	err = kern_path(fc->source, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &sbi->lower_path);
	if (err) {
		sbi->lower_path.dentry = NULL;
		return errorfc(fc, "lower directory %s: %s (error %d)", fc->source,
			       err == -ENOENT ? "not found" : err == -ENOTDIR ? "not a directory" :
			       "cannot be resolved", err), err;
	}
	spin_lock_init(&sbi->lower_wb_err_lock);
	sbi->lower_wb_err = errseq_sample(&sbi->lower_path.dentry->d_sb->s_wb_err);
	err = ezn_check_lower(fc, &sbi->lower_path);
	if (err)
		return err;
	if (!sbi->category) {
		err = ezn_default_category(fc, sbi);
		if (err)
			return err;
	}

	err = ezn_master_key_load(sbi->key_desc, &mk);
	if (err) {
		if (err == -ENOKEY)
			return errorfc(fc, "key '%s' not found: load it as a logon key first",
				       sbi->key_desc), err;
		if (err == -EKEYREJECTED)
			return errorfc(fc, "key '%s' is malformed (want a %d-byte logon key)",
				       sbi->key_desc, EZN_KEY_SIZE), err;
		return errorfc(fc, "key '%s' cannot be used: error %d", sbi->key_desc, err), err;
	}
	ezn_key_set_init(&sbi->keys, mk);
	sbi->keys_set = true;
	/* oldkey=: headers a rotation has not rewrapped yet (FORMAT.md "Key rotation"). */
	if (sbi->old_key_desc) {
		err = ezn_master_key_load(sbi->old_key_desc, &old_mk);
		if (err)
			return errorfc(fc, "oldkey '%s' cannot be used: error %d",
				       sbi->old_key_desc, err), err;
		err = ezn_key_set_add_old(&sbi->keys, old_mk);
		if (err) {
			ezn_master_key_put(old_mk);
			return err;
		}
	}

	old = override_creds(sbi->creds);
	err = ezn_marker_setup(fc, sbi, old_mk);
	revert_creds(old);
	ezn_master_key_put(old_mk);
	if (err)
		return err;

	return get_tree_nodev(fc, ezn_fill_super);
}

static void ezn_fc_free(struct fs_context *fc)
{
	struct ezn_fs_context *ctx = fc->fs_private;

	ezn_sbi_free(fc->s_fs_info);
	if (ctx) {
		kfree(ctx->key_desc);
		kfree(ctx->old_key_desc);
		kfree(ctx->category);
		kfree(ctx);
	}
}

/*
 * Remount: only the generic flags (ro/rw, atime...) may change; the key and
 * the category are fixed for the life of the mount and may only be repeated.
 */
static int ezn_reconfigure(struct fs_context *fc)
{
	struct ezn_fs_context *ctx = fc->fs_private;
	struct ezn_sb_info *sbi = EZN_SB(fc->root->d_sb);

	if (ctx->key_desc && strcmp(ctx->key_desc, sbi->key_desc))
		return invalfc(fc, "key= cannot change on remount");
	if (ctx->category && strcmp(ctx->category, sbi->category))
		return invalfc(fc, "category= cannot change on remount");
	return 0;
}

static const struct fs_context_operations ezn_context_ops = {
	.parse_param	= ezn_parse_param,
	.get_tree	= ezn_get_tree,
	.reconfigure	= ezn_reconfigure,
	.free		= ezn_fc_free,
};

static int ezn_init_fs_context(struct fs_context *fc)
{
	struct ezn_fs_context *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	fc->fs_private = ctx;
	fc->ops = &ezn_context_ops;
	return 0;
}

static void ezn_kill_sb(struct super_block *sb)
{
	struct ezn_sb_info *sbi = EZN_SB(sb);
	bool mounted = sb->s_root;

	if (sbi) {
		mutex_lock(&ezn_sb_list_mutex);
		list_del_init(&sbi->list);
		mutex_unlock(&ezn_sb_list_mutex);
	}
	kill_anon_super(sb);
	/*
	 * The last deletions' lower files hold the lower mount, their work sbi.
	 * The work may also be queued with nothing left to do (an eviction that
	 * queued it after a flush had taken its file): it still reads sbi.
	 */
	if (sbi) {
		ezn_release_flush(sb);
		flush_work(&sbi->release_work);
	}
	ezn_sbi_free(sbi);
	if (mounted)
		atomic_dec(&ezn_nr_mounts);
}

struct file_system_type ezn_fs_type = {
	.owner			= THIS_MODULE,
	.name			= EZN_FS_NAME,
	.init_fs_context	= ezn_init_fs_context,
	.parameters		= ezn_fs_parameters,
	.kill_sb		= ezn_kill_sb,
	.fs_flags		= 0,
};

/*
 * EZN_CMD_KEY_ROTATE: the logon key @key_desc of the caller becomes the
 * current master key of every mount of @category (older keys stay to open
 * headers not yet rewrapped), and each lower root's marker is rewritten for
 * it. Idempotent: a key that is current already is kept, its marker written
 * again. Returns -ENOENT when no mount has that category.
 */
int ezn_sb_rotate(const char *category, const char *key_desc)
{
	struct ezn_master_key *mk;
	struct ezn_sb_info *sbi;
	const struct cred *old;
	int err, found = 0;

	err = ezn_master_key_load(key_desc, &mk);
	if (err)
		return err;
	mutex_lock(&ezn_sb_list_mutex);
	list_for_each_entry(sbi, &ezn_sb_list, list) {
		if (strcmp(sbi->category, category))
			continue;
		found++;
		err = ezn_key_set_rotate(&sbi->keys, mk);
		if (err)
			break;
		old = override_creds(sbi->creds);
		err = ezn_marker_write(&sbi->lower_path, mk, 0);
		revert_creds(old);
		if (err)
			break;
	}
	mutex_unlock(&ezn_sb_list_mutex);
	ezn_master_key_put(mk);
	if (!err && !found)
		err = -ENOENT;
	if (!err)
		pr_info("category %s: new master key, %d mount(s)\n", category, found);
	return err;
}

/*
 * EZN_CMD_KEY_RETIRE: drop the older master key @key_id from every mount of
 * @category. -ENOENT when no mount holds it, -EBUSY when it is current.
 */
int ezn_sb_retire(const char *category, const u8 key_id[EZN_KEY_ID_SIZE])
{
	struct ezn_sb_info *sbi;
	int err = -ENOENT, one;

	mutex_lock(&ezn_sb_list_mutex);
	list_for_each_entry(sbi, &ezn_sb_list, list) {
		if (strcmp(sbi->category, category))
			continue;
		one = ezn_key_set_retire(&sbi->keys, key_id);
		if (one == -EBUSY || (one == 0 && err == -ENOENT))
			err = one;
	}
	mutex_unlock(&ezn_sb_list_mutex);
	return err;
}
