// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs block sealing: each data block is AES-256-GCM encrypted under its
 * file's key with a fresh random 96-bit nonce, the associated data being the
 * file id and the little-endian block index, so a block that is modified,
 * moved within its file or copied from another file fails to open
 * (FORMAT.md, "Block sealing").
 *
 * A file key owns one transform, keyed once; requests are per call. Each file
 * key keeps one preallocated request for the common single-stream case;
 * concurrent callers allocate their own, or wait for it when memory is short.
 *
 * Allocating a gcm(aes) transform costs far more than keying one (the
 * accelerated implementation stacks three transforms), and every file that is
 * created or opened needs one: file keys come from a pool of ready ones, kept
 * filled in the background (see ezn_fk_pool).
 */
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/string.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>
#include <linux/cpumask.h>
#include <asm/unaligned.h>
#include <crypto/aead.h>

#include "crypto_priv.h"

struct ezn_crypt_req {
	u8 iv[EZN_NONCE_SIZE];
	u8 tag[EZN_TAG_SIZE];
	u8 aad[EZN_BLOCK_AAD_SIZE];
	u8 aad_dst[EZN_BLOCK_AAD_SIZE];	/* some implementations copy the AAD to dst */
	struct scatterlist src[3];
	struct scatterlist dst[3];
	struct crypto_wait wait;
	struct aead_request req;	/* followed by the transform's context: keep last */
};

struct crypto_aead *ezn_aead_alloc(const u8 key[EZN_KEY_SIZE])
{
	const char *driver = ezn_gcm_driver_name();
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(driver, 0, 0);
	if (IS_ERR(tfm)) {
		pr_err_ratelimited("cannot allocate %s: %ld\n", driver, PTR_ERR(tfm));
		return tfm;
	}
	err = crypto_aead_setkey(tfm, key, EZN_KEY_SIZE);
	if (err)
		goto free_tfm;
	err = crypto_aead_setauthsize(tfm, EZN_TAG_SIZE);
	if (err)
		goto free_tfm;
	return tfm;

free_tfm:
	crypto_free_aead(tfm);
	return ERR_PTR(err);
}

int ezn_aead_buf(struct crypto_aead *tfm, bool enc, const u8 nonce[EZN_NONCE_SIZE],
		 u8 *aad, unsigned int aad_len, u8 *buf, unsigned int len,
		 u8 tag[EZN_TAG_SIZE])
{
	struct aead_request *req;
	struct scatterlist sg[3];
	u8 iv[EZN_NONCE_SIZE];
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	req = aead_request_alloc(tfm, GFP_NOFS);
	if (!req)
		return -ENOMEM;
	memcpy(iv, nonce, EZN_NONCE_SIZE);
	sg_init_table(sg, 3);
	sg_set_buf(&sg[0], aad, aad_len);
	sg_set_buf(&sg[1], buf, len);
	sg_set_buf(&sg[2], tag, EZN_TAG_SIZE);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, sg, sg, enc ? len : len + EZN_TAG_SIZE, iv);
	err = crypto_wait_req(enc ? crypto_aead_encrypt(req) : crypto_aead_decrypt(req), &wait);
	aead_request_free(req);	/* kfree_sensitive */
	return err;
}

/*
 * ezn_fk_pool, the pool of ready file keys. A pooled file key's transform is
 * keyed with a random key of its own, kept in fresh_key: a new file takes one
 * as it is (its key drawn ahead of time, no keying on the create path), an
 * existing file keys one with its unwrapped key. A freed file key is never
 * reused with its key: when the pool is full it is freed at once
 * (crypto_free_aead() wipes); otherwise it goes to the retired list, and the
 * pool work keys it with a new random key (which overwrites the old key
 * schedule) and wipes its request before it joins the pool, or frees it if
 * the pool has filled meanwhile. The pool work also fills the pool up to
 * EZN_FK_POOL_MAX once it drops below EZN_FK_POOL_LOW: both run on a CPU
 * other than the creating or evicting task's when one is free.
 * ezn_fk_pool_lock guards both lists and ezn_fk_pool_nr.
 */
#define EZN_FK_POOL_MAX	64
#define EZN_FK_POOL_LOW	16

static LIST_HEAD(ezn_fk_pool);
static LIST_HEAD(ezn_fk_retired);
static unsigned int ezn_fk_pool_nr;
static DEFINE_SPINLOCK(ezn_fk_pool_lock);
static void ezn_fk_pool_work_fn(struct work_struct *work);
static DECLARE_WORK(ezn_fk_pool_work, ezn_fk_pool_work_fn);

static struct ezn_file_key *ezn_fk_pool_get(void)
{
	struct ezn_file_key *fk;
	bool low;

	spin_lock(&ezn_fk_pool_lock);
	fk = list_first_entry_or_null(&ezn_fk_pool, struct ezn_file_key, pool);
	if (fk) {
		list_del(&fk->pool);
		ezn_fk_pool_nr--;
	}
	low = ezn_fk_pool_nr < EZN_FK_POOL_LOW;
	spin_unlock(&ezn_fk_pool_lock);
	if (low)
		queue_work(system_unbound_wq, &ezn_fk_pool_work);
	return fk;
}

static void ezn_fk_destroy(struct ezn_file_key *fk)
{
	crypto_free_aead(fk->tfm);	/* wipes the expanded key */
	kfree_sensitive(fk->spare);
	mutex_destroy(&fk->spare_lock);
	kfree_sensitive(fk);
}

/* A file key with its transform keyed with @key, or an ERR_PTR. */
static struct ezn_file_key *ezn_fk_alloc(const u8 key[EZN_KEY_SIZE])
{
	struct ezn_file_key *fk;
	unsigned int nofs;
	int err;

	/* Called from lookup, open and create: no reclaim into filesystems. */
	nofs = memalloc_nofs_save();
	fk = kzalloc(sizeof(*fk), GFP_KERNEL);
	if (!fk) {
		err = -ENOMEM;
		goto restore_nofs;
	}
	mutex_init(&fk->spare_lock);
	fk->tfm = ezn_aead_alloc(key);
	if (IS_ERR(fk->tfm)) {
		err = PTR_ERR(fk->tfm);
		goto free_fk;
	}
	fk->req_size = sizeof(struct ezn_crypt_req) + crypto_aead_reqsize(fk->tfm);
	fk->spare = kmalloc(fk->req_size, GFP_KERNEL);
	if (!fk->spare) {
		err = -ENOMEM;
		goto free_tfm;
	}
	memalloc_nofs_restore(nofs);
	return fk;

free_tfm:
	crypto_free_aead(fk->tfm);
free_fk:
	mutex_destroy(&fk->spare_lock);
	kfree(fk);
restore_nofs:
	memalloc_nofs_restore(nofs);
	return ERR_PTR(err);
}

/* A file key keyed with a random key of its own, kept in fresh_key. */
static struct ezn_file_key *ezn_fk_alloc_fresh(void)
{
	struct ezn_file_key *fk;
	u8 key[EZN_KEY_SIZE];

	get_random_bytes(key, sizeof(key));
	fk = ezn_fk_alloc(key);
	if (!IS_ERR(fk))
		memcpy(fk->fresh_key, key, EZN_KEY_SIZE);
	memzero_explicit(key, sizeof(key));
	return fk;
}

/* Into the pool when it has room: false when it is full. */
static bool ezn_fk_pool_add(struct ezn_file_key *fk)
{
	bool kept = false;

	spin_lock(&ezn_fk_pool_lock);
	if (ezn_fk_pool_nr < EZN_FK_POOL_MAX) {
		list_add_tail(&fk->pool, &ezn_fk_pool);
		ezn_fk_pool_nr++;
		kept = true;
	}
	spin_unlock(&ezn_fk_pool_lock);
	return kept;
}

/*
 * Retired file keys first (their keys must go), each keyed with a new random
 * key or freed; then new ones until the pool is full.
 */
static void ezn_fk_pool_work_fn(struct work_struct *work)
{
	struct ezn_file_key *fk;
	bool fill;

	for (;;) {
		spin_lock(&ezn_fk_pool_lock);
		fk = list_first_entry_or_null(&ezn_fk_retired, struct ezn_file_key, pool);
		if (fk)
			list_del(&fk->pool);
		fill = ezn_fk_pool_nr < EZN_FK_POOL_MAX;
		spin_unlock(&ezn_fk_pool_lock);

		if (fk && !fill) {
			ezn_fk_destroy(fk);
		} else if (fk) {
			memzero_explicit(fk->spare, fk->req_size);
			memzero_explicit(fk->file_id, sizeof(fk->file_id));
			get_random_bytes(fk->fresh_key, EZN_KEY_SIZE);
			if (crypto_aead_setkey(fk->tfm, fk->fresh_key, EZN_KEY_SIZE) ||
			    !ezn_fk_pool_add(fk))
				ezn_fk_destroy(fk);
		} else if (fill) {
			fk = ezn_fk_alloc_fresh();
			if (IS_ERR(fk))
				break;
			if (!ezn_fk_pool_add(fk))
				ezn_fk_destroy(fk);
		} else {
			break;
		}
		cond_resched();
	}
}

/* At module exit: no file key is in use any more. */
void ezn_file_key_pool_drain(void)
{
	struct ezn_file_key *fk, *tmp;
	LIST_HEAD(all);

	cancel_work_sync(&ezn_fk_pool_work);
	spin_lock(&ezn_fk_pool_lock);
	list_splice_init(&ezn_fk_retired, &all);
	list_splice_init(&ezn_fk_pool, &all);
	ezn_fk_pool_nr = 0;
	spin_unlock(&ezn_fk_pool_lock);
	list_for_each_entry_safe(fk, tmp, &all, pool)
		ezn_fk_destroy(fk);
}

int ezn_file_key_new(const u8 file_id[EZN_FILE_ID_SIZE], const u8 key[EZN_KEY_SIZE],
		     struct ezn_file_key **out)
{
	struct ezn_file_key *fk;
	int err;

	fk = ezn_fk_pool_get();
	if (fk) {
		memzero_explicit(fk->fresh_key, EZN_KEY_SIZE);
		err = crypto_aead_setkey(fk->tfm, key, EZN_KEY_SIZE);
		if (err) {
			ezn_fk_destroy(fk);
			return err;
		}
	} else {
		fk = ezn_fk_alloc(key);
		if (IS_ERR(fk))
			return PTR_ERR(fk);
	}
	memcpy(fk->file_id, file_id, EZN_FILE_ID_SIZE);
	*out = fk;
	return 0;
}

int ezn_file_key_fresh(const u8 file_id[EZN_FILE_ID_SIZE], u8 key[EZN_KEY_SIZE],
		       struct ezn_file_key **out)
{
	struct ezn_file_key *fk = ezn_fk_pool_get() ?: ezn_fk_alloc_fresh();

	if (IS_ERR(fk))
		return PTR_ERR(fk);
	memcpy(key, fk->fresh_key, EZN_KEY_SIZE);
	memzero_explicit(fk->fresh_key, EZN_KEY_SIZE);
	memcpy(fk->file_id, file_id, EZN_FILE_ID_SIZE);
	*out = fk;
	return 0;
}

/*
 * With the pool full, @fk is freed here, which wipes its key: handing it to
 * the pool work would wake a worker for every file a mass delete evicts
 * (small-delete 2449/2433/2519 -> 2756/2845/2618 files/s in one VM).
 */
void ezn_file_key_free(struct ezn_file_key *fk)
{
	bool full;

	if (!fk)
		return;
	spin_lock(&ezn_fk_pool_lock);
	full = ezn_fk_pool_nr >= EZN_FK_POOL_MAX;
	if (!full)
		list_add_tail(&fk->pool, &ezn_fk_retired);
	spin_unlock(&ezn_fk_pool_lock);
	if (full)
		ezn_fk_destroy(fk);
	else
		queue_work(system_unbound_wq, &ezn_fk_pool_work);
}

/*
 * The spare request when it is free; otherwise a new one, or, when memory is
 * short (writeback under pressure), wait for the spare: this never fails.
 */
static struct ezn_crypt_req *ezn_req_get(struct ezn_file_key *fk)
{
	struct ezn_crypt_req *r;

	if (mutex_trylock(&fk->spare_lock))
		return fk->spare;
	r = kmalloc(fk->req_size, GFP_NOFS | __GFP_NOWARN);
	if (r)
		return r;
	mutex_lock(&fk->spare_lock);
	return fk->spare;
}

static void ezn_req_put(struct ezn_file_key *fk, struct ezn_crypt_req *r)
{
	if (r == fk->spare)
		mutex_unlock(&fk->spare_lock);
	else
		kfree_sensitive(r);
}

/*
 * Set up @r for block @index: AAD = file id || le64 index, and scatterlists
 * [AAD][@in, @len][tag] -> [AAD copy][@out, @len][tag], over @cryptlen bytes
 * after the AAD (decryption's input is the ciphertext plus the tag).
 */
static void ezn_req_setup(struct ezn_file_key *fk, struct ezn_crypt_req *r, u64 index,
			  struct page *in, struct page *out, unsigned int len,
			  unsigned int cryptlen)
{
	struct scatterlist *dst = r->src;

	memcpy(r->aad, fk->file_id, EZN_FILE_ID_SIZE);
	put_unaligned_le64(index, r->aad + EZN_FILE_ID_SIZE);
	memcpy(r->aad_dst, r->aad, EZN_BLOCK_AAD_SIZE);

	sg_init_table(r->src, 3);
	sg_set_buf(&r->src[0], r->aad, EZN_BLOCK_AAD_SIZE);
	sg_set_page(&r->src[1], in, len, 0);
	sg_set_buf(&r->src[2], r->tag, EZN_TAG_SIZE);
	if (in != out) {
		dst = r->dst;
		sg_init_table(dst, 3);
		sg_set_buf(&dst[0], r->aad_dst, EZN_BLOCK_AAD_SIZE);
		sg_set_page(&dst[1], out, len, 0);
		sg_set_buf(&dst[2], r->tag, EZN_TAG_SIZE);
	}

	crypto_init_wait(&r->wait);
	aead_request_set_tfm(&r->req, fk->tfm);
	aead_request_set_callback(&r->req, CRYPTO_TFM_REQ_MAY_SLEEP | CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &r->wait);
	aead_request_set_ad(&r->req, EZN_BLOCK_AAD_SIZE);
	aead_request_set_crypt(&r->req, r->src, dst, cryptlen, r->iv);
}

/* Seal one block with request @r (ezn_block_seal()). */
static int ezn_req_seal(struct ezn_file_key *fk, struct ezn_crypt_req *r, u64 index,
			struct page *clear, struct page *cipher, unsigned int len,
			u8 meta[EZN_META_ENTRY_SIZE])
{
	u8 nonce[EZN_NONCE_SIZE];
	int err;

	if (WARN_ON_ONCE(!len || len > EZN_BLOCK_SIZE))
		return -EINVAL;

	/* A zero nonce would make an all-zero entry possible, which means a hole. */
	do {
		get_random_bytes(nonce, sizeof(nonce));
	} while (!memchr_inv(nonce, 0, sizeof(nonce)));

	memcpy(r->iv, nonce, EZN_NONCE_SIZE);
	ezn_req_setup(fk, r, index, clear, cipher, len, len);
	err = crypto_wait_req(crypto_aead_encrypt(&r->req), &r->wait);
	if (!err) {
		memcpy(meta, nonce, EZN_NONCE_SIZE);
		memcpy(meta + EZN_NONCE_SIZE, r->tag, EZN_TAG_SIZE);
	}
	return err;
}

/* Open one block with request @r (ezn_block_open()). */
static int ezn_req_open(struct ezn_file_key *fk, struct ezn_crypt_req *r, u64 index,
			struct page *cipher, struct page *clear, unsigned int len,
			const u8 meta[EZN_META_ENTRY_SIZE])
{
	if (WARN_ON_ONCE(!len || len > EZN_BLOCK_SIZE))
		return -EINVAL;

	memcpy(r->iv, meta, EZN_NONCE_SIZE);
	memcpy(r->tag, meta + EZN_NONCE_SIZE, EZN_TAG_SIZE);
	ezn_req_setup(fk, r, index, cipher, clear, len, len + EZN_TAG_SIZE);
	return crypto_wait_req(crypto_aead_decrypt(&r->req), &r->wait);
}

int ezn_block_seal(struct ezn_file_key *fk, u64 index, struct page *clear, struct page *cipher,
		   unsigned int len, u8 meta[EZN_META_ENTRY_SIZE])
{
	struct ezn_crypt_req *r = ezn_req_get(fk);
	int err;

	err = ezn_req_seal(fk, r, index, clear, cipher, len, meta);
	ezn_req_put(fk, r);
	return err;
}

int ezn_block_open(struct ezn_file_key *fk, u64 index, struct page *cipher, struct page *clear,
		   unsigned int len, const u8 meta[EZN_META_ENTRY_SIZE])
{
	struct ezn_crypt_req *r = ezn_req_get(fk);
	int err;

	err = ezn_req_open(fk, r, index, cipher, clear, len, meta);
	ezn_req_put(fk, r);
	return err;
}

/*
 * Runs of blocks (writeback and readahead batches) are split into slices
 * sealed or opened side by side: one slice by the caller, each other one by a
 * work item on another online CPU. The caller then takes back every work item
 * that has not started (cancel_work_sync()) and does that slice itself, so a
 * run never waits on a worker that cannot be created or scheduled (writeback
 * under memory pressure, a busy CPU): the system workqueue needs no rescuer.
 *
 * A slice uses one request for all its blocks. Slices share the file key's
 * transform, which is only keyed while no I/O can use the key.
 */
#define EZN_CRYPT_SLICES_MAX	4
#define EZN_CRYPT_SLICE_MIN	4	/* blocks: below this a wakeup costs more */

struct ezn_crypt_slice {
	struct work_struct work;
	struct ezn_file_key *fk;
	bool seal;
	u64 first;		/* block index of in[0] */
	unsigned int nr;
	struct page **in;
	struct page **out;
	const unsigned int *len;
	u8 *meta;
	int *err;
};

static void ezn_crypt_slice_run(struct ezn_crypt_slice *s)
{
	struct ezn_crypt_req *r = ezn_req_get(s->fk);
	unsigned int i;

	for (i = 0; i < s->nr; i++) {
		u8 *meta = s->meta + i * EZN_META_ENTRY_SIZE;

		if (!s->len[i])
			s->err[i] = 0;
		else if (s->seal)
			s->err[i] = ezn_req_seal(s->fk, r, s->first + i, s->in[i], s->out[i],
						 s->len[i], meta);
		else
			s->err[i] = ezn_req_open(s->fk, r, s->first + i, s->in[i], s->out[i],
						 s->len[i], meta);
	}
	ezn_req_put(s->fk, r);
}

static void ezn_crypt_slice_work(struct work_struct *work)
{
	ezn_crypt_slice_run(container_of(work, struct ezn_crypt_slice, work));
}

static void ezn_blocks_crypt(struct ezn_file_key *fk, bool seal, u64 first, unsigned int nr,
			     struct page **in, struct page **out, const unsigned int *len,
			     u8 *meta, int *err)
{
	struct ezn_crypt_slice slices[EZN_CRYPT_SLICES_MAX];
	unsigned int nr_slices, per, i, done;
	int self, cpu;

	nr_slices = min3(num_online_cpus(), EZN_CRYPT_SLICES_MAX,
			 max(nr / EZN_CRYPT_SLICE_MIN, 1U));
	per = DIV_ROUND_UP(nr, nr_slices);
	for (i = 0, done = 0; done < nr; i++, done += per) {
		slices[i] = (struct ezn_crypt_slice) {
			.fk = fk, .seal = seal, .first = first + done,
			.nr = min(per, nr - done), .in = in + done, .out = out + done,
			.len = len + done, .meta = meta + done * EZN_META_ENTRY_SIZE,
			.err = err + done,
		};
	}
	nr_slices = i;

	/* Slices 1.. go to the other CPUs; preemption may move us, which is harmless. */
	self = raw_smp_processor_id();
	cpu = -1;
	for (i = 1; i < nr_slices; i++) {
		INIT_WORK_ONSTACK(&slices[i].work, ezn_crypt_slice_work);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu == self)
			cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		queue_work_on(cpu, system_highpri_wq, &slices[i].work);
	}
	if (nr_slices)
		ezn_crypt_slice_run(&slices[0]);
	for (i = 1; i < nr_slices; i++) {
		if (cancel_work_sync(&slices[i].work))
			ezn_crypt_slice_run(&slices[i]);
		destroy_work_on_stack(&slices[i].work);
	}
}

int ezn_blocks_seal(struct ezn_file_key *fk, u64 first, unsigned int nr, struct page **clear,
		    struct page **cipher, const unsigned int *len, u8 *meta, int *err)
{
	unsigned int i;

	ezn_blocks_crypt(fk, true, first, nr, clear, cipher, len, meta, err);
	for (i = 0; i < nr; i++)
		if (err[i])
			return err[i];
	return 0;
}

void ezn_blocks_open(struct ezn_file_key *fk, u64 first, unsigned int nr, struct page **cipher,
		     struct page **clear, const unsigned int *len, u8 *meta, int *err)
{
	ezn_blocks_crypt(fk, false, first, nr, cipher, clear, len, meta, err);
}
