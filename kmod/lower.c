// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs lower file I/O: the lower file of each regular upper inode, its
 * header, and the block layout of ezn_format.h.
 *
 * Each upper inode that was opened (or truncated) has one lower struct file,
 * opened with the mounter's credentials, read-write when the lower allows
 * it. It lives until the upper inode is evicted, so writeback after the last
 * close still has it. Whole data blocks move by direct I/O where the lower
 * filesystem takes it (ext4, xfs), so they never enter its page cache. The
 * rest is buffered (kernel_read/kernel_write, vfs_iter_read/vfs_iter_write):
 * the header, the metadata entries (28 bytes inside a shared block), the
 * short last block of a file, and everything on a lower without direct I/O
 * (tmpfs, where the page cache is the storage itself and nothing is dropped).
 * Double caching of those is avoided by dropping the lower data pages once
 * they are safely written (writeback waits for the lower writeback of the
 * range it wrote, then drops it) or as soon as they have been decrypted
 * (reads), with POSIX_FADV_DONTNEED semantics (vfs_fadvise()). Metadata
 * blocks (one in 147 lower blocks) stay cached, except on a lower with large
 * folios (xfs).
 *
 * Invariants of the lower file, kept under ezn_inode_info.io_rwsem held
 * exclusively by every function here that changes it (see ezncryptfs.h):
 *
 *  1. its size is ezn_lower_size() of a cleartext size (or 0: no header yet);
 *  2. every data block is sealed with exactly the length that size gives it,
 *     so a change of size re-seals the block whose length it changes (the
 *     old or new partial last block) before or with the size change;
 *  3. the metadata entries of blocks at or beyond the end of the file are
 *     zero, so growing the file again turns them into holes, not into
 *     blocks that fail to authenticate.
 *
 * A change of size that fails half way (an I/O error, ENOMEM, a killed
 * caller) is undone from the cleartext it kept (struct ezn_reseal): the call
 * fails and the file reads as it did before it. Only a lower truncate that
 * itself fails half way (ext4 sets the size before it frees the blocks)
 * leaves blocks that no longer authenticate: EIO, never wrong data.
 *
 * Within one block update the data is written before its metadata entry: a
 * crash in between leaves a block that fails authentication (or, for a block
 * that was a hole, a hole), never wrong data.
 */
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/fadvise.h>
#include <linux/backing-dev.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/uio.h>

#include "ezncryptfs.h"
#include "crypto.h"

long long ezn_lower_clear_size(const struct inode *lower_inode)
{
	loff_t size = i_size_read(lower_inode);

	/* No header yet (a new file not written to, FORMAT.md): an empty file. */
	return size ? ezn_clear_size(size) : 0;
}

/*
 * Write access to the lower filesystem for a change made with an upper
 * inode's i_rwsem held: page I/O and resizes under setattr, attribute and
 * xattr changes. mnt_want_write() or kernel_write() would make lockdep order
 * the lower sb_writers after the upper i_rwsem, while 6.1's splice into a
 * lower file orders them the other way round (sb_writers, then the pipe, then
 * ->write_iter's i_rwsem): a freeze of the lower filesystem racing both could
 * deadlock. Freeze protection is therefore taken with a trylock, which orders
 * nothing, and waited for only while a freeze is in progress. The mount's
 * read-only state is checked; a concurrent remount read-only is not excluded,
 * the lower filesystem's own sb_rdonly() checks still apply.
 */
int ezn_lower_write_begin(struct vfsmount *mnt)
{
	if (__mnt_is_readonly(mnt))
		return -EROFS;
	if (!sb_start_write_trylock(mnt->mnt_sb))
		sb_start_write(mnt->mnt_sb);
	return 0;
}

void ezn_lower_write_end(struct vfsmount *mnt)
{
	sb_end_write(mnt->mnt_sb);
}

/* Change @lower's attributes; the caller holds the lower write access. */
int ezn_lower_notify_change(struct dentry *lower, struct iattr *ia)
{
	int err;

	inode_lock(d_inode(lower));
	err = notify_change(&init_user_ns, lower, ia, NULL);
	inode_unlock(d_inode(lower));
	return err;
}

/* How ezn_lower_io() moves data: a write takes the lower write access itself. */
enum ezn_io { EZN_IO_READ, EZN_IO_WRITE };

/* Read or write exactly @len bytes at @pos of the lower file. */
static int ezn_lower_io(struct file *f, void *buf, size_t len, loff_t pos, enum ezn_io io)
{
	int err = 0;

	if (io == EZN_IO_WRITE) {
		err = ezn_lower_write_begin(f->f_path.mnt);
		if (err)
			return err;
	}
	while (len) {
		ssize_t n;

		if (io == EZN_IO_READ)
			n = kernel_read(f, buf, len, &pos);
		else
			n = __kernel_write(f, buf, len, &pos);

		if (n <= 0) {
			/* 0: a short lower file, or a write that made no progress */
			err = n ? n : -EIO;
			break;
		}
		buf += n;
		len -= n;
	}
	if (io == EZN_IO_WRITE)
		ezn_lower_write_end(f->f_path.mnt);
	return err;
}

static int ezn_lower_data_io(struct file *f, struct bio_vec *bv, unsigned int nr, size_t len,
			     loff_t pos, bool write, bool *cached);

/*
 * One data block (or the short last one) of @len bytes at @pos, from or to
 * @page; @cached as for ezn_lower_data_io().
 */
static int ezn_lower_page_io(struct file *f, struct page *page, size_t len, loff_t pos,
			     bool write, bool *cached)
{
	struct bio_vec bv = { .bv_page = page, .bv_len = len };

	return ezn_lower_data_io(f, &bv, 1, len, pos, write, cached);
}

/*
 * Read and authenticate the header of @f, an existing lower file of @inode,
 * and give its file key in @fk.
 */
static int ezn_lower_header_open(struct inode *inode, struct file *f, struct ezn_file_key **fk)
{
	u8 *hdr;
	int err;

	hdr = kmalloc(EZN_HEADER_SIZE, GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	/* Out of memory is not damage: report it as it is, and log nothing. */
	err = ezn_lower_io(f, hdr, EZN_HEADER_SIZE, 0, EZN_IO_READ);
	if (err && err != -ENOMEM) {
		pr_warn_ratelimited("header of %pD (ino %lu): cannot be read: error %d\n",
				    f, inode->i_ino, err);
		err = -EIO;
	}
	if (err)
		goto free_hdr;
	err = ezn_key_set_header_open(&EZN_SB(inode->i_sb)->keys, hdr, fk);
	if (err && err != -ENOMEM) {
		pr_warn_ratelimited("header of %pD (ino %lu): %s (error %d)\n", f, inode->i_ino,
				    err == -EPROTONOSUPPORT ? "has an unknown format version" :
				    "authentication failed, damaged or wrapped by another key",
				    err);
		err = -EIO;
	}
free_hdr:
	kfree(hdr);
	return err;
}

/*
 * Set up the lower file of @inode: take @f (ownership passes to us, even on
 * error), then read and authenticate its header; or, for a new file (@create)
 * or an empty lower file (created directly in the lower directory, or here by
 * a file whose first write never reached it), draw a new file key whose
 * header waits for the first lower write (ezn_inode_info.new_header). Called
 * with lower_mutex held and the mounter's credentials.
 */
static int ezn_lower_file_setup(struct inode *inode, struct file *f, bool create)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	struct ezn_file_key *fk = NULL;
	int err;

	if (create || i_size_read(file_inode(f)) == 0) {
		if (!(f->f_mode & FMODE_WRITE)) {
			/* An empty file on a read-only lower: readable, no key needed. */
			if (!create)
				goto publish;
			err = -EROFS;
			goto put_file;
		}
		/* Its header goes out with its first lower write. */
		ei->new_header = kmalloc(sizeof(*ei->new_header), GFP_KERNEL);
		if (!ei->new_header) {
			err = -ENOMEM;
			goto put_file;
		}
		err = ezn_header_new_key(ei->new_header, &fk);
		if (err) {
			kfree_sensitive(ei->new_header);
			ei->new_header = NULL;
			goto put_file;
		}
	} else {
		err = ezn_lower_header_open(inode, f, &fk);
		if (err)
			goto put_file;
	}
	ei->fk = fk;
publish:
	/* Publish fk with the file: readers test lower_file without the mutex. */
	smp_store_release(&ei->lower_file, f);
	return 0;

put_file:
	fput(f);
	return err;
}

/* Give a new inode its freshly opened lower file (create, O_TMPFILE). */
int ezn_lower_file_init(struct inode *inode, struct file *lower_file)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	const struct cred *old;
	int err = 0;

	mutex_lock(&ei->lower_mutex);
	if (ei->lower_file) {
		fput(lower_file);
	} else {
		old = ezn_override_creds(inode->i_sb);
		err = ezn_lower_file_setup(inode, lower_file, true);
		ezn_revert_creds(old);
	}
	mutex_unlock(&ei->lower_mutex);
	return err;
}

/*
 * Make sure @inode has its lower file and file key; @lpath is the lower path
 * of one of its dentries. Read-write when possible, read-only when the lower
 * file or mount refuses writing.
 */
int ezn_lower_file_get(struct inode *inode, const struct path *lpath)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	const struct cred *creds = EZN_SB(inode->i_sb)->creds;
	const struct cred *old;
	struct file *f;
	int err;

	/* Pairs with the release in ezn_lower_file_setup(): fk is set too. */
	if (smp_load_acquire(&ei->lower_file))
		return 0;
	mutex_lock(&ei->lower_mutex);
	if (ei->lower_file) {
		mutex_unlock(&ei->lower_mutex);
		return 0;
	}
	old = ezn_override_creds(inode->i_sb);
	f = dentry_open(lpath, O_RDWR | O_LARGEFILE, creds);
	if (IS_ERR(f) && (PTR_ERR(f) == -EROFS || PTR_ERR(f) == -EACCES ||
			  PTR_ERR(f) == -EPERM || PTR_ERR(f) == -ETXTBSY))
		f = dentry_open(lpath, O_RDONLY | O_LARGEFILE, creds);
	if (IS_ERR(f))
		err = PTR_ERR(f);
	else
		err = ezn_lower_file_setup(inode, f, false);
	ezn_revert_creds(old);
	mutex_unlock(&ei->lower_mutex);
	return err;
}

/*
 * Drop the lower pages of data blocks @first..@last (inclusive, cleartext
 * block indexes). With @wait the range is first written and waited for, so
 * nothing unwritten is ever dropped; without it dirty pages simply stay.
 */
static void ezn_lower_drop_blocks(struct ezn_inode_info *ei, u64 first, u64 last, bool wait)
{
	struct file *f = ei->lower_file;
	loff_t start = ezn_data_block_offset(first);
	loff_t end = ezn_data_block_offset(last) + EZN_BLOCK_SIZE - 1;
	bool drained = false;
	loff_t pos, meta;

	if (!f || !mapping_can_writeback(f->f_mapping))
		return;
	/*
	 * A lower filesystem with large folios (xfs) caches folios that
	 * straddle the edges of our ranges and that no single range covers;
	 * reach back far enough to catch the ones the previous call left.
	 */
	start = max_t(loff_t, EZN_HEADER_SIZE, start - SZ_1M);
	if (wait && filemap_write_and_wait_range(f->f_mapping, start, end))
		return;	/* the error stays recorded for the lower fsync */
	/*
	 * Data blocks only: a metadata block serves the next 146 blocks' reads
	 * and writes, which would otherwise read it back from the lower
	 * storage every time (a random 4 KiB read would cost two lower reads).
	 * The first range goes through vfs_fadvise(), which also drains the
	 * per-CPU LRU lists that would keep pages from being dropped; the
	 * others (the same call's other groups) only need the dropping. With
	 * large folios a folio holding a metadata block holds data too, and
	 * nothing would drop it: there the whole range goes.
	 */
	if (mapping_large_folio_support(f->f_mapping)) {
		vfs_fadvise(f, start, end - start + 1, POSIX_FADV_DONTNEED);
		return;
	}
	for (pos = start; pos <= end; pos = meta + EZN_GROUP_LOWER_SIZE) {
		loff_t dstart, dend;

		meta = EZN_HEADER_SIZE +
		       (pos - EZN_HEADER_SIZE) / EZN_GROUP_LOWER_SIZE * EZN_GROUP_LOWER_SIZE;
		dstart = max_t(loff_t, pos, meta + EZN_BLOCK_SIZE);
		dend = min_t(loff_t, end, meta + EZN_GROUP_LOWER_SIZE - 1);
		if (dstart > dend)
			continue;
		if (!drained)
			vfs_fadvise(f, dstart, dend - dstart + 1, POSIX_FADV_DONTNEED);
		else
			invalidate_mapping_pages(f->f_mapping, dstart >> PAGE_SHIFT,
						 dend >> PAGE_SHIFT);
		drained = true;
	}
}

void ezn_lower_drop_cache(struct inode *inode, loff_t clear_start, loff_t clear_end)
{
	ezn_lower_drop_blocks(EZN_I(inode), clear_start >> EZN_BLOCK_SHIFT,
			      clear_end >> EZN_BLOCK_SHIFT, false);
}

void ezn_lower_written(struct inode *inode, pgoff_t first, pgoff_t last)
{
	ezn_lower_drop_blocks(EZN_I(inode), first, last, true);
}

static loff_t ezn_meta_pos(u64 index)
{
	return ezn_meta_block_offset(index) + ezn_meta_entry_offset(index);
}

static int ezn_read_meta(struct file *f, u64 index, u8 meta[EZN_META_ENTRY_SIZE])
{
	return ezn_lower_io(f, meta, EZN_META_ENTRY_SIZE, ezn_meta_pos(index), EZN_IO_READ);
}

static int ezn_write_meta(struct file *f, u64 index, const u8 meta[EZN_META_ENTRY_SIZE])
{
	return ezn_lower_io(f, (void *)meta, EZN_META_ENTRY_SIZE, ezn_meta_pos(index),
			    EZN_IO_WRITE);
}

static void ezn_auth_failed(struct inode *inode, u64 index, int err)
{
	pr_warn_ratelimited("block %llu of %pD (ino %lu): %s (error %d)\n", index,
			    EZN_I(inode)->lower_file, inode->i_ino,
			    err == -EBADMSG ? "authentication failed (damaged or tampered with)" :
			    "cannot be decrypted", err);
}

/*
 * Read block @index of length @len from the lower file into @clear and
 * decrypt it there (zero-filling the rest of the page). Holes read as zeroes.
 * A block that fails authentication leaves @clear zeroed: nothing unverified
 * stays in it. *@cached (if not NULL) as for ezn_lower_data_io(). Called with
 * io_rwsem held.
 */
static int ezn_open_block(struct inode *inode, u64 index, unsigned int len, struct page *clear,
			  bool *cached)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	u8 meta[EZN_META_ENTRY_SIZE];
	int err;

	err = ezn_read_meta(ei->lower_file, index, meta);
	if (err)
		return err;
	if (ezn_meta_is_hole(meta)) {
		zero_user_segment(clear, 0, PAGE_SIZE);
		return 0;
	}
	if (!ei->fk)
		return -EIO;
	err = ezn_lower_page_io(ei->lower_file, clear, len, ezn_data_block_offset(index), false,
				cached);
	if (err)
		return err;
	err = ezn_block_open(ei->fk, index, clear, clear, len, meta);
	if (err) {
		clear_highpage(clear);
		ezn_auth_failed(inode, index, err);
		return -EIO;
	}
	if (len < PAGE_SIZE)
		zero_user_segment(clear, len, PAGE_SIZE);
	return 0;
}

/* Seal @len bytes of @clear as block @index and write data, then metadata. */
static int ezn_seal_block(struct inode *inode, u64 index, unsigned int len, struct page *clear,
			  struct page *cipher)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	u8 meta[EZN_META_ENTRY_SIZE];
	int err;

	err = ezn_block_seal(ei->fk, index, clear, cipher, len, meta);
	if (err)
		return err;
	err = ezn_lower_page_io(ei->lower_file, cipher, len, ezn_data_block_offset(index), true,
				NULL);
	if (!err)
		err = ezn_write_meta(ei->lower_file, index, meta);
	memzero_explicit(meta, sizeof(meta));
	return err;
}

/*
 * Read cleartext block @index into the locked page @page. Blocks at or
 * beyond the lower file's end (not written back yet, or past EOF) read as
 * zeroes: the lower size, not i_size, says what is on disk. *@cached (may be
 * NULL) says whether the block went through the lower page cache
 * (ezn_lower_data_io()); if so, the caller drops it from there.
 */
int ezn_lower_read_block(struct inode *inode, pgoff_t index, struct page *page, bool *cached)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	loff_t pos = (loff_t)index << EZN_BLOCK_SHIFT;
	long long lsize;
	int err;

	if (!ei->lower_file)
		return -EIO;
	down_read(&ei->io_rwsem);
	lsize = ezn_lower_clear_size(ei->lower_inode);
	if (lsize < 0) {
		pr_warn_ratelimited("%pD (ino %lu): lower size %lld is not a valid ezncryptfs size\n",
				    ei->lower_file,
				    inode->i_ino, i_size_read(ei->lower_inode));
		err = -EIO;
	} else if (pos >= lsize) {
		zero_user_segment(page, 0, PAGE_SIZE);
		err = 0;
	} else {
		err = ezn_open_block(inode, index, min_t(loff_t, EZN_BLOCK_SIZE, lsize - pos),
				     page, cached);
	}
	up_read(&ei->io_rwsem);
	return err;
}

/*
 * One direct I/O call on the lower file: whole data blocks then never enter its
 * page cache, which saves a copy and the dropping (ezn_lower_drop_blocks()).
 * Returns what ->read_iter or ->write_iter returns. A lower filesystem may
 * serve the call from its page cache after all: ext4 does so for inodes that
 * cannot take direct I/O, and for reads it says so by clearing IOCB_DIRECT,
 * which sets *@cached.
 */
static ssize_t ezn_lower_direct_io(struct file *f, struct iov_iter *iter, loff_t *pos,
				   bool write, bool *cached)
{
	struct kiocb kiocb;
	ssize_t n;

	init_sync_kiocb(&kiocb, f);
	kiocb.ki_pos = *pos;
	kiocb.ki_flags |= IOCB_DIRECT | (write ? IOCB_WRITE : 0);
	n = write ? call_write_iter(f, &kiocb, iter) : call_read_iter(f, &kiocb, iter);
	if (!(kiocb.ki_flags & IOCB_DIRECT))
		*cached = true;
	if (n > 0)
		*pos = kiocb.ki_pos;
	return n;
}

/*
 * Move @len bytes of data blocks, starting at the block boundary @pos of the
 * lower file, between it and the pages of @bv (@nr of them, each a block but
 * the last). The whole blocks go by direct I/O where the lower file takes it;
 * a short last block, a lower without direct I/O (tmpfs) and a lower that
 * turns it down (-EINVAL, -ENOTBLK) go through the lower page cache, and
 * *@cached then says so: the caller drops what is left there (@cached may be
 * NULL for a single block written, a page at most, left to the lower page
 * cache's reclaim). A write's short last block alone does not set it: that
 * page is worth no synchronous write-back and drop, as it is one page per
 * file like the header and metadata pages that stay cached, and the direct
 * write of the block once it is whole invalidates it.
 * Writes take the lower write access (ezn_lower_write_begin()).
 */
static int ezn_lower_data_io(struct file *f, struct bio_vec *bv, unsigned int nr, size_t len,
			     loff_t pos, bool write, bool *cached)
{
	size_t direct = 0, rest;
	struct iov_iter iter;
	bool ignored;
	int err = 0;

	if (!cached)
		cached = &ignored;
	if (f->f_mode & FMODE_CAN_ODIRECT)
		direct = round_down(len, EZN_BLOCK_SIZE);
	rest = len - direct;
	*cached = write ? rest >= EZN_BLOCK_SIZE : rest != 0;
	iov_iter_bvec(&iter, write ? ITER_SOURCE : ITER_DEST, bv, nr, len);
	if (write) {
		err = ezn_lower_write_begin(f->f_path.mnt);
		if (err)
			return err;
	}
	if (direct) {
		iov_iter_truncate(&iter, direct);
		while (iov_iter_count(&iter)) {
			ssize_t n = ezn_lower_direct_io(f, &iter, &pos, write, cached);

			if (n == -EINVAL || n == -ENOTBLK) {
				*cached = true;
				break;
			}
			if (n <= 0) {
				err = n ? n : -EIO;
				goto out;
			}
		}
		iov_iter_reexpand(&iter, iov_iter_count(&iter) + rest);
	}
	while (iov_iter_count(&iter)) {
		ssize_t n = write ? vfs_iter_write(f, &iter, &pos, 0) :
				    vfs_iter_read(f, &iter, &pos, 0);

		if (n <= 0) {
			/* 0: a short lower file, or a write that made no progress */
			err = n ? n : -EIO;
			break;
		}
	}
out:
	if (write)
		ezn_lower_write_end(f->f_path.mnt);
	return err;
}

/*
 * Point @b->bvec[2..@nr + 1] at the first @nr of @pages (the bounce pages for
 * a write, the upper pages for a read), @len bytes in all, and return where
 * they start; bvec[0] and bvec[1] are left for a new file's header and a new
 * group's metadata block (ezn_lower_write_blocks()).
 */
static struct bio_vec *ezn_batch_bvec(struct ezn_batch *b, struct page **pages, unsigned int nr,
				      size_t len)
{
	struct bio_vec *bv = &b->bvec[2];
	unsigned int i;

	for (i = 0; i < nr; i++) {
		bv[i].bv_page = pages[i];
		bv[i].bv_offset = 0;
		bv[i].bv_len = min_t(size_t, EZN_BLOCK_SIZE, len - i * EZN_BLOCK_SIZE);
	}
	return bv;
}

/*
 * Read blocks @b->first.. (@b->nr of them, one group) into the locked upper
 * pages @b->page, as ezn_lower_read_block() does for one: one read for their
 * metadata entries and one for their data. Returns the mask of the pages
 * filled; the others are left to ->read_folio, which reports their errors.
 */
unsigned long ezn_lower_read_blocks(struct inode *inode, struct ezn_batch *b)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	loff_t pos = (loff_t)b->first << EZN_BLOCK_SHIFT;
	unsigned long ok = 0;
	unsigned int i, nr = 0;
	long long lsize;
	size_t len = 0;
	bool cached;

	if (!ei->lower_file)
		return 0;
	down_read(&ei->io_rwsem);
	lsize = ezn_lower_clear_size(ei->lower_inode);
	if (lsize < 0)
		goto out;
	/* Blocks at or beyond the lower file's end read as zeroes. */
	for (i = 0; i < b->nr; i++) {
		if (pos + ((loff_t)i << EZN_BLOCK_SHIFT) < lsize)
			continue;
		zero_user_segment(b->page[i], 0, PAGE_SIZE);
		ok |= BIT(i);
	}
	if (lsize > pos) {
		len = min_t(loff_t, lsize - pos, (loff_t)b->nr << EZN_BLOCK_SHIFT);
		nr = DIV_ROUND_UP(len, EZN_BLOCK_SIZE);
	}
	if (!nr || ezn_lower_io(ei->lower_file, b->meta, nr * EZN_META_ENTRY_SIZE,
				ezn_meta_pos(b->first), EZN_IO_READ))
		goto out;
	if (!ei->fk)
		goto holes;
	if (ezn_lower_data_io(ei->lower_file, ezn_batch_bvec(b, b->page, nr, len), nr, len,
			      ezn_data_block_offset(b->first),
			      false, &cached))
		goto out;
	b->cached |= cached;
	/* A hole's length is 0: ezn_blocks_open() skips it. */
	for (i = 0; i < nr; i++) {
		b->len[i] = min_t(size_t, EZN_BLOCK_SIZE, len - i * EZN_BLOCK_SIZE);
		if (ezn_meta_is_hole(b->meta + i * EZN_META_ENTRY_SIZE))
			b->len[i] = 0;
	}
	ezn_blocks_open(ei->fk, b->first, nr, b->page, b->page, b->len, b->meta, b->err);
	for (i = 0; i < nr; i++) {
		if (b->err[i]) {
			clear_highpage(b->page[i]);
			ezn_auth_failed(inode, b->first + i, b->err[i]);
			continue;
		}
		if (b->len[i] < PAGE_SIZE)
			zero_user_segment(b->page[i], b->len[i], PAGE_SIZE);
		ok |= BIT(i);
	}
	goto out;
holes:
	/* No file key: only holes can be read (ezn_open_block()). */
	for (i = 0; i < nr; i++) {
		if (ezn_meta_is_hole(b->meta + i * EZN_META_ENTRY_SIZE)) {
			zero_user_segment(b->page[i], 0, PAGE_SIZE);
			ok |= BIT(i);
		}
	}
out:
	up_read(&ei->io_rwsem);
	return ok;
}

static int ezn_lower_truncate(struct ezn_inode_info *ei, loff_t lower_size)
{
	struct iattr ia = {
		.ia_valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME,
		.ia_size = lower_size,
	};
	struct dentry *lower = ei->lower_file->f_path.dentry;
	int err;

	/* Called under the upper i_rwsem: see ezn_lower_write_begin(). */
	err = ezn_lower_write_begin(ei->lower_file->f_path.mnt);
	if (err)
		return err;
	err = ezn_lower_notify_change(lower, &ia);
	ezn_lower_write_end(ei->lower_file->f_path.mnt);
	return err;
}

/*
 * What a resize (or a write past a partial last block) changes before the
 * lower size does: the block whose length changes, re-sealed (invariant 2),
 * and the metadata entries zeroed past the new end (invariant 3). Kept until
 * the lower size has changed too, so that a failure on the way (an I/O
 * error, ENOMEM, a full journal) puts the file back as it was: the call
 * fails and the file still reads as before it, not with a block that no
 * longer authenticates.
 */
struct ezn_reseal {
	struct inode *inode;
	struct page *cipher;	/* bounce page for the seals */
	loff_t lower_size;	/* the lower file's size before the change */
	struct page *clear;	/* the re-sealed block's cleartext, or NULL */
	u64 index;		/* that block */
	unsigned int old_len;	/* and its length before */
	u8 *meta;		/* the zeroed entries as they were, or NULL */
	u64 meta_first;
	size_t meta_len;
};

static void ezn_reseal_start(struct ezn_reseal *r, struct inode *inode, struct page *cipher)
{
	*r = (struct ezn_reseal){ .inode = inode, .cipher = cipher };
	r->lower_size = i_size_read(EZN_I(inode)->lower_inode);
}

/*
 * Re-seal block @index, currently @old_len bytes long, at @new_len bytes
 * (the bytes added are zeroes), keeping its cleartext in @r. A hole stays a
 * hole. A failure before the seal's writes changes nothing.
 */
static int ezn_reseal(struct ezn_reseal *r, u64 index, unsigned int old_len,
		      unsigned int new_len)
{
	struct ezn_inode_info *ei = EZN_I(r->inode);
	u8 meta[EZN_META_ENTRY_SIZE];
	struct page *clear;
	int err;

	err = ezn_read_meta(ei->lower_file, index, meta);
	if (err || ezn_meta_is_hole(meta))
		return err;
	clear = alloc_page(GFP_NOFS);
	if (!clear)
		return -ENOMEM;
	err = ezn_open_block(r->inode, index, old_len, clear, NULL);
	if (err) {
		__free_page(clear);
		return err;
	}
	r->clear = clear;
	r->index = index;
	r->old_len = old_len;
	return ezn_seal_block(r->inode, index, new_len, clear, r->cipher);
}

/* Put back what ezn_reseal() and ezn_zero_meta() changed, and the lower size. */
static int ezn_reseal_restore(void *arg)
{
	struct ezn_reseal *r = arg;
	struct ezn_inode_info *ei = EZN_I(r->inode);
	int err = 0;

	if (i_size_read(ei->lower_inode) != r->lower_size)
		err = ezn_lower_truncate(ei, r->lower_size);
	if (!err && r->meta)
		err = ezn_lower_io(ei->lower_file, r->meta, r->meta_len,
				   ezn_meta_pos(r->meta_first), EZN_IO_WRITE);
	if (!err && r->clear)
		err = ezn_seal_block(r->inode, r->index, r->old_len, r->clear, r->cipher);
	return err;
}

/*
 * After a failed change: put the file back (in a worker, so that a caller
 * being killed, whose lower writes fail, still restores it), then forget the
 * cleartext. @err is the change's error, which is returned.
 */
static int ezn_reseal_end(struct ezn_reseal *r, int err)
{
	struct ezn_inode_info *ei = EZN_I(r->inode);
	int undo;

	if (err && (r->clear || r->meta || i_size_read(ei->lower_inode) != r->lower_size)) {
		undo = ezn_lower_call_unkillable(r->inode->i_sb, ezn_reseal_restore, r);
		if (undo)
			pr_warn_ratelimited("%pD (ino %lu): a failed change of size (error %d) could not be undone: error %d\n",
					    ei->lower_file, r->inode->i_ino, err, undo);
	}
	if (r->clear) {
		clear_highpage(r->clear);
		__free_page(r->clear);
	}
	kfree(r->meta);
	return err;
}

static int ezn_writable(struct inode *inode)
{
	struct ezn_inode_info *ei = EZN_I(inode);

	if (!ei->lower_file || !ei->fk)
		return -EIO;
	if (!(ei->lower_file->f_mode & FMODE_WRITE))
		return -EROFS;
	return 0;
}

/*
 * Seal @inode's pending header (ezn_inode_info.new_header) under the master
 * key current now into @hdr: a key rotation that began before this call
 * finds the header on disk when it walks the lower directory, one that begins
 * after it wraps it again. Called with io_rwsem held exclusively.
 */
static int ezn_pending_header_seal(struct inode *inode, u8 hdr[EZN_HEADER_SIZE])
{
	struct ezn_master_key *mk = ezn_key_set_current(&EZN_SB(inode->i_sb)->keys);
	int err;

	err = ezn_header_seal(mk, EZN_I(inode)->new_header, hdr);
	ezn_master_key_put(mk);
	return err;
}

/*
 * The write that was to carry the pending header is done: on success the key
 * material is forgotten; on failure the lower file is cut back to empty (an
 * empty file, still) in case part of the write reached it, and the header
 * stays pending for the next attempt.
 */
static int ezn_pending_header_done(struct ezn_inode_info *ei, int err)
{
	if (!err) {
		kfree_sensitive(ei->new_header);
		ei->new_header = NULL;
	} else if (i_size_read(ei->lower_inode)) {
		ezn_lower_truncate(ei, 0);
	}
	return err;
}

/* Write the pending header on its own, before a lower write that cannot carry it. */
static int ezn_pending_header_write(struct inode *inode)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	u8 *hdr;
	int err;

	if (!ei->new_header)
		return 0;
	hdr = kmalloc(EZN_HEADER_SIZE, GFP_NOFS);
	if (!hdr)
		return -ENOMEM;
	err = ezn_pending_header_seal(inode, hdr);
	if (!err)
		err = ezn_lower_io(ei->lower_file, hdr, EZN_HEADER_SIZE, 0, EZN_IO_WRITE);
	kfree(hdr);
	return ezn_pending_header_done(ei, err);
}

/*
 * A new file's first run, in front of its metadata block (which must be going
 * out in the same write): the pending header in a page, or NULL when there is
 * no page at hand (the header is then written on its own).
 */
static struct page *ezn_pending_header_page(struct inode *inode)
{
	struct page *page;

	page = alloc_page(GFP_NOFS | __GFP_NORETRY | __GFP_NOWARN);
	if (page && ezn_pending_header_seal(inode, page_address(page))) {
		__free_page(page);
		page = NULL;
	}
	return page;
}

/*
 * A run that starts a group the lower file does not reach yet (a new file's
 * first blocks, an append crossing into a new group) is written with its
 * whole metadata block in front, in one write: the block built in a zeroed
 * page, the run's entries set and the rest holes. That saves a buffered
 * write of the entries and its later write-back, and keeps the group in one
 * lower extent. Nothing of the group exists before the write, and the lower
 * size covers a block only once the write has put it, entry first, on the
 * storage, so a crash still leaves no block that reads as wrong data.
 * Returns that page, or NULL when the run does not qualify or no page is at
 * hand (its entries are then written on their own).
 */
static struct page *ezn_new_group_meta(struct ezn_inode_info *ei, const struct ezn_batch *b,
				       long long lsize)
{
	struct page *meta;

	/*
	 * Not for a run of one short block: the direct write would stop at the
	 * end of the metadata block, a lower size that maps to no cleartext
	 * size, until the short block's buffered write reaches the storage.
	 */
	if (b->first % EZN_BLOCKS_PER_GROUP || lsize > ((loff_t)b->first << EZN_BLOCK_SHIFT) ||
	    b->len[0] < EZN_BLOCK_SIZE || !(ei->lower_file->f_mode & FMODE_CAN_ODIRECT))
		return NULL;
	meta = alloc_page(GFP_NOFS | __GFP_NORETRY | __GFP_NOWARN | __GFP_ZERO);
	if (meta)
		memcpy(page_address(meta), b->meta, b->nr * EZN_META_ENTRY_SIZE);
	return meta;
}

/*
 * Write cleartext blocks @b->first.. (@b->nr of them, one group, @b->len[]
 * bytes of @b->page[] each, only the last one possibly short) to the lower
 * file, using @b->cipher[] as bounce pages: all sealed first, then one write
 * for their data and one for their metadata entries, in that order (a crash
 * in between leaves blocks that fail to authenticate, never wrong data), or
 * both in one write when the run starts a new group (ezn_new_group_meta()).
 * A new file's pending header goes in front of its first group in that same
 * write, or on its own before a write that does not start the first group.
 * When the write extends the file past a partial last block, that block is
 * first re-sealed at full length (invariant 2). Called with io_rwsem held
 * exclusively and the mounter's credentials; the lengths come from i_size
 * read under io_rwsem.
 */
int ezn_lower_write_blocks(struct inode *inode, struct ezn_batch *b)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	loff_t pos = (loff_t)b->first << EZN_BLOCK_SHIFT, lpos;
	struct page *meta, *hdr = NULL;
	struct bio_vec *bv;
	unsigned int i;
	long long lsize;
	size_t len = 0;
	bool cached;
	u64 last;
	int err;

	err = ezn_writable(inode);
	if (err)
		return err;
	lsize = ezn_lower_clear_size(ei->lower_inode);
	if (lsize < 0)
		return -EIO;
	last = lsize >> EZN_BLOCK_SHIFT;
	if ((lsize & (EZN_BLOCK_SIZE - 1)) && b->first > last) {
		struct ezn_reseal r;

		ezn_reseal_start(&r, inode, b->cipher[0]);
		err = ezn_reseal(&r, last, lsize & (EZN_BLOCK_SIZE - 1), EZN_BLOCK_SIZE);
		err = ezn_reseal_end(&r, err);
		if (err)
			return err;
	}
	for (i = 0; i < b->nr; i++) {
		loff_t bpos = pos + ((loff_t)i << EZN_BLOCK_SHIFT);

		/*
		 * A block that already exists keeps at least its length: a
		 * shorter one than the lower file gives it would break
		 * invariant 2. i_size never drops below the lower size outside
		 * ezn_lower_resize(), which holds io_rwsem, so this only guards
		 * against a bug; so does the first test.
		 */
		if (WARN_ON_ONCE(i + 1 < b->nr && b->len[i] != EZN_BLOCK_SIZE))
			return -EIO;
		if (bpos < lsize && b->len[i] < min_t(loff_t, EZN_BLOCK_SIZE, lsize - bpos))
			return -EIO;
		len += b->len[i];
	}
	err = ezn_blocks_seal(ei->fk, b->first, b->nr, b->page, b->cipher, b->len, b->meta, b->err);
	if (err)
		goto out;
	bv = ezn_batch_bvec(b, b->cipher, b->nr, len);
	lpos = ezn_data_block_offset(b->first);
	meta = ezn_new_group_meta(ei, b, lsize);
	if (meta) {
		/* The metadata block sits right before the group's first block. */
		bvec_set_page(--bv, meta, EZN_BLOCK_SIZE, 0);
		lpos -= EZN_BLOCK_SIZE;
		len += EZN_BLOCK_SIZE;
	}
	if (ei->new_header) {
		/* The header sits right before the first group's metadata block. */
		if (meta && lpos == EZN_HEADER_SIZE)
			hdr = ezn_pending_header_page(inode);
		if (hdr) {
			bvec_set_page(--bv, hdr, EZN_HEADER_SIZE, 0);
			lpos -= EZN_HEADER_SIZE;
			len += EZN_HEADER_SIZE;
		} else {
			err = ezn_pending_header_write(inode);
			if (err)
				goto free_meta;
		}
	}
	err = ezn_lower_data_io(ei->lower_file, bv, b->nr + !!meta + !!hdr, len, lpos, true,
				&cached);
	b->cached |= cached;
	if (hdr) {
		ezn_pending_header_done(ei, err);
		__free_page(hdr);
	}
free_meta:
	if (meta)
		__free_page(meta);
	else if (!err)
		err = ezn_lower_io(ei->lower_file, b->meta, b->nr * EZN_META_ENTRY_SIZE,
				   ezn_meta_pos(b->first), EZN_IO_WRITE);
out:
	memzero_explicit(b->meta, sizeof(b->meta));
	return err;
}

/*
 * Zero the metadata entries of blocks @first.. up to the end of their group
 * or block @end (exclusive), whichever comes first (invariant 3), keeping
 * them in @r.
 */
static int ezn_zero_meta(struct ezn_reseal *r, u64 first, u64 end)
{
	u64 group_end = (first / EZN_BLOCKS_PER_GROUP + 1) * EZN_BLOCKS_PER_GROUP;
	struct file *f = EZN_I(r->inode)->lower_file;
	size_t len;
	u8 *buf;
	int err;

	end = min(end, group_end);
	if (first >= end)
		return 0;
	len = (end - first) * EZN_META_ENTRY_SIZE;
	buf = kmalloc(2 * len, GFP_NOFS);
	if (!buf)
		return -ENOMEM;
	err = ezn_lower_io(f, buf, len, ezn_meta_pos(first), EZN_IO_READ);
	if (err) {
		kfree(buf);
		return err;
	}
	r->meta = buf;
	r->meta_first = first;
	r->meta_len = len;
	memset(buf + len, 0, len);
	return ezn_lower_io(f, buf + len, len, ezn_meta_pos(first), EZN_IO_WRITE);
}

/* Length of block @index in a file of @size cleartext bytes (it exists). */
static unsigned int ezn_block_len(loff_t size, u64 index)
{
	return min_t(loff_t, EZN_BLOCK_SIZE, size - (index << EZN_BLOCK_SHIFT));
}

/*
 * Resize the lower file for a cleartext size of @size, keeping the three
 * invariants. Called from setattr with the upper i_rwsem, the invalidate
 * lock and io_rwsem (exclusive) held; runs with the mounter's credentials.
 */
int ezn_lower_resize(struct inode *inode, loff_t size)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	unsigned int old_tail, new_tail;
	const struct cred *old;
	struct ezn_reseal r;
	struct page *cipher;
	long long lsize;
	u64 j, old_blocks, new_blocks;
	int err;

	err = ezn_writable(inode);
	if (err)
		return err;
	lsize = ezn_lower_clear_size(ei->lower_inode);
	if (lsize < 0)
		return -EIO;
	if (size == lsize)
		return 0;
	cipher = alloc_page(GFP_KERNEL);
	if (!cipher)
		return -ENOMEM;
	old = ezn_override_creds(inode->i_sb);
	/*
	 * A new file's first lower write may find the lower filesystem full
	 * while deleted files are being released; a failed one leaves the file
	 * empty, so it can go again. The writes below are over blocks the file
	 * has (a partial last block grows within its filesystem block where
	 * those are 4 KiB), and the lower truncate frees or leaves a hole.
	 */
	err = ezn_pending_header_write(inode);
	if (ezn_release_retry(inode->i_sb, err))
		err = ezn_pending_header_write(inode);
	if (err)
		goto revert;

	ezn_reseal_start(&r, inode, cipher);
	old_tail = lsize & (EZN_BLOCK_SIZE - 1);
	new_tail = size & (EZN_BLOCK_SIZE - 1);
	old_blocks = DIV_ROUND_UP_ULL(lsize, EZN_BLOCK_SIZE);
	new_blocks = DIV_ROUND_UP_ULL(size, EZN_BLOCK_SIZE);
	if (size > lsize) {
		/* The old partial last block grows (to full length if it is not last). */
		j = lsize >> EZN_BLOCK_SHIFT;
		if (old_tail)
			err = ezn_reseal(&r, j, old_tail, ezn_block_len(size, j));
	} else {
		/* The new last block shrinks; entries past the end become zero. */
		j = size >> EZN_BLOCK_SHIFT;
		if (new_tail)
			err = ezn_reseal(&r, j, ezn_block_len(lsize, j), new_tail);
		if (!err && new_blocks % EZN_BLOCKS_PER_GROUP)
			err = ezn_zero_meta(&r, new_blocks, old_blocks);
	}
	if (!err)
		err = ezn_lower_truncate(ei, ezn_lower_size(size));
	err = ezn_reseal_end(&r, err);
	if (!err)
		ezn_lower_drop_blocks(ei, j, j, true);
revert:
	ezn_revert_creds(old);
	__free_page(cipher);
	return err;
}
