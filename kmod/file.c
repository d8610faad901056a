// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs file operations. Regular files work on the upper page cache
 * with the generic helpers (read/write iterators, mmap, splice, llseek with
 * SEEK_DATA/SEEK_HOLE); the lower file of the inode is opened on the first
 * open (lower.c). Directories keep a lower directory file per open upper
 * one and read it with the marker file hidden at the root.
 *
 * O_DIRECT is accepted and served through the page cache; a direct write
 * returns once its range has been written back to the lower file, which is
 * what O_DIRECT callers rely on (not on bypassing the cache as such).
 * Locks (flock, POSIX) are the VFS's local ones on the upper inode.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fs_stack.h>
#include <linux/pagemap.h>
#include <linux/uio.h>
#include <linux/mm.h>

#include "ezncryptfs.h"
#include "crypto.h"
#include "acl.h"

/*
 * Regular files: file->private_data is this open's cursor into the lower
 * file's writeback errors (an errseq_t). The lower struct file is shared by
 * every open of the inode, so its own cursor would let the first fsync take
 * an error for all of them; each open checks the lower mapping against its
 * own, under file->f_lock.
 */
static void ezn_lower_wb_err_sample(struct file *file)
{
	struct file *lower = EZN_I(file_inode(file))->lower_file;

	file->private_data = (void *)(unsigned long)filemap_sample_wb_err(lower->f_mapping);
}

/* A lower writeback error this open has not reported yet, now reported. */
static int ezn_lower_wb_err_check(struct file *file)
{
	struct file *lower = EZN_I(file_inode(file))->lower_file;
	errseq_t since;
	int err;

	spin_lock(&file->f_lock);
	since = (errseq_t)(unsigned long)file->private_data;
	err = errseq_check_and_advance(&lower->f_mapping->wb_err, &since);
	file->private_data = (void *)(unsigned long)since;
	spin_unlock(&file->f_lock);
	return err;
}

static int ezn_file_open(struct inode *inode, struct file *file)
{
	struct path lpath;
	int err;

	err = ezn_acl_file(file, EZN_OP_OPEN);
	if (err)
		return err;
	ezn_lower_path(file->f_path.dentry, &lpath);
	err = ezn_lower_file_get(inode, &lpath);
	if (err)
		return err;
	if ((file->f_mode & FMODE_WRITE) && !(EZN_I(inode)->lower_file->f_mode & FMODE_WRITE))
		return -EROFS;
	ezn_lower_wb_err_sample(file);
	return 0;
}

static ssize_t ezn_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	ssize_t err = ezn_acl_file(iocb->ki_filp, EZN_OP_READ);

	if (err)
		return err;
	iocb->ki_flags &= ~IOCB_DIRECT;
	return generic_file_read_iter(iocb, to);
}

static ssize_t ezn_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct address_space *mapping = iocb->ki_filp->f_mapping;
	bool direct = iocb->ki_flags & IOCB_DIRECT;
	ssize_t ret;
	int err;

	err = ezn_acl_file(iocb->ki_filp, EZN_OP_WRITE);
	if (err)
		return err;
	iocb->ki_flags &= ~IOCB_DIRECT;
	ret = generic_file_write_iter(iocb, from);
	if (ret > 0 && direct) {
		err = filemap_write_and_wait_range(mapping, iocb->ki_pos - ret, iocb->ki_pos - 1);
		if (err)
			ret = err;
	} else if (ret > 0) {
		ezn_write_behind(file_inode(iocb->ki_filp), iocb->ki_pos - ret, ret);
	}
	return ret;
}

/* The last writer's close starts writeback (ezn_write_behind_close()). */
static int ezn_file_release(struct inode *inode, struct file *file)
{
	/* __fput() drops this file's write access after ->release. */
	if ((file->f_mode & FMODE_WRITE) && atomic_read(&inode->i_writecount) == 1)
		ezn_write_behind_close(inode);
	return 0;
}

/*
 * Write the upper pages of the range into the lower file, then sync it. A
 * writeback error of the lower page cache is reported to every open once
 * (ezn_lower_wb_err_check()), whichever fsync met it first.
 */
static int ezn_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct inode *inode = file_inode(file);
	const struct cred *old;
	int err, wb_err;

	err = file_write_and_wait_range(file, start, end);
	if (err)
		return err;
	old = ezn_override_creds(inode->i_sb);
	err = vfs_fsync(EZN_I(inode)->lower_file, datasync);
	ezn_revert_creds(old);
	wb_err = ezn_lower_wb_err_check(file);
	return wb_err ?: err;
}

/* Access is decided again for the mapping process (an fd may be passed). */
static int ezn_mmap(struct file *file, struct vm_area_struct *vma)
{
	return ezn_acl_file(file, EZN_OP_MMAP) ?: generic_file_mmap(file, vma);
}

const struct file_operations ezn_file_fops = {
	.open		= ezn_file_open,
	.release	= ezn_file_release,
	.llseek		= generic_file_llseek,
	.read_iter	= ezn_read_iter,
	.write_iter	= ezn_write_iter,
	.mmap		= ezn_mmap,
	.fsync		= ezn_fsync,
	.splice_read	= generic_file_splice_read,
	.splice_write	= iter_file_splice_write,
};

/* Directories: file->private_data is the lower directory file. */

static int ezn_dir_open(struct inode *inode, struct file *file)
{
	struct path lpath;
	struct file *lower;
	int err;

	err = ezn_acl_file(file, EZN_OP_OPEN);
	if (err)
		return err;
	ezn_lower_path(file->f_path.dentry, &lpath);
	lower = dentry_open(&lpath, O_RDONLY | O_DIRECTORY | O_LARGEFILE,
			    EZN_SB(inode->i_sb)->creds);
	if (IS_ERR(lower))
		return PTR_ERR(lower);
	file->private_data = lower;
	return 0;
}

static int ezn_dir_release(struct inode *inode, struct file *file)
{
	fput(file->private_data);
	return 0;
}

struct ezn_readdir_ctx {
	struct dir_context ctx;
	struct dir_context *caller;
	bool root;
};

static bool ezn_filldir(struct dir_context *ctx, const char *name, int len, loff_t off,
			u64 ino, unsigned int d_type)
{
	struct ezn_readdir_ctx *rc = container_of(ctx, struct ezn_readdir_ctx, ctx);

	if (rc->root && len == sizeof(EZN_MARKER_NAME) - 1 && !memcmp(name, EZN_MARKER_NAME, len))
		return true;
	rc->caller->pos = off;
	return dir_emit(rc->caller, name, len, ino, d_type);
}

/*
 * Called with the upper directory's i_rwsem held shared and the file's
 * f_pos_lock held; the lower file is private to this upper file, so its
 * position is ours to move. Positions are the lower directory's.
 */
static int ezn_iterate_shared(struct file *file, struct dir_context *ctx)
{
	struct file *lower = file->private_data;
	struct ezn_readdir_ctx rc = {
		.ctx.actor = ezn_filldir,
		.caller = ctx,
		.root = IS_ROOT(file->f_path.dentry),
	};
	const struct cred *old;
	loff_t pos;
	int err;

	err = ezn_acl_file(file, EZN_OP_READDIR);
	if (err)
		return err;
	old = ezn_override_creds(file_inode(file)->i_sb);
	if (lower->f_pos != ctx->pos) {
		pos = vfs_llseek(lower, ctx->pos, SEEK_SET);
		if (pos < 0)
			err = pos;
	}
	if (!err)
		err = iterate_dir(lower, &rc.ctx);
	ezn_revert_creds(old);
	ctx->pos = lower->f_pos;
	fsstack_copy_attr_atime(file_inode(file), file_inode(lower));
	return err;
}

static loff_t ezn_dir_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *lower = file->private_data;
	loff_t pos;

	pos = vfs_llseek(lower, offset, whence);
	if (pos >= 0)
		file->f_pos = pos;
	return pos;
}

static int ezn_dir_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	const struct cred *old;
	int err;

	old = ezn_override_creds(file_inode(file)->i_sb);
	err = vfs_fsync(file->private_data, datasync);
	ezn_revert_creds(old);
	return err;
}

const struct file_operations ezn_dir_fops = {
	.open		= ezn_dir_open,
	.release	= ezn_dir_release,
	.read		= generic_read_dir,
	.iterate_shared	= ezn_iterate_shared,
	.llseek		= ezn_dir_llseek,
	.fsync		= ezn_dir_fsync,
};
