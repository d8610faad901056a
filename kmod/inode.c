// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs inode operations: the namespace (lookup, create, mkdir, mknod,
 * symlink, link, unlink, rmdir, rename, tmpfile), attributes and xattrs.
 *
 * Every operation is checked against the caller's credentials on the upper
 * inode by the VFS (and ezn_permission()), then carried out on the lower
 * filesystem with the mounter's credentials (EZN_SB()->creds). New lower
 * objects are owned by the caller: creation runs with the mounter's
 * credentials but the caller's fsuid and fsgid (struct ezn_lower_change).
 *
 * Locking: the VFS holds the upper directory's i_rwsem (and the rename lock)
 * as usual; we take the matching lower directory locks inside them
 * (ezn_begin_name_change(), lock_rename() on the lower parents). The lower
 * dentry of an upper dentry is stable while its parent's i_rwsem is held.
 *
 * Upper attributes are copies of the lower ones (ezn_copy_attrs()), except
 * for a regular file's size, which is the cleartext size: derived from the
 * lower size when the inode is instantiated and owned by the upper inode
 * afterwards (writes extend it before writeback reaches the lower file), and
 * its times, which writes update on the upper inode first.
 */
#include <linux/fs.h>
#include <linux/fs_stack.h>
#include <linux/delay.h>
#include <linux/namei.h>
#include <linux/mount.h>
#include <linux/cred.h>
#include <linux/xattr.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/pagemap.h>
#include <linux/file.h>
#include <linux/slab.h>

#include "ezncryptfs.h"
#include "acl.h"
#include "crypto.h"

static const struct inode_operations ezn_dir_iops;
static const struct inode_operations ezn_file_iops;
static const struct inode_operations ezn_symlink_iops;

bool ezn_is_marker(const struct dentry *dir, const char *name, unsigned int len)
{
	return IS_ROOT(dir) && len == sizeof(EZN_MARKER_NAME) - 1 &&
	       !memcmp(name, EZN_MARKER_NAME, len);
}

/* Everything but a regular file's size; the block size is ours. */
void ezn_copy_attrs(struct inode *inode, const struct inode *lower)
{
	fsstack_copy_attr_all(inode, lower);
	inode->i_blkbits = EZN_BLOCK_SHIFT;
	if (!S_ISREG(inode->i_mode))
		i_size_write(inode, i_size_read(lower));
}

static int ezn_inode_test(struct inode *inode, void *lower)
{
	return EZN_I(inode)->lower_inode == lower;
}

static int ezn_inode_set(struct inode *inode, void *lower)
{
	EZN_I(inode)->lower_inode = lower;
	inode->i_ino = ((struct inode *)lower)->i_ino;
	return 0;
}

/*
 * The upper inode for @lower_inode: one per lower inode (hard links share
 * it), found by the lower inode's address.
 */
struct inode *ezn_get_inode(struct inode *lower_inode, struct super_block *sb)
{
	struct inode *inode;
	long long size;

	if (!igrab(lower_inode))
		return ERR_PTR(-ESTALE);
	inode = iget5_locked(sb, (unsigned long)lower_inode, ezn_inode_test, ezn_inode_set,
			     lower_inode);
	if (!inode) {
		iput(lower_inode);
		return ERR_PTR(-ENOMEM);
	}
	if (!(inode->i_state & I_NEW)) {
		iput(lower_inode);	/* the cached inode holds its own reference */
		return inode;
	}

	ezn_copy_attrs(inode, lower_inode);
#ifdef CONFIG_FS_POSIX_ACL
	/* ACLs are the lower inode's, asked each time (ezn_get_acl()). */
	inode->i_acl = ACL_DONT_CACHE;
	inode->i_default_acl = ACL_DONT_CACHE;
#endif
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &ezn_file_iops;
		inode->i_fop = &ezn_file_fops;
		inode->i_mapping->a_ops = &ezn_aops;
		size = ezn_lower_clear_size(lower_inode);
		if (size < 0) {
			pr_warn_ratelimited("inode %lu: lower size %lld is not a valid ezncryptfs size; the file is damaged\n",
					    lower_inode->i_ino, i_size_read(lower_inode));
			size = 0;
		}
		i_size_write(inode, size);
		break;
	case S_IFDIR:
		inode->i_op = &ezn_dir_iops;
		inode->i_fop = &ezn_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = &ezn_symlink_iops;
		break;
	default:
		inode->i_op = &ezn_file_iops;
		init_special_inode(inode, inode->i_mode, lower_inode->i_rdev);
		break;
	}
	unlock_new_inode(inode);
	return inode;
}

static struct dentry *ezn_lookup(struct inode *dir, struct dentry *dentry, unsigned int flags)
{
	struct dentry *lower_dir = ezn_lower_dentry(dentry->d_parent);
	struct dentry *lower, *alias;
	struct inode *inode = NULL;
	const struct cred *old;

	/* The mount marker is not part of the upper namespace. */
	if (ezn_is_marker(dentry->d_parent, dentry->d_name.name, dentry->d_name.len))
		return ERR_PTR(-ENOENT);
	if (ezn_acl_check(dentry, EZN_OP_LOOKUP))
		return ERR_PTR(-EACCES);

	old = ezn_override_creds(dir->i_sb);
	lower = lookup_one_len_unlocked(dentry->d_name.name, lower_dir, dentry->d_name.len);
	ezn_revert_creds(old);
	if (IS_ERR(lower))
		return ERR_CAST(lower);
	if (d_really_is_positive(lower)) {
		inode = ezn_get_inode(d_inode(lower), dir->i_sb);
		if (IS_ERR(inode)) {
			dput(lower);
			return ERR_CAST(inode);
		}
	}
	ezn_set_lower_dentry(dentry, lower);
	/*
	 * A directory found under another name (renamed in the lower
	 * filesystem): d_splice_alias() moves its dentry here, and with it
	 * every path under it, so the access decided on the old paths is
	 * stale. Bumped before the move too, as a rename does: until the move,
	 * decisions in that tree are made on paths whose lower dentries have
	 * moved, which are not cached (ezn_dentry_settled()), and none made on
	 * the old paths before it outlives it.
	 */
	if (inode && S_ISDIR(inode->i_mode) && !hlist_empty(&inode->i_dentry))
		ezn_acl_bump();
	alias = d_splice_alias(inode, dentry);
	if (!IS_ERR_OR_NULL(alias))
		ezn_acl_bump();
	return alias;
}

/*
 * A change in the lower filesystem: write access to the lower mount, and the
 * mounter's credentials, with the caller's fsuid and fsgid for a creation
 * (EZN_CALLER_IDS), so that the new lower object is the caller's.
 *
 * Every inode operation runs with upper inode locks held (the parent, the
 * victim of unlink and rename, the inode itself for setattr and xattrs), so
 * the lower write access is taken with ezn_lower_write_begin(), never
 * mnt_want_write(): see there.
 */
enum ezn_lower_ids { EZN_MOUNTER_IDS, EZN_CALLER_IDS };

struct ezn_lower_change {
	struct super_block *sb;
	const struct cred *caller;	/* restored by ezn_lower_change_end() */
	struct cred *cred;		/* the mounter's with the caller's ids, or NULL */
};

static int ezn_lower_change_begin(struct super_block *sb, enum ezn_lower_ids ids,
				  struct ezn_lower_change *c)
{
	kuid_t fsuid = current_fsuid();
	kgid_t fsgid = current_fsgid();
	int err;

	err = ezn_lower_write_begin(EZN_SB(sb)->lower_path.mnt);
	if (err)
		return err;
	c->sb = sb;
	c->caller = ezn_override_creds(sb);
	c->cred = NULL;
	/* A caller with the mounter's own ids (root, mostly) needs no copy. */
	if (ids == EZN_MOUNTER_IDS ||
	    (uid_eq(fsuid, current_fsuid()) && gid_eq(fsgid, current_fsgid())))
		return 0;
	c->cred = prepare_creds();	/* a copy of the mounter's */
	ezn_revert_creds(c->caller);
	if (!c->cred) {
		ezn_lower_write_end(EZN_SB(sb)->lower_path.mnt);
		return -ENOMEM;
	}
	c->cred->fsuid = fsuid;
	c->cred->fsgid = fsgid;
	/* Held by our reference until ezn_lower_change_end(). */
	ezn_creds_override(c->cred);
	return 0;
}

static void ezn_lower_change_end(struct ezn_lower_change *c)
{
	ezn_revert_creds(c->caller);
	if (c->cred)
		put_cred(c->cred);
	ezn_lower_write_end(EZN_SB(c->sb)->lower_path.mnt);
}

/* After a namespace change in a directory: its times, size and links. */
static void ezn_copy_dir_attrs(struct inode *dir, struct inode *ldir)
{
	fsstack_copy_attr_times(dir, ldir);
	i_size_write(dir, i_size_read(ldir));
	set_nlink(dir, ldir->i_nlink);
}

/*
 * Changing a name in a lower directory: ezn_lower_change_begin() and the
 * lower parent of @dentry (whose upper parent the VFS has locked) locked, or
 * an ERR_PTR with neither. -ESTALE if the lower dentry is no longer where the
 * upper one says: the VFS then retries with revalidation, which looks the
 * name up again. ezn_end_name_change() copies the lower parent's attributes
 * up to @dir and undoes both.
 */
static struct inode *ezn_begin_name_change(struct dentry *dentry, enum ezn_lower_ids ids,
					   struct ezn_lower_change *c, struct dentry **lowerp)
{
	struct dentry *lower_dir = ezn_lower_dentry(dentry->d_parent);
	struct dentry *lower = ezn_lower_dentry(dentry);
	struct inode *ldir = d_inode(lower_dir);
	int err;

	err = ezn_lower_change_begin(dentry->d_sb, ids, c);
	if (err)
		return ERR_PTR(err);
	inode_lock_nested(ldir, I_MUTEX_PARENT);
	if (lower->d_parent != lower_dir || d_unhashed(lower)) {
		inode_unlock(ldir);
		ezn_lower_change_end(c);
		return ERR_PTR(-ESTALE);
	}
	*lowerp = lower;
	return ldir;
}

static void ezn_end_name_change(struct inode *dir, struct inode *ldir,
				struct ezn_lower_change *c)
{
	ezn_copy_dir_attrs(dir, ldir);
	inode_unlock(ldir);
	ezn_lower_change_end(c);
}

/*
 * Give an upper dentry the inode of its new lower object. A lower
 * filesystem may leave the lower dentry negative after a successful
 * creation, as vfs_mkdir() allows: the upper one is then dropped and looked
 * up again. A new regular file (@out) is opened at once, which needs its
 * inode now: the create fails with EIO, as overlayfs's does, and the lower
 * file stays, empty (FORMAT.md: no header yet).
 */
static int ezn_instantiate(struct dentry *dentry, struct dentry *lower, struct inode **out)
{
	struct inode *inode;

	if (d_really_is_negative(lower) || d_unhashed(lower)) {
		d_drop(dentry);
		if (!out)
			return 0;
		pr_warn_ratelimited("the lower filesystem left %pd negative or unhashed after creating it\n",
				    lower);
		return -EIO;
	}
	inode = ezn_get_inode(d_inode(lower), dentry->d_sb);
	if (IS_ERR(inode))
		return PTR_ERR(inode);
	if (out) {
		*out = inode;
		return 0;
	}
	d_instantiate(dentry, inode);
	return 0;
}

enum ezn_mkobj { EZN_MK_DIR, EZN_MK_NOD, EZN_MK_SYMLINK };

static int ezn_make_once(struct inode *dir, struct dentry *dentry, enum ezn_mkobj what,
			 umode_t mode, dev_t rdev, const char *symname)
{
	struct ezn_lower_change c;
	struct dentry *lower;
	struct inode *ldir;
	int err;

	ldir = ezn_begin_name_change(dentry, EZN_CALLER_IDS, &c, &lower);
	if (IS_ERR(ldir))
		return PTR_ERR(ldir);
	switch (what) {
	case EZN_MK_DIR:
		err = vfs_mkdir(&init_user_ns, ldir, lower, mode);
		break;
	case EZN_MK_NOD:
		err = vfs_mknod(&init_user_ns, ldir, lower, mode, rdev);
		break;
	case EZN_MK_SYMLINK:
		err = vfs_symlink(&init_user_ns, ldir, lower, symname);
		break;
	}
	if (!err)
		err = ezn_instantiate(dentry, lower, NULL);
	ezn_end_name_change(dir, ldir, &c);
	return err;
}

/*
 * A creation that found the lower filesystem full tries once more when
 * deleted files' blocks and inodes were still being released (release.c).
 */
static int ezn_make(struct inode *dir, struct dentry *dentry, enum ezn_mkobj what,
		    umode_t mode, dev_t rdev, const char *symname)
{
	int err = ezn_make_once(dir, dentry, what, mode, rdev, symname);

	if (ezn_release_retry(dir->i_sb, err))
		err = ezn_make_once(dir, dentry, what, mode, rdev, symname);
	return err;
}

static int ezn_mkdir(struct user_namespace *mnt_userns, struct inode *dir,
		     struct dentry *dentry, umode_t mode)
{
	return ezn_acl_check(dentry, EZN_OP_MKDIR) ?:
	       ezn_make(dir, dentry, EZN_MK_DIR, mode, 0, NULL);
}

static int ezn_mknod(struct user_namespace *mnt_userns, struct inode *dir,
		     struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return ezn_acl_check(dentry, EZN_OP_MKNOD) ?:
	       ezn_make(dir, dentry, EZN_MK_NOD, mode, rdev, NULL);
}

static int ezn_symlink(struct user_namespace *mnt_userns, struct inode *dir,
		       struct dentry *dentry, const char *symname)
{
	/* The target is stored in clear in the lower symlink (FORMAT.md). */
	return ezn_acl_check(dentry, EZN_OP_SYMLINK) ?:
	       ezn_make(dir, dentry, EZN_MK_SYMLINK, 0, 0, symname);
}

/*
 * A new regular file: create the lower file, open it with the mounter's
 * credentials and draw its file id and file key before the upper dentry
 * becomes positive; the header goes out with the first lower write. On failure
 * the lower file is removed again.
 */
static int ezn_create_once(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	struct super_block *sb = dir->i_sb;
	struct ezn_lower_change c;
	struct inode *inode;
	struct dentry *lower;
	struct inode *ldir;
	struct file *lfile;
	struct path lpath;
	int err;

	ldir = ezn_begin_name_change(dentry, EZN_CALLER_IDS, &c, &lower);
	if (IS_ERR(ldir))
		return PTR_ERR(ldir);
	err = vfs_create(&init_user_ns, ldir, lower, mode, true);
	if (err)
		goto end_change;
	inode = NULL;
	err = ezn_instantiate(dentry, lower, &inode);
	if (err)
		goto remove_lower;

	lpath.mnt = EZN_SB(sb)->lower_path.mnt;
	lpath.dentry = lower;
	lfile = dentry_open(&lpath, O_RDWR | O_LARGEFILE, EZN_SB(sb)->creds);
	if (IS_ERR(lfile)) {
		err = PTR_ERR(lfile);
		goto remove_lower;
	}
	err = ezn_lower_file_init(inode, lfile);
	if (err)
		goto remove_lower;
	d_instantiate(dentry, inode);
	ezn_end_name_change(dir, ldir, &c);
	return 0;

remove_lower:
	if (d_really_is_positive(lower) && !d_unhashed(lower))
		vfs_unlink(&init_user_ns, ldir, lower, NULL);
	if (inode) {
		/* No one else has it: evicted now, it lets go of the lower inode. */
		set_nlink(inode, ezn_lower_inode(inode)->i_nlink);
		iput(inode);
	}
	d_drop(dentry);
end_change:
	ezn_end_name_change(dir, ldir, &c);
	return err;
}

/*
 * A full lower filesystem: as in ezn_make(), when the failed attempt left the
 * dentry as it found it (the lower create failed, not what came after it).
 */
static int ezn_create(struct user_namespace *mnt_userns, struct inode *dir,
		      struct dentry *dentry, umode_t mode, bool excl)
{
	int err = ezn_acl_check(dentry, EZN_OP_CREATE);

	if (!err)
		err = ezn_create_once(dir, dentry, mode);
	if (!d_unhashed(dentry) && ezn_release_retry(dir->i_sb, err))
		err = ezn_create_once(dir, dentry, mode);
	return err;
}

/* O_TMPFILE: an unnamed lower file with its file key, linkable later. */
static int ezn_tmpfile(struct user_namespace *mnt_userns, struct inode *dir,
		       struct file *file, umode_t mode)
{
	struct dentry *dentry = file->f_path.dentry;
	struct super_block *sb = dir->i_sb;
	struct path lparent;
	struct ezn_lower_change c;
	struct inode *inode;
	struct file *lfile;
	int err;

	err = ezn_acl_check(dentry->d_parent, EZN_OP_CREATE);
	if (err)
		return err;
	lparent.mnt = EZN_SB(sb)->lower_path.mnt;
	lparent.dentry = ezn_lower_dentry(dentry->d_parent);

	err = ezn_lower_change_begin(sb, EZN_CALLER_IDS, &c);
	if (err)
		return err;
	lfile = vfs_tmpfile_open(&init_user_ns, &lparent, mode, O_RDWR | O_LARGEFILE,
				 EZN_SB(sb)->creds);
	/* An inode that deletions gave back may still be on its way. */
	if (IS_ERR(lfile) && ezn_release_retry(sb, PTR_ERR(lfile)))
		lfile = vfs_tmpfile_open(&init_user_ns, &lparent, mode, O_RDWR | O_LARGEFILE,
					 EZN_SB(sb)->creds);
	if (IS_ERR(lfile)) {
		err = PTR_ERR(lfile);
		goto end_change;
	}
	inode = ezn_get_inode(file_inode(lfile), sb);
	if (IS_ERR(inode)) {
		err = PTR_ERR(inode);
		fput(lfile);
		goto end_change;
	}
	ezn_set_lower_dentry(dentry, dget(lfile->f_path.dentry));
	err = ezn_lower_file_init(inode, lfile);
	if (err) {
		iput(inode);
		goto end_change;
	}
	/* d_tmpfile() drops the link count we give it here to zero. */
	set_nlink(inode, 1);
	d_tmpfile(file, inode);
	ezn_lower_change_end(&c);
	return finish_open_simple(file, 0);

end_change:
	ezn_lower_change_end(&c);
	return err;
}

static int ezn_link_once(struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry)
{
	struct inode *inode = d_inode(old_dentry);
	struct dentry *lower_old = ezn_lower_dentry(old_dentry);
	struct ezn_lower_change c;
	struct dentry *lower_new;
	struct inode *ldir;
	int err;

	ldir = ezn_begin_name_change(new_dentry, EZN_MOUNTER_IDS, &c, &lower_new);
	if (IS_ERR(ldir))
		return PTR_ERR(ldir);
	err = vfs_link(lower_old, &init_user_ns, ldir, lower_new, NULL);
	if (!err) {
		if (d_really_is_positive(lower_new) &&
		    d_inode(lower_new) == ezn_lower_inode(inode)) {
			ihold(inode);
			d_instantiate(new_dentry, inode);
		} else {
			d_drop(new_dentry);
		}
		set_nlink(inode, ezn_lower_inode(inode)->i_nlink);
		inode->i_ctime = ezn_lower_inode(inode)->i_ctime;
	}
	ezn_end_name_change(dir, ldir, &c);
	return err;
}

/* A link may need room in the lower filesystem (tmpfs counts links as inodes). */
static int ezn_link(struct dentry *old_dentry, struct inode *dir, struct dentry *new_dentry)
{
	int err = ezn_acl_check(old_dentry, EZN_OP_LINK) ?: ezn_acl_check(new_dentry, EZN_OP_LINK);

	if (!err)
		err = ezn_link_once(old_dentry, dir, new_dentry);
	if (ezn_release_retry(dir->i_sb, err))
		err = ezn_link_once(old_dentry, dir, new_dentry);
	return err;
}

static int ezn_remove(struct inode *dir, struct dentry *dentry, bool is_dir)
{
	struct inode *inode = d_inode(dentry);
	struct ezn_lower_change c;
	struct dentry *lower;
	struct inode *ldir;
	int err;

	ldir = ezn_begin_name_change(dentry, EZN_MOUNTER_IDS, &c, &lower);
	if (IS_ERR(ldir))
		return PTR_ERR(ldir);
	/* Our reference keeps the lower dentry from turning negative. */
	dget(lower);
	if (is_dir)
		err = vfs_rmdir(&init_user_ns, ldir, lower);
	else
		err = vfs_unlink(&init_user_ns, ldir, lower, NULL);
	if (!err) {
		if (is_dir)
			clear_nlink(inode);
		else
			set_nlink(inode, ezn_lower_inode(inode)->i_nlink);
		inode->i_ctime = ezn_lower_inode(inode)->i_ctime;
	}
	dput(lower);
	ezn_end_name_change(dir, ldir, &c);
	/* The upper dentry must not be reused with the dead lower one. */
	if (!err)
		d_drop(dentry);
	return err;
}

static int ezn_unlink(struct inode *dir, struct dentry *dentry)
{
	return ezn_acl_check(dentry, EZN_OP_UNLINK) ?: ezn_remove(dir, dentry, false);
}

static int ezn_rmdir(struct inode *dir, struct dentry *dentry)
{
	return ezn_acl_check(dentry, EZN_OP_RMDIR) ?: ezn_remove(dir, dentry, true);
}

/*
 * rename, RENAME_NOREPLACE, RENAME_EXCHANGE and RENAME_WHITEOUT are passed
 * to the lower filesystem, which refuses the flags it does not support. The
 * VFS has locked the upper parents (and the upper s_vfs_rename_mutex);
 * lock_rename() takes the lower ones, and the lower d_move() carries the
 * lower dentries along with the upper ones.
 */
static int ezn_rename_once(struct inode *old_dir, struct dentry *old_dentry,
			   struct inode *new_dir, struct dentry *new_dentry, unsigned int flags)
{
	struct dentry *lower_old_dir = ezn_lower_dentry(old_dentry->d_parent);
	struct dentry *lower_new_dir = ezn_lower_dentry(new_dentry->d_parent);
	struct dentry *lower_old = ezn_lower_dentry(old_dentry);
	struct dentry *lower_new = ezn_lower_dentry(new_dentry);
	struct inode *target = d_inode(new_dentry);
	struct super_block *sb = old_dir->i_sb;
	struct ezn_lower_change c;
	struct renamedata rd = {};
	struct dentry *trap;
	int err;

	err = ezn_lower_change_begin(sb, EZN_MOUNTER_IDS, &c);
	if (err)
		return err;
	trap = lock_rename(lower_old_dir, lower_new_dir);
	dget(lower_old);
	dget(lower_new);
	err = -ESTALE;
	if (lower_old->d_parent != lower_old_dir || lower_new->d_parent != lower_new_dir)
		goto unlock;
	if (d_unhashed(lower_old) || d_unhashed(lower_new))
		goto unlock;
	err = -EINVAL;
	if (trap == lower_old)		/* source is an ancestor of target */
		goto unlock;
	err = flags & RENAME_EXCHANGE ? -EINVAL : -ENOTEMPTY;
	if (trap == lower_new)		/* target is an ancestor of source */
		goto unlock;

	rd.old_mnt_userns = &init_user_ns;
	rd.old_dir = d_inode(lower_old_dir);
	rd.old_dentry = lower_old;
	rd.new_mnt_userns = &init_user_ns;
	rd.new_dir = d_inode(lower_new_dir);
	rd.new_dentry = lower_new;
	rd.flags = flags;
	err = vfs_rename(&rd);
	if (err)
		goto unlock;
	if (target && !(flags & RENAME_EXCHANGE)) {
		set_nlink(target, ezn_lower_inode(target)->i_nlink);
		target->i_ctime = ezn_lower_inode(target)->i_ctime;
	}
	d_inode(old_dentry)->i_ctime = ezn_lower_inode(d_inode(old_dentry))->i_ctime;
	ezn_copy_dir_attrs(new_dir, d_inode(lower_new_dir));
	if (new_dir != old_dir)
		ezn_copy_dir_attrs(old_dir, d_inode(lower_old_dir));
unlock:
	dput(lower_new);
	dput(lower_old);
	unlock_rename(lower_old_dir, lower_new_dir);
	ezn_lower_change_end(&c);
	return err;
}

/*
 * A rename may need room in the lower filesystem: a directory block for the
 * new name, a whiteout's inode.
 */
static int ezn_rename(struct user_namespace *mnt_userns, struct inode *old_dir,
		      struct dentry *old_dentry, struct inode *new_dir,
		      struct dentry *new_dentry, unsigned int flags)
{
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	err = ezn_acl_check(old_dentry, EZN_OP_RENAME) ?: ezn_acl_check(new_dentry, EZN_OP_RENAME);
	if (!err)
		err = ezn_rename_once(old_dir, old_dentry, new_dir, new_dentry, flags);
	if (ezn_release_retry(old_dir->i_sb, err))
		err = ezn_rename_once(old_dir, old_dentry, new_dir, new_dentry, flags);
	if (err)
		return err;
	/*
	 * The lower dentries have moved; the VFS moves the upper ones after we
	 * return. Access decided before this point on the old path is stale
	 * now; decided from here until that move, it is not cached, for the
	 * upper and lower dentries do not agree (ezn_dentry_settled()).
	 */
	ezn_acl_bump();
	if (ezn_debug_rename_hold_ms)
		msleep(ezn_debug_rename_hold_ms);
	return 0;
}

static const char *ezn_get_link(struct dentry *dentry, struct inode *inode,
				struct delayed_call *done)
{
	const struct cred *old;
	const char *link;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	if (ezn_acl_check(dentry, EZN_OP_READLINK))
		return ERR_PTR(-EACCES);
	old = ezn_override_creds(dentry->d_sb);
	link = vfs_get_link(ezn_lower_dentry(dentry), done);
	ezn_revert_creds(old);
	return link;
}

/*
 * The caller's access is decided on the upper inode (attributes copied from
 * the lower one); the lower inode is then asked with the mounter's
 * credentials, which catches what only the lower filesystem knows (a
 * read-only lower superblock, immutable files).
 */
static int ezn_permission(struct user_namespace *mnt_userns, struct inode *inode, int mask)
{
	struct inode *lower = READ_ONCE(EZN_I(inode)->lower_inode);
	const struct cred *old;
	int err;

	/* An RCU walk can meet an inode that is being evicted. */
	if (!lower)
		return -ECHILD;
	err = generic_permission(&init_user_ns, inode, mask);
	if (err)
		return err;
	old = ezn_override_creds(inode->i_sb);
	err = inode_permission(&init_user_ns, lower, mask);
	ezn_revert_creds(old);
	return err;
}

/*
 * POSIX ACLs (the mount has SB_POSIXACL when the lower one does): the lower
 * inode's, never cached on the upper one, so generic_permission() in
 * ezn_permission() decides by what the lower filesystem holds now. An RCU
 * walk can only use an ACL the lower inode has cached; otherwise the VFS
 * walks again with references.
 */
static struct posix_acl *ezn_get_acl(struct inode *inode, int type, bool rcu)
{
	struct inode *lower = READ_ONCE(EZN_I(inode)->lower_inode);
	const struct cred *old;
	struct posix_acl *acl;

	if (rcu)
		return lower ? get_cached_acl_rcu(lower, type) : ERR_PTR(-ECHILD);
	if (!lower)
		return NULL;
	old = ezn_override_creds(inode->i_sb);
	acl = get_acl(lower, type);
	ezn_revert_creds(old);
	return acl;
}

/*
 * Truncate a regular file to @size (setattr with ATTR_SIZE; the VFS holds
 * the upper i_rwsem). The invalidate lock keeps page faults out while the
 * page cache and the lower file change; io_rwsem orders the lower resize and
 * the i_size update against writeback, which reads i_size under it.
 */
static int ezn_setattr_size(struct inode *inode, struct dentry *dentry, loff_t size)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	struct path lpath;
	loff_t old_size;
	int err;

	ezn_lower_path(dentry, &lpath);
	err = ezn_lower_file_get(inode, &lpath);
	if (err)
		return err;
	if (!(ei->lower_file->f_mode & FMODE_WRITE))
		return -EROFS;

	filemap_invalidate_lock(inode->i_mapping);
	down_write(&ei->io_rwsem);
	old_size = i_size_read(inode);
	err = ezn_lower_resize(inode, size);
	if (!err)
		i_size_write(inode, size);
	up_write(&ei->io_rwsem);
	if (!err) {
		if (size < old_size)
			truncate_pagecache(inode, size);
		else if (size > old_size)
			pagecache_isize_extended(inode, old_size, size);
	}
	filemap_invalidate_unlock(inode->i_mapping);
	return err;
}

static int ezn_setattr(struct user_namespace *mnt_userns, struct dentry *dentry,
		       struct iattr *ia)
{
	struct inode *inode = d_inode(dentry);
	struct dentry *lower = ezn_lower_dentry(dentry);
	struct inode *lower_inode = ezn_lower_inode(inode);
	struct super_block *sb = inode->i_sb;
	struct ezn_lower_change c;
	struct iattr lia;
	int err;

	err = ezn_acl_check(dentry, EZN_OP_SETATTR) ?: setattr_prepare(&init_user_ns, dentry, ia);
	if (err)
		return err;
	lia = *ia;
	lia.ia_valid &= ~(ATTR_SIZE | ATTR_FILE | ATTR_OPEN);
	/* Clearing set-id bits: let the lower filesystem compute the mode. */
	if (lia.ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))
		lia.ia_valid &= ~ATTR_MODE;

	/*
	 * Write dirty data out before other attribute changes, so that lower
	 * writeback does not later override the times set here (tar, cp -p).
	 */
	if (S_ISREG(inode->i_mode) && (lia.ia_valid & ~(ATTR_MTIME | ATTR_CTIME))) {
		err = filemap_write_and_wait(inode->i_mapping);
		if (err)
			return err;
	}

	/* The size change takes the lower write access for each of its steps. */
	if (S_ISREG(inode->i_mode) && (ia->ia_valid & ATTR_SIZE)) {
		err = ezn_setattr_size(inode, dentry, ia->ia_size);
		if (err)
			return err;
	}
	if (lia.ia_valid) {
		err = ezn_lower_change_begin(sb, EZN_MOUNTER_IDS, &c);
		if (err)
			return err;
		err = ezn_lower_notify_change(lower, &lia);
		ezn_lower_change_end(&c);
	}
	ezn_copy_attrs(inode, lower_inode);
	return err;
}

static int ezn_getattr(struct user_namespace *mnt_userns, const struct path *path,
		       struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	struct inode *lower_inode = ezn_lower_inode(inode);
	struct kstat lstat;
	const struct cred *old;
	struct path lpath;
	int err;

	/* The root stays visible: the mount point is stat()ed by everyone. */
	if (!IS_ROOT(path->dentry) && ezn_acl_check(path->dentry, EZN_OP_GETATTR))
		return -EACCES;
	ezn_lower_path(path->dentry, &lpath);
	old = ezn_override_creds(inode->i_sb);
	err = vfs_getattr(&lpath, &lstat, request_mask, flags);
	ezn_revert_creds(old);
	if (err)
		return err;

	if (S_ISREG(inode->i_mode)) {
		/* Size and times are the upper inode's (see the top comment). */
		inode->i_mode = lower_inode->i_mode;
		inode->i_uid = lower_inode->i_uid;
		inode->i_gid = lower_inode->i_gid;
		inode->i_flags = lower_inode->i_flags;
		set_nlink(inode, lower_inode->i_nlink);
	} else {
		ezn_copy_attrs(inode, lower_inode);
	}
	generic_fillattr(&init_user_ns, inode, stat);
	stat->blocks = lstat.blocks;
	stat->attributes = lstat.attributes;
	stat->attributes_mask = lstat.attributes_mask;
	if (lstat.result_mask & STATX_BTIME) {
		stat->btime = lstat.btime;
		stat->result_mask |= STATX_BTIME;
	}
	return 0;
}

/*
 * Extended attributes pass through to the lower inode, except names that
 * belong to the lower filesystem's own machinery (an overlayfs lower's
 * trusted.overlay.* and user.overlay.*), which are neither shown nor
 * settable.
 */
static bool ezn_xattr_hidden(const char *name)
{
	return !strncmp(name, XATTR_TRUSTED_PREFIX "overlay.",
			XATTR_TRUSTED_PREFIX_LEN + 8) ||
	       !strncmp(name, XATTR_USER_PREFIX "overlay.", XATTR_USER_PREFIX_LEN + 8);
}

static ssize_t ezn_listxattr(struct dentry *dentry, char *list, size_t size)
{
	struct dentry *lower = ezn_lower_dentry(dentry);
	const struct cred *old;
	ssize_t len, pos, keep;

	if (ezn_acl_check(dentry, EZN_OP_LISTXATTR))
		return -EACCES;
	old = ezn_override_creds(dentry->d_sb);
	len = vfs_listxattr(lower, list, size);
	ezn_revert_creds(old);
	if (len <= 0 || !list)
		return len;
	/* Squeeze hidden names out of the NUL-separated list. */
	for (pos = 0, keep = 0; pos < len; ) {
		size_t n = strnlen(list + pos, len - pos) + 1;

		if (!ezn_xattr_hidden(list + pos)) {
			memmove(list + keep, list + pos, n);
			keep += n;
		}
		pos += n;
	}
	return keep;
}

static int ezn_xattr_get(const struct xattr_handler *handler, struct dentry *dentry,
			 struct inode *inode, const char *name, void *buffer, size_t size)
{
	const struct cred *old;
	ssize_t ret;

	if (ezn_xattr_hidden(name))
		return -ENODATA;
	if (ezn_acl_check(dentry, EZN_OP_GETXATTR))
		return -EACCES;
	old = ezn_override_creds(inode->i_sb);
	ret = vfs_getxattr(&init_user_ns, ezn_lower_dentry(dentry), name, buffer, size);
	ezn_revert_creds(old);
	return ret;
}

/*
 * Whether setting @name to @value must clear the set-group-ID bit first: an
 * access ACL set by a caller outside the file's group and without
 * CAP_FSETID (posix_acl_update_mode()). The lower filesystem would decide
 * that with the mounter's capabilities and keep the bit, so it is decided
 * here with the caller's, as overlayfs does. A negative errno for an ACL
 * that does not parse.
 */
static int ezn_acl_drops_sgid(struct inode *inode, const char *name, const void *value,
			      size_t size)
{
	struct posix_acl *acl;
	int err;

	if (!(inode->i_mode & S_ISGID) || !value || strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS))
		return 0;
	/*
	 * Not for an ACL that the lower filesystem refuses as such (no ACLs
	 * there, or an invalid one). A set that fails later (ENOSPC, EDQUOT)
	 * has cleared the bit, as on overlayfs: clearing first is what keeps it
	 * from outliving the ACL.
	 */
	if (!IS_POSIXACL(ezn_lower_inode(inode)))
		return 0;
	acl = posix_acl_from_xattr(&init_user_ns, value, size);
	if (IS_ERR_OR_NULL(acl))
		return PTR_ERR_OR_ZERO(acl);
	err = posix_acl_valid(ezn_lower_inode(inode)->i_sb->s_user_ns, acl);
	posix_acl_release(acl);
	if (err)
		return err;
	return !in_group_p(inode->i_gid) &&
	       !capable_wrt_inode_uidgid(&init_user_ns, inode, CAP_FSETID);
}

static int ezn_xattr_set(const struct xattr_handler *handler,
			 struct user_namespace *mnt_userns, struct dentry *dentry,
			 struct inode *inode, const char *name, const void *value,
			 size_t size, int flags)
{
	struct dentry *lower = ezn_lower_dentry(dentry);
	struct iattr kill_sgid = { .ia_valid = ATTR_KILL_SGID };
	struct ezn_lower_change c;
	int drop_sgid, err;

	if (ezn_xattr_hidden(name))
		return -EPERM;
	/*
	 * The VFS leaves system.* names (POSIX ACLs) to the filesystem, and the
	 * lower one would ask the mounter: as on any filesystem, only the owner
	 * (or CAP_FOWNER) may change them.
	 */
	if (!strncmp(name, XATTR_SYSTEM_PREFIX, XATTR_SYSTEM_PREFIX_LEN) &&
	    !inode_owner_or_capable(&init_user_ns, inode))
		return -EPERM;
	err = ezn_acl_check(dentry, value ? EZN_OP_SETXATTR : EZN_OP_REMOVEXATTR);
	if (err)
		return err;
	/* After the access check: its answer tells whether the bit is set. */
	drop_sgid = ezn_acl_drops_sgid(inode, name, value, size);
	if (drop_sgid < 0)
		return drop_sgid;
	err = ezn_lower_change_begin(inode->i_sb, EZN_MOUNTER_IDS, &c);
	if (err)
		return err;
	if (drop_sgid)
		err = ezn_lower_notify_change(lower, &kill_sgid);
	if (!err)
		err = value ? vfs_setxattr(&init_user_ns, lower, name, value, size, flags) :
			      vfs_removexattr(&init_user_ns, lower, name);
	ezn_lower_change_end(&c);
	/* ACLs change the mode; every change moves ctime. */
	inode->i_mode = d_inode(lower)->i_mode;
	inode->i_ctime = d_inode(lower)->i_ctime;
	return err;
}

static const struct xattr_handler ezn_xattr_handler = {
	.prefix	= "",	/* every name */
	.get	= ezn_xattr_get,
	.set	= ezn_xattr_set,
};

const struct xattr_handler *ezn_xattr_handlers[] = {
	&ezn_xattr_handler,
	NULL
};

static const struct inode_operations ezn_dir_iops = {
	.lookup		= ezn_lookup,
	.create		= ezn_create,
	.tmpfile	= ezn_tmpfile,
	.link		= ezn_link,
	.unlink		= ezn_unlink,
	.symlink	= ezn_symlink,
	.mkdir		= ezn_mkdir,
	.rmdir		= ezn_rmdir,
	.mknod		= ezn_mknod,
	.rename		= ezn_rename,
	.permission	= ezn_permission,
	.setattr	= ezn_setattr,
	.getattr	= ezn_getattr,
	.listxattr	= ezn_listxattr,
	.get_acl	= ezn_get_acl,
};

/* Regular files and special files (devices, fifos, sockets) alike. */
static const struct inode_operations ezn_file_iops = {
	.permission	= ezn_permission,
	.setattr	= ezn_setattr,
	.getattr	= ezn_getattr,
	.listxattr	= ezn_listxattr,
	.get_acl	= ezn_get_acl,
};

static const struct inode_operations ezn_symlink_iops = {
	.get_link	= ezn_get_link,
	.permission	= ezn_permission,
	.setattr	= ezn_setattr,
	.getattr	= ezn_getattr,
	.listxattr	= ezn_listxattr,
};
