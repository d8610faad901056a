// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs address space operations: the upper inode's page cache holds
 * the cleartext, one 4 KiB block per page (no large folios). read_folio and
 * readahead decrypt blocks from the lower file; writepages encrypts dirty
 * pages into it; write_begin/write_end serve buffered writes (and, through
 * generic_file_write_iter, O_DIRECT writes, which are buffered here). mmap
 * uses the generic filemap fault and page_mkwrite paths on top of these.
 *
 * Locking: every entry point here is called with the folio locked (write
 * paths with the upper i_rwsem or, for faults, the invalidate lock held by
 * the caller); io_rwsem is taken inside the folio lock (ezncryptfs.h).
 * Writeback reads i_size under io_rwsem so that a concurrent truncate either
 * happens wholly before (the page is beyond EOF and skipped, or written at
 * its new length) or wholly after (the lower resize re-seals).
 */
#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>
#include <linux/highmem.h>
#include <linux/mm.h>

#include "ezncryptfs.h"

static int ezn_fill_page(struct inode *inode, struct page *page, struct page *cipher)
{
	const struct cred *old;
	int err;

	old = ezn_override_creds(inode->i_sb);
	err = ezn_lower_read_block(inode, page->index, page, cipher);
	revert_creds(old);
	return err;
}

static int ezn_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	struct page *cipher;
	int err = -ENOMEM;

	cipher = alloc_page(GFP_NOFS);
	if (cipher) {
		err = ezn_fill_page(inode, &folio->page, cipher);
		__free_page(cipher);
	}
	if (!err) {
		folio_mark_uptodate(folio);
		ezn_lower_drop_cache(inode, folio_pos(folio), folio_pos(folio));
	}
	folio_unlock(folio);
	return err;
}

static void ezn_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	loff_t start = readahead_pos(rac);
	loff_t end = start + readahead_length(rac) - 1;
	struct folio *folio;
	struct page *cipher;

	/* Without a bounce page, leave the pages to read_folio. */
	cipher = alloc_page(GFP_NOFS | __GFP_NORETRY | __GFP_NOWARN);
	if (!cipher)
		return;
	while ((folio = readahead_folio(rac))) {
		if (!ezn_fill_page(inode, &folio->page, cipher))
			folio_mark_uptodate(folio);
		folio_unlock(folio);
	}
	__free_page(cipher);
	ezn_lower_drop_cache(inode, start, end);
}

struct ezn_wb_ctx {
	struct page *cipher;
	pgoff_t first;
	pgoff_t last;
	bool wrote;
};

static int ezn_writepage_locked(struct page *page, struct writeback_control *wbc, void *data)
{
	struct ezn_wb_ctx *ctx = data;
	struct inode *inode = page->mapping->host;
	struct ezn_inode_info *ei = EZN_I(inode);
	loff_t pos = page_offset(page);
	unsigned int len;
	loff_t size;
	int err;

	down_write(&ei->io_rwsem);
	size = i_size_read(inode);
	if (pos >= size) {
		/* Past EOF after a truncate: truncate_pagecache() removes it. */
		up_write(&ei->io_rwsem);
		unlock_page(page);
		return 0;
	}
	len = min_t(loff_t, PAGE_SIZE, size - pos);
	/* What an mmap wrote past EOF is not file data. */
	if (len < PAGE_SIZE)
		zero_user_segment(page, len, PAGE_SIZE);
	set_page_writeback(page);
	unlock_page(page);
	err = ezn_lower_write_block(inode, page->index, page, len, ctx->cipher);
	up_write(&ei->io_rwsem);
	if (err == -EINTR && fatal_signal_pending(current)) {
		/*
		 * The lower filesystem does not write for a task being killed
		 * (generic_perform_write()). Nothing is lost: the page stays
		 * dirty for the flusher, and no error reaches the mapping.
		 */
		lock_page(page);
		redirty_page_for_writepage(wbc, page);
		unlock_page(page);
		end_page_writeback(page);
		return 0;
	}
	if (err) {
		mapping_set_error(page->mapping, err);
		pr_warn_ratelimited("inode %lu block %lu: writeback to the lower file failed: error %d\n",
				    inode->i_ino, page->index, err);
	} else {
		if (!ctx->wrote || page->index < ctx->first)
			ctx->first = page->index;
		if (!ctx->wrote || page->index > ctx->last)
			ctx->last = page->index;
		ctx->wrote = true;
	}
	end_page_writeback(page);
	return err;
}

static int ezn_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct ezn_wb_ctx ctx = {};
	const struct cred *old;
	int err;

	ctx.cipher = alloc_page(GFP_NOFS);
	if (!ctx.cipher)
		return -ENOMEM;
	old = ezn_override_creds(inode->i_sb);
	err = write_cache_pages(mapping, wbc, ezn_writepage_locked, &ctx);
	/* Written: drop the lower copies once they are on the lower storage. */
	if (ctx.wrote)
		ezn_lower_written(inode, ctx.first, ctx.last);
	revert_creds(old);
	__free_page(ctx.cipher);
	return err;
}

/*
 * Buffered write into one page. A page that is not up to date is read from
 * the lower file first unless the write covers it wholly or it lies wholly
 * past EOF (then the rest is zeroed). Called with the upper i_rwsem held.
 */
static int ezn_write_begin(struct file *file, struct address_space *mapping, loff_t pos,
			   unsigned int len, struct page **pagep, void **fsdata)
{
	struct inode *inode = mapping->host;
	unsigned int from = pos & (PAGE_SIZE - 1);
	struct page *page, *cipher;
	int err;

	page = grab_cache_page_write_begin(mapping, pos >> PAGE_SHIFT);
	if (!page)
		return -ENOMEM;
	*pagep = page;
	if (PageUptodate(page) || len == PAGE_SIZE)
		return 0;
	if (page_offset(page) >= i_size_read(inode)) {
		zero_user_segments(page, 0, from, from + len, PAGE_SIZE);
		return 0;
	}
	err = -ENOMEM;
	cipher = alloc_page(GFP_NOFS);
	if (cipher) {
		err = ezn_fill_page(inode, page, cipher);
		__free_page(cipher);
	}
	if (err) {
		unlock_page(page);
		put_page(page);
		return err;
	}
	SetPageUptodate(page);
	return 0;
}

static int ezn_write_end(struct file *file, struct address_space *mapping, loff_t pos,
			 unsigned int len, unsigned int copied, struct page *page, void *fsdata)
{
	struct inode *inode = mapping->host;

	if (!PageUptodate(page)) {
		/* Only whole-page or past-EOF writes get here: all or nothing. */
		if (copied < len) {
			copied = 0;
			goto out;
		}
		SetPageUptodate(page);
	}
	/* i_rwsem and the page lock are held: i_size only grows here. */
	if (pos + copied > inode->i_size)
		i_size_write(inode, pos + copied);
	set_page_dirty(page);
out:
	unlock_page(page);
	put_page(page);
	return copied;
}

const struct address_space_operations ezn_aops = {
	.dirty_folio	= filemap_dirty_folio,
	.read_folio	= ezn_read_folio,
	.readahead	= ezn_readahead,
	.writepages	= ezn_writepages,
	.write_begin	= ezn_write_begin,
	.write_end	= ezn_write_end,
	/* Makes O_DIRECT opens succeed; file.c serves them buffered. */
	.direct_IO	= noop_direct_IO,
	.migrate_folio	= filemap_migrate_folio,
};
