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
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "ezncryptfs.h"

/* Read one block into @page; a copy it left in the lower page cache is dropped. */
static int ezn_fill_page(struct inode *inode, struct page *page)
{
	const struct cred *old;
	bool cached = false;
	int err;

	old = ezn_override_creds(inode->i_sb);
	err = ezn_lower_read_block(inode, page->index, page, &cached);
	ezn_revert_creds(old);
	if (cached)
		ezn_lower_drop_cache(inode, page_offset(page), page_offset(page));
	return err;
}

static int ezn_read_folio(struct file *file, struct folio *folio)
{
	struct inode *inode = folio->mapping->host;
	int err;

	err = ezn_fill_page(inode, &folio->page);
	if (!err)
		folio_mark_uptodate(folio);
	folio_unlock(folio);
	return err;
}

/*
 * A batch of pages, with the work item that reads it when the reader does not
 * wait for it (readahead; writeback uses the batch alone). Blocks are read into
 * the upper pages and decrypted in place: a read needs no bounce pages. The
 * pages are locked, which keeps the inode (and so its super block and lower
 * file) alive until the last one is unlocked.
 */
struct ezn_io_req {
	struct work_struct work;
	struct inode *inode;
	struct ezn_batch b;
};

/*
 * Requests come from a slab cache exempt from init_on_alloc
 * (ezn_uncleared_cache_create()), which cleared kmalloc's 4 KiB object on
 * every random read (the callers set every field they read). A request holds
 * page pointers, lengths and the blocks' nonces and tags: nothing secret.
 */
static struct kmem_cache *ezn_io_req_cache;

/*
 * Reads ahead of the reader and writes behind the writer. Unbound, so that
 * the scheduler puts the work on a CPU the reader or writer is not copying
 * on; a rescuer, because a truncate or a reclaim may wait on the pages it
 * holds locked, and writing back is what frees memory.
 */
static struct workqueue_struct *ezn_io_wq;
/* Lower writes that must not see the caller's signals (ezn_lower_call_unkillable()). */
static struct workqueue_struct *ezn_wb_retry_wq;

/*
 * Decrypt and unlock the pages of @req, then free it; the ones that fail stay
 * not up to date (read_folio tries them again and reports the error). Nothing
 * of the inode is touched once its pages are unlocked.
 */
static void ezn_io_req_read(struct ezn_io_req *req)
{
	struct inode *inode = req->inode;
	struct ezn_batch *b = &req->b;
	const struct cred *old;
	unsigned long ok;
	unsigned int i;

	old = ezn_override_creds(inode->i_sb);
	ok = ezn_lower_read_blocks(inode, b);
	ezn_revert_creds(old);
	if (b->cached)
		ezn_lower_drop_cache(inode, (loff_t)b->first << PAGE_SHIFT,
				     (loff_t)(b->first + b->nr - 1) << PAGE_SHIFT);
	for (i = 0; i < b->nr; i++) {
		if (ok & BIT(i))
			SetPageUptodate(b->page[i]);
		unlock_page(b->page[i]);
	}
	kmem_cache_free(ezn_io_req_cache, req);
}

static void ezn_io_req_read_work(struct work_struct *work)
{
	unsigned int nofs = memalloc_nofs_save();

	ezn_io_req_read(container_of(work, struct ezn_io_req, work));
	memalloc_nofs_restore(nofs);
}

/*
 * Does the reader wait for page @index now? The pages before the window's
 * asynchronous part are the ones it asked for; a readahead outside the window
 * (a forced one: random access, readahead off) is waited for too.
 */
static bool ezn_ra_waited_for(const struct readahead_control *rac, pgoff_t index)
{
	const struct file_ra_state *ra = rac->ra;

	return !ra || index < ra->start || index >= ra->start + ra->size ||
	       index < ra->start + ra->size - ra->async_size;
}

/*
 * Runs of up to EZN_BATCH_MAX pages, one lower read each for their data and
 * their metadata entries (ezn_lower_read_blocks()). A run the reader waits
 * for is read here; the asynchronous part of the window goes to ezn_io_wq,
 * so that its decryption overlaps the reader's copy of what came before.
 * Pages left in @rac when a request cannot be allocated are dropped by the
 * caller and read by read_folio when they are needed.
 */
static void ezn_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	pgoff_t index = readahead_index(rac);
	unsigned int left = readahead_count(rac);
	struct ezn_io_req *req;
	struct page *page;

	while (left) {
		req = kmem_cache_alloc(ezn_io_req_cache, GFP_NOFS | __GFP_NORETRY | __GFP_NOWARN);
		if (!req)
			return;
		req->inode = inode;
		req->b.first = index;
		req->b.nr = 0;
		req->b.cached = false;
		do {
			page = readahead_page(rac);
			if (WARN_ON_ONCE(!page))
				break;
			/* readahead_page() gave us a reference; the page cache holds its own. */
			put_page(page);
			req->b.page[req->b.nr++] = page;
			index++;
			left--;
		} while (left && ezn_batch_fits(&req->b, index));
		if (!req->b.nr) {
			kmem_cache_free(ezn_io_req_cache, req);
			return;
		}
		if (ezn_ra_waited_for(rac, req->b.first)) {
			ezn_io_req_read(req);
		} else {
			INIT_WORK(&req->work, ezn_io_req_read_work);
			queue_work(ezn_io_wq, &req->work);
		}
	}
}

int ezn_io_init(void)
{
	ezn_io_req_cache = ezn_uncleared_cache_create("ezn_io_req", sizeof(struct ezn_io_req));
	if (!ezn_io_req_cache)
		return -ENOMEM;
	ezn_io_wq = alloc_workqueue("ezncryptfs_io", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!ezn_io_wq)
		goto destroy_req_cache;
	ezn_wb_retry_wq = alloc_workqueue("ezncryptfs_wb_retry", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!ezn_wb_retry_wq)
		goto destroy_io_wq;
	return 0;

destroy_io_wq:
	destroy_workqueue(ezn_io_wq);
destroy_req_cache:
	kmem_cache_destroy(ezn_io_req_cache);
	return -ENOMEM;
}

/* After the filesystem is unregistered: waits for the last request's free. */
void ezn_io_destroy(void)
{
	destroy_workqueue(ezn_wb_retry_wq);
	destroy_workqueue(ezn_io_wq);
	kmem_cache_destroy(ezn_io_req_cache);
}

struct ezn_unkillable {
	struct work_struct work;
	struct super_block *sb;
	int (*fn)(void *arg);
	void *arg;
	int err;
};

static void ezn_unkillable_run(struct ezn_unkillable *u)
{
	unsigned int nofs = memalloc_nofs_save();
	const struct cred *old = ezn_override_creds(u->sb);

	u->err = u->fn(u->arg);
	ezn_revert_creds(old);
	memalloc_nofs_restore(nofs);
}

static void ezn_unkillable_work(struct work_struct *work)
{
	ezn_unkillable_run(container_of(work, struct ezn_unkillable, work));
}

/*
 * Run @fn(@arg) on the retry workqueue, with the mounter's credentials and
 * GFP_NOFS, and wait for it: for lower writes that must not fail because the
 * caller is being killed (generic_perform_write() returns -EINTR then). The
 * caller may hold io_rwsem, the upper i_rwsem and the pages of the range
 * under writeback, but no lock of the lower filesystem. The retry workqueue
 * runs nothing else, so the wait never queues behind a reader that waits for
 * io_rwsem. A caller that is itself a workqueue worker runs @fn directly.
 */
int ezn_lower_call_unkillable(struct super_block *sb, int (*fn)(void *arg), void *arg)
{
	struct ezn_unkillable u = { .sb = sb, .fn = fn, .arg = arg };

	/*
	 * A worker takes no signals, and one of the retry workqueue's own (a
	 * killed task's writeback whose re-seal is undone) must not wait on it.
	 */
	if (current->flags & PF_WQ_WORKER) {
		ezn_unkillable_run(&u);
		return u.err;
	}
	INIT_WORK_ONSTACK(&u.work, ezn_unkillable_work);
	queue_work(ezn_wb_retry_wq, &u.work);
	flush_work(&u.work);
	destroy_work_on_stack(&u.work);
	return u.err;
}

/*
 * Writeback for a killed task: its pages are under writeback and an fsync()
 * beside it may be waiting on them with their page lock held, so the blocks
 * are written by a worker while the killed task waits (io_rwsem held), and
 * their writeback then ends as usual: nothing is dropped and no fsync()
 * returns before the data is in the lower file.
 */
struct ezn_wb_retry {
	struct inode *inode;
	struct ezn_batch *b;
};

static int ezn_wb_retry_write(void *arg)
{
	struct ezn_wb_retry *r = arg;

	return ezn_lower_write_blocks(r->inode, r->b);
}

struct ezn_wb_ctx {
	struct ezn_batch *b;
	pgoff_t first;
	pgoff_t last;
	bool wrote;
};

/*
 * Write the locked pages collected in @ctx->b (ezn_lower_write_blocks()).
 * Each one's length comes from i_size read under io_rwsem.
 */
static int ezn_wb_flush(struct ezn_wb_ctx *ctx, struct inode *inode)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	struct ezn_batch *b = ctx->b;
	unsigned int i, nr;
	loff_t size;
	int err = 0;

	down_write(&ei->io_rwsem);
	size = i_size_read(inode);
	for (nr = 0; nr < b->nr; nr++) {
		struct page *page = b->page[nr];
		loff_t pos = page_offset(page);

		if (pos >= size)
			break;
		b->len[nr] = min_t(loff_t, PAGE_SIZE, size - pos);
		/* What an mmap wrote past EOF is not file data. */
		if (b->len[nr] < PAGE_SIZE)
			zero_user_segment(page, b->len[nr], PAGE_SIZE);
		set_page_writeback(page);
		unlock_page(page);
	}
	/* Past EOF after a truncate: truncate_pagecache() removes them. */
	for (i = nr; i < b->nr; i++)
		unlock_page(b->page[i]);
	b->nr = nr;
	if (nr) {
		err = ezn_lower_write_blocks(inode, b);
		/* Room that deletions just gave back may still be on its way. */
		if (ezn_release_retry(inode->i_sb, err))
			err = ezn_lower_write_blocks(inode, b);
		if (err == -EINTR && fatal_signal_pending(current)) {
			struct ezn_wb_retry r = { .inode = inode, .b = b };

			err = ezn_lower_call_unkillable(inode->i_sb, ezn_wb_retry_write, &r);
		}
	}
	up_write(&ei->io_rwsem);
	if (err) {
		mapping_set_error(inode->i_mapping, err);
		pr_warn_ratelimited("inode %lu blocks %lu-%lu: writeback to the lower file failed: error %d\n",
				    inode->i_ino, b->first, b->first + nr - 1, err);
	} else if (nr) {
		if (!ctx->wrote || b->first < ctx->first)
			ctx->first = b->first;
		if (!ctx->wrote || b->first + nr - 1 > ctx->last)
			ctx->last = b->first + nr - 1;
		ctx->wrote = true;
	}
	for (i = 0; i < nr; i++)
		end_page_writeback(b->page[i]);
	b->nr = 0;
	return err;
}

/*
 * Collect the locked page into the current run, writing the run out first
 * when the page does not continue it. Pages stay locked until the run is
 * written; they are locked in ascending index order, as write_cache_pages()
 * goes, and io_rwsem is taken inside their locks, as everywhere.
 */
static int ezn_writepage_locked(struct page *page, struct writeback_control *wbc, void *data)
{
	struct ezn_wb_ctx *ctx = data;
	struct ezn_batch *b = ctx->b;
	struct inode *inode = page->mapping->host;
	int err = 0;

	if (b->nr && !ezn_batch_fits(b, page->index))
		err = ezn_wb_flush(ctx, inode);
	if (b->nr == b->nr_cipher) {
		/* One more bounce page if it comes easily; else a shorter run. */
		b->cipher[b->nr] = alloc_page(GFP_NOFS | __GFP_NORETRY | __GFP_NOWARN);
		if (b->cipher[b->nr])
			b->nr_cipher++;
		else
			err = ezn_wb_flush(ctx, inode) ?: err;
	}
	if (!b->nr)
		b->first = page->index;
	b->page[b->nr++] = page;
	return err;
}

static int ezn_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct ezn_wb_ctx ctx = {};
	struct ezn_io_req *req;
	const struct cred *old;
	int err, err2 = 0;
	unsigned int i;

	req = kmem_cache_alloc(ezn_io_req_cache, GFP_NOFS);
	if (!req)
		return -ENOMEM;
	ctx.b = &req->b;
	ctx.b->nr = 0;
	ctx.b->cached = false;
	ctx.b->cipher[0] = alloc_page(GFP_NOFS);
	if (!ctx.b->cipher[0]) {
		kmem_cache_free(ezn_io_req_cache, req);
		return -ENOMEM;
	}
	ctx.b->nr_cipher = 1;
	old = ezn_override_creds(inode->i_sb);
	err = write_cache_pages(mapping, wbc, ezn_writepage_locked, &ctx);
	if (ctx.b->nr)
		err2 = ezn_wb_flush(&ctx, inode);
	/*
	 * Written through the lower page cache (no direct I/O there): drop the
	 * lower copies once they are on the lower storage.
	 */
	if (ctx.wrote && ctx.b->cached)
		ezn_lower_written(inode, ctx.first, ctx.last);
	ezn_revert_creds(old);
	for (i = 0; i < ctx.b->nr_cipher; i++)
		__free_page(ctx.b->cipher[i]);
	kmem_cache_free(ezn_io_req_cache, req);
	return err ?: err2;
}

/*
 * Write-behind. A sequential writer's pages are written back (sealed and
 * written to the lower file) by a work item on ezn_io_wq once EZN_WRITE_BEHIND
 * bytes of them are dirty, while the writer goes on copying the next ones:
 * without it, all the sealing would wait for the flusher or the final fsync,
 * with every CPU but one idle while the data is copied in. Random writes keep
 * the usual delayed writeback (a block rewritten soon is sealed once) while
 * the file is open for writing; the last writer's close hands over the rest
 * (ezn_write_behind_close()).
 */
#define EZN_WRITE_BEHIND	SZ_1M

static void ezn_write_behind_work(struct work_struct *work)
{
	struct ezn_inode_info *ei = container_of(work, struct ezn_inode_info, wb_work);
	struct writeback_control wbc = {
		.sync_mode	= WB_SYNC_NONE,
		.nr_to_write	= LONG_MAX,
	};

	spin_lock(&ei->wb_lock);
	wbc.range_start = ei->wb_start;
	wbc.range_end = ei->wb_end - 1;
	ei->wb_start = LLONG_MAX;
	ei->wb_end = 0;
	spin_unlock(&ei->wb_lock);
	if (wbc.range_start <= wbc.range_end)
		filemap_fdatawrite_wbc(ei->vfs_inode.i_mapping, &wbc);
}

void ezn_write_behind_init_once(struct ezn_inode_info *ei)
{
	spin_lock_init(&ei->wb_lock);
	INIT_WORK(&ei->wb_work, ezn_write_behind_work);
}

void ezn_write_behind_reset(struct ezn_inode_info *ei)
{
	ei->wb_next = 0;
	ei->wb_mark = 0;
	ei->wb_start = LLONG_MAX;
	ei->wb_end = 0;
}

/*
 * The last writer closed the file: hand all its dirty pages over. A file
 * written whole and closed (a dump, the files of a small-file workload) is
 * then sealed on another CPU while its writer goes on with the next one,
 * instead of by the flusher later, one inode after another, while the
 * caller of sync() waits.
 */
void ezn_write_behind_close(struct inode *inode)
{
	struct ezn_inode_info *ei = EZN_I(inode);

	if (!mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY))
		return;
	spin_lock(&ei->wb_lock);
	ei->wb_start = 0;
	ei->wb_end = LLONG_MAX;
	ei->wb_mark = round_down(ei->wb_next, PAGE_SIZE);
	spin_unlock(&ei->wb_lock);
	queue_work(ezn_io_wq, &ei->wb_work);
}

/*
 * A buffered write put @len bytes at @pos into the page cache: when it
 * continues the previous one and the run has EZN_WRITE_BEHIND bytes not yet
 * handed over, hand over its whole pages.
 */
void ezn_write_behind(struct inode *inode, loff_t pos, size_t len)
{
	struct ezn_inode_info *ei = EZN_I(inode);
	bool kick = false;
	loff_t end;

	spin_lock(&ei->wb_lock);
	if (pos != ei->wb_next)
		ei->wb_mark = round_down(pos, PAGE_SIZE);	/* a new run */
	ei->wb_next = pos + len;
	end = round_down(ei->wb_next, PAGE_SIZE);
	if (end - ei->wb_mark >= EZN_WRITE_BEHIND) {
		ei->wb_start = min(ei->wb_start, ei->wb_mark);
		ei->wb_end = max(ei->wb_end, end);
		ei->wb_mark = end;
		kick = true;
	}
	spin_unlock(&ei->wb_lock);
	if (kick)
		queue_work(ezn_io_wq, &ei->wb_work);
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
	struct page *page;
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
	err = ezn_fill_page(inode, page);
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
