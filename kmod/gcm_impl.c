// SPDX-License-Identifier: GPL-2.0
/*
 * Which implementation of gcm(aes) ezncryptfs seals and opens with. Every
 * implementation computes the same function, so the on-disk format does not
 * depend on the choice; they differ in speed, and the crypto API ranks them
 * by priorities set for the hardware they were written for. Where that
 * hardware is emulated (QEMU's TCG) the ranking can be wrong: the accelerated
 * implementation's carry-less multiplications are emulated one instruction
 * at a time, and the generic GCM construction over the accelerated CTR with
 * the table-driven GHASH is faster.
 *
 * So, as the RAID-6 and XOR code pick their routines, the module times the
 * candidates at load on the request it makes per block (4 KiB of data and
 * the block's associated data) and keeps the fastest; the crypto API's own
 * choice stays unless another is at least an eighth faster. The parameter
 * gcm_driver names an implementation instead, and reads back as the driver
 * in use.
 *
 * ghash-generic indexes tables with secret-dependent values: it is not
 * constant time. It measures faster than the kernel's choice only where
 * carry-less multiplication is emulated or missing, and there the kernel's
 * own gcm(aes) is no more constant time (QEMU emulates the instruction with
 * data-dependent branches). gcm_driver=gcm(aes) keeps the kernel's choice.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <crypto/aead.h>
#include <crypto/skcipher.h>

#include "crypto_priv.h"

static char ezn_gcm_driver[CRYPTO_MAX_ALG_NAME];
module_param_string(gcm_driver, ezn_gcm_driver, sizeof(ezn_gcm_driver), 0444);
MODULE_PARM_DESC(gcm_driver,
		 "gcm(aes) implementation to use (default: the fastest, measured at load)");

/*
 * The candidates: the crypto API's choice first (it wins ties), then the
 * generic construction over the fastest ctr(aes) with the table-driven GHASH.
 * A template instance is looked up by its driver name, which names the
 * drivers inside it: "gcm_base(ctr(aes),...)" would instantiate one that the
 * lookup then does not find, so the ctr(aes) driver is resolved first.
 */
enum { EZN_GCM_API, EZN_GCM_TABLE_GHASH, EZN_GCM_NR };

static int ezn_gcm_candidate(unsigned int i, char name[CRYPTO_MAX_ALG_NAME])
{
	struct crypto_skcipher *ctr;
	int len;

	if (i == EZN_GCM_API) {
		strscpy(name, EZN_AEAD_ALG, CRYPTO_MAX_ALG_NAME);
		return 0;
	}
	ctr = crypto_alloc_skcipher("ctr(aes)", 0, 0);
	if (IS_ERR(ctr))
		return PTR_ERR(ctr);
	len = snprintf(name, CRYPTO_MAX_ALG_NAME, "gcm_base(%s,ghash-generic)",
		       crypto_skcipher_driver_name(ctr));
	crypto_free_skcipher(ctr);
	return len < CRYPTO_MAX_ALG_NAME ? 0 : -ENAMETOOLONG;
}

#define EZN_GCM_ROUNDS		4	/* each candidate's best round counts */
#define EZN_GCM_BLOCKS		4	/* blocks sealed per round */

/* A block's sealing request with its associated data and tag, as crypto.c makes it. */
struct ezn_gcm_sample {
	u8 key[EZN_KEY_SIZE];
	u8 nonce[EZN_NONCE_SIZE];
	u8 aad[EZN_BLOCK_AAD_SIZE];
	u8 tag[EZN_TAG_SIZE];
	u8 block[EZN_BLOCK_SIZE];
};

/*
 * The driver ezn_aead_alloc() asks for. Set once by ezn_gcm_impl_init(), before
 * the filesystem is registered; the crypto API's choice where nothing ran it
 * (the KUnit module, which compiles this file in but skips the timing).
 */
const char *ezn_gcm_driver_name(void)
{
	return ezn_gcm_driver[0] ? ezn_gcm_driver : EZN_AEAD_ALG;
}

/* Nanoseconds to seal EZN_GCM_BLOCKS blocks with @tfm, or U64_MAX if it fails. */
static u64 ezn_gcm_time(struct crypto_aead *tfm, struct ezn_gcm_sample *s)
{
	u64 start = ktime_get_ns();
	unsigned int i;

	for (i = 0; i < EZN_GCM_BLOCKS; i++) {
		if (ezn_aead_buf(tfm, true, s->nonce, s->aad, EZN_BLOCK_AAD_SIZE, s->block,
				 EZN_BLOCK_SIZE, s->tag))
			return U64_MAX;
	}
	return ktime_get_ns() - start;
}

static unsigned int ezn_gcm_mib_s(u64 ns)
{
	if (!ns || ns == U64_MAX)
		return 0;
	return div64_u64((u64)EZN_GCM_BLOCKS * EZN_BLOCK_SIZE * NSEC_PER_SEC, ns) >> 20;
}

/* Time every candidate that can be allocated, rounds interleaved; pick the fastest. */
static int ezn_gcm_select(void)
{
	struct crypto_aead *tfm[EZN_GCM_NR] = {};
	u64 best[EZN_GCM_NR];
	char name[CRYPTO_MAX_ALG_NAME];
	struct ezn_gcm_sample *s;
	unsigned int i, r, pick = EZN_GCM_NR;
	int err = -ENOENT;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	get_random_bytes(s, sizeof(*s));
	for (i = 0; i < EZN_GCM_NR; i++) {
		best[i] = U64_MAX;
		tfm[i] = ezn_gcm_candidate(i, name) ? ERR_PTR(-ENOENT) :
						      crypto_alloc_aead(name, 0, 0);
		if (IS_ERR(tfm[i]) || crypto_aead_setkey(tfm[i], s->key, EZN_KEY_SIZE) ||
		    crypto_aead_setauthsize(tfm[i], EZN_TAG_SIZE)) {
			if (!IS_ERR(tfm[i]))
				crypto_free_aead(tfm[i]);
			tfm[i] = NULL;
		}
	}
	for (r = 0; r < EZN_GCM_ROUNDS; r++) {
		for (i = 0; i < EZN_GCM_NR; i++) {
			if (tfm[i])
				best[i] = min(best[i], ezn_gcm_time(tfm[i], s));
		}
	}
	for (i = 0; i < EZN_GCM_NR; i++) {
		if (best[i] == U64_MAX)
			continue;
		/* Another candidate must be an eighth faster than the one picked. */
		if (pick == EZN_GCM_NR || best[i] < best[pick] - best[pick] / 8)
			pick = i;
	}
	if (pick < EZN_GCM_NR) {
		strscpy(ezn_gcm_driver, crypto_aead_driver_name(tfm[pick]),
			sizeof(ezn_gcm_driver));
		err = 0;
	}
	for (i = 0; i < EZN_GCM_NR; i++) {
		if (!tfm[i])
			continue;
		pr_info("gcm(aes): %s %u MiB/s%s\n", crypto_aead_driver_name(tfm[i]),
			ezn_gcm_mib_s(best[i]), i == pick ? ", in use" : "");
		crypto_free_aead(tfm[i]);
	}
	kfree_sensitive(s);
	return err;
}

/* gcm_driver=NAME: NAME must implement gcm(aes); it reads back as its driver name. */
static int ezn_gcm_pinned(void)
{
	struct crypto_aead *tfm;
	int err = 0;

	tfm = crypto_alloc_aead(ezn_gcm_driver, 0, 0);
	if (IS_ERR(tfm)) {
		pr_err("gcm_driver=%s: no such AEAD (%ld)\n", ezn_gcm_driver, PTR_ERR(tfm));
		return -EINVAL;
	}
	if (strcmp(crypto_tfm_alg_name(crypto_aead_tfm(tfm)), EZN_AEAD_ALG)) {
		pr_err("gcm_driver=%s implements %s, not %s\n", ezn_gcm_driver,
		       crypto_tfm_alg_name(crypto_aead_tfm(tfm)), EZN_AEAD_ALG);
		err = -EINVAL;
		goto free_tfm;
	}
	strscpy(ezn_gcm_driver, crypto_aead_driver_name(tfm), sizeof(ezn_gcm_driver));
	pr_info("gcm(aes): %s, set by gcm_driver\n", ezn_gcm_driver);
free_tfm:
	crypto_free_aead(tfm);
	return err;
}

int ezn_gcm_impl_init(void)
{
	int err;

	if (ezn_gcm_driver[0])
		return ezn_gcm_pinned();
	err = ezn_gcm_select();
	if (err)
		pr_err("no usable %s implementation (%d)\n", EZN_AEAD_ALG, err);
	return err;
}
