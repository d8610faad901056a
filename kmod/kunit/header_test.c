// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the file header (kmod/header.c, FORMAT.md "File header"):
 * encode and decode round trip, every field where FORMAT.md puts it, and
 * damaged, truncated, foreign, bad-magic and bad-version headers rejected
 * with the errno the read path expects; new file keys from the pool of ready
 * ones. header.c and the crypto core it uses (crypto.c, gcm_impl.c) are
 * compiled into this test module, so ezncryptfs.ko exports nothing for it.
 */
#include <kunit/test.h>
#include <linux/random.h>

#include "../header.c"
#include "../crypto.c"
#include "../gcm_impl.c"

struct hdr_test {
	struct ezn_master_key mk;	/* key_id and wrap_tfm only */
	struct ezn_master_key other;	/* same key id, another wrap key */
	u8 *hdr;
	u8 *bad;
};

static int hdr_test_init(struct kunit *test)
{
	struct hdr_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u8 key[EZN_KEY_SIZE];

	if (!t)
		return -ENOMEM;
	t->hdr = kunit_kzalloc(test, EZN_HEADER_SIZE, GFP_KERNEL);
	t->bad = kunit_kzalloc(test, EZN_HEADER_SIZE, GFP_KERNEL);
	if (!t->hdr || !t->bad)
		return -ENOMEM;
	get_random_bytes(t->mk.key_id, EZN_KEY_ID_SIZE);
	memcpy(t->other.key_id, t->mk.key_id, EZN_KEY_ID_SIZE);
	get_random_bytes(key, sizeof(key));
	t->mk.wrap_tfm = ezn_aead_alloc(key);
	get_random_bytes(key, sizeof(key));
	t->other.wrap_tfm = ezn_aead_alloc(key);
	memzero_explicit(key, sizeof(key));
	test->priv = t;
	if (IS_ERR(t->mk.wrap_tfm) || IS_ERR(t->other.wrap_tfm))
		kunit_skip(test, "no %s in this kernel", EZN_AEAD_ALG);
	return 0;
}

static void hdr_test_exit(struct kunit *test)
{
	struct hdr_test *t = test->priv;

	/* File keys the case freed wait in crypto.c's pool: empty it as module exit does. */
	ezn_file_key_pool_drain();
	if (!t)
		return;
	if (!IS_ERR_OR_NULL(t->mk.wrap_tfm))
		crypto_free_aead(t->mk.wrap_tfm);
	if (!IS_ERR_OR_NULL(t->other.wrap_tfm))
		crypto_free_aead(t->other.wrap_tfm);
}

/* A new file's header in @hdr, as the module writes it, and its file key. */
static int hdr_create(struct ezn_master_key *mk, u8 hdr[EZN_HEADER_SIZE],
		      struct ezn_file_key **out)
{
	struct ezn_new_header nh;
	int err;

	err = ezn_header_new_key(&nh, out);
	if (!err) {
		err = ezn_header_seal(mk, &nh, hdr);
		if (err)
			ezn_file_key_free(*out);
	}
	memzero_explicit(&nh, sizeof(nh));
	return err;
}

/* Whether two file keys hold the same key: one seals a block the other opens. */
static bool same_file_key(struct kunit *test, struct ezn_file_key *a, struct ezn_file_key *b)
{
	struct page *clear = alloc_page(GFP_KERNEL);
	struct page *cipher = alloc_page(GFP_KERNEL);
	u8 meta[EZN_META_ENTRY_SIZE];
	bool same = false;

	if (!clear || !cipher)
		goto free_pages;
	memset(page_address(clear), 0x5a, 100);
	if (ezn_block_seal(a, 7, clear, cipher, 100, meta))
		goto free_pages;
	memset(page_address(clear), 0, 100);
	same = !ezn_block_open(b, 7, cipher, clear, 100, meta) &&
	       !memchr_inv(page_address(clear), 0x5a, 100);
free_pages:
	if (cipher)
		__free_page(cipher);
	if (clear)
		__free_page(clear);
	return same;
}

static int open_bad(struct hdr_test *t)
{
	struct ezn_file_key *fk = NULL;
	int err = ezn_header_open(&t->mk, t->bad, &fk);

	if (!err)
		ezn_file_key_free(fk);
	return err;
}

static void ezn_header_round_trip(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk, *fk2;

	KUNIT_ASSERT_EQ(test, hdr_create(&t->mk, t->hdr, &fk), 0);
	KUNIT_ASSERT_EQ(test, ezn_header_open(&t->mk, t->hdr, &fk2), 0);
	KUNIT_EXPECT_FALSE(test, memcmp(fk->file_id, fk2->file_id, EZN_FILE_ID_SIZE));
	KUNIT_EXPECT_TRUE(test, same_file_key(test, fk, fk2));
	KUNIT_EXPECT_TRUE(test, same_file_key(test, fk2, fk));
	ezn_file_key_free(fk2);

	/* Two headers under one key: new file ids, new file keys. */
	KUNIT_ASSERT_EQ(test, hdr_create(&t->mk, t->bad, &fk2), 0);
	KUNIT_EXPECT_TRUE(test, memcmp(t->hdr + 16, t->bad + 16, EZN_FILE_ID_SIZE));
	KUNIT_EXPECT_FALSE(test, same_file_key(test, fk, fk2));
	ezn_file_key_free(fk2);
	ezn_file_key_free(fk);
}

/* Is @fk in the pool of ready file keys? */
static bool in_key_pool(struct ezn_file_key *fk)
{
	struct ezn_file_key *p;
	bool found = false;

	spin_lock(&ezn_fk_pool_lock);
	list_for_each_entry(p, &ezn_fk_pool, pool)
		found |= p == fk;
	spin_unlock(&ezn_fk_pool_lock);
	return found;
}

/*
 * New file keys taken from the pool (keyed ahead of time) are the keys their
 * headers wrap, and each its own; a freed one is keyed anew before the pool
 * hands it out again, or freed when the pool is full.
 */
static void ezn_header_key_pool(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_new_header nh[4];
	struct ezn_file_key *fk[4], *fk2;
	int i;

	/* From an empty pool the key is made on the spot; the pool fills behind. */
	ezn_file_key_pool_drain();
	KUNIT_ASSERT_EQ(test, ezn_header_new_key(&nh[0], &fk[0]), 0);
	flush_work(&ezn_fk_pool_work);
	KUNIT_EXPECT_EQ(test, ezn_fk_pool_nr, EZN_FK_POOL_MAX);
	for (i = 1; i < 4; i++)
		KUNIT_ASSERT_EQ(test, ezn_header_new_key(&nh[i], &fk[i]), 0);
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, ezn_header_seal(&t->mk, &nh[i], t->hdr), 0);
		KUNIT_ASSERT_EQ(test, ezn_header_open(&t->mk, t->hdr, &fk2), 0);
		KUNIT_EXPECT_TRUE(test, same_file_key(test, fk[i], fk2));
		KUNIT_EXPECT_FALSE(test, same_file_key(test, fk[(i + 1) % 4], fk2));
		ezn_file_key_free(fk2);
	}
	/* Three keys are out, so the pool has room for the freed one. */
	ezn_file_key_free(fk[0]);
	flush_work(&ezn_fk_pool_work);
	KUNIT_EXPECT_TRUE(test, list_empty(&ezn_fk_retired));
	KUNIT_ASSERT_TRUE(test, in_key_pool(fk[0]));
	KUNIT_EXPECT_TRUE(test, memcmp(fk[0]->fresh_key, nh[0].key, EZN_KEY_SIZE));
	KUNIT_EXPECT_FALSE(test, memchr_inv(fk[0]->file_id, 0, EZN_FILE_ID_SIZE));
	for (i = 1; i < 4; i++)
		ezn_file_key_free(fk[i]);
	flush_work(&ezn_fk_pool_work);

	/* With the pool full, a freed key is freed at once, not retired. */
	KUNIT_ASSERT_EQ(test, ezn_header_new_key(&nh[0], &fk[0]), 0);
	queue_work(system_unbound_wq, &ezn_fk_pool_work);	/* refill */
	flush_work(&ezn_fk_pool_work);
	KUNIT_EXPECT_EQ(test, ezn_fk_pool_nr, EZN_FK_POOL_MAX);
	ezn_file_key_free(fk[0]);
	KUNIT_EXPECT_TRUE(test, list_empty(&ezn_fk_retired));
	KUNIT_EXPECT_EQ(test, ezn_fk_pool_nr, EZN_FK_POOL_MAX);
	memzero_explicit(nh, sizeof(nh));
}

static void ezn_header_fields(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk;

	KUNIT_ASSERT_EQ(test, hdr_create(&t->mk, t->hdr, &fk), 0);
	KUNIT_EXPECT_FALSE(test, memcmp(t->hdr, "EZNCRYPT", 8));
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(t->hdr + 8), 1);	/* version */
	KUNIT_EXPECT_EQ(test, get_unaligned_le16(t->hdr + 10), 0);	/* flags */
	KUNIT_EXPECT_EQ(test, get_unaligned_le32(t->hdr + 12), 0U);	/* reserved */
	KUNIT_EXPECT_FALSE(test, memcmp(t->hdr + 16, fk->file_id, EZN_FILE_ID_SIZE));
	KUNIT_EXPECT_FALSE(test, memcmp(t->hdr + 32, t->mk.key_id, EZN_KEY_ID_SIZE));
	KUNIT_EXPECT_TRUE(test, memchr_inv(t->hdr + 48, 0, EZN_NONCE_SIZE));
	KUNIT_EXPECT_TRUE(test, memchr_inv(t->hdr + 60, 0, EZN_KEY_SIZE));
	KUNIT_EXPECT_TRUE(test, memchr_inv(t->hdr + 92, 0, EZN_TAG_SIZE));
	KUNIT_EXPECT_EQ(test, EZN_HDR_USED, 108);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(t->hdr + 108, 0, EZN_HEADER_SIZE - 108), NULL);
	ezn_file_key_free(fk);
}

/*
 * A header encoded here from FORMAT.md alone, with a known file key, decodes
 * to that key; with flags or reserved set (authentically) it is refused as
 * unsupported.
 */
static void ezn_header_encode_by_hand(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk, *ref;
	struct ezn_wrap_buf *w;
	unsigned int i;

	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, w);
	for (i = 0; i < 3; i++) {
		u8 raw[EZN_KEY_SIZE];

		memset(t->bad, 0, EZN_HEADER_SIZE);
		memcpy(t->bad, "EZNCRYPT", 8);
		put_unaligned_le16(1, t->bad + 8);
		put_unaligned_le16(i == 1, t->bad + 10);
		put_unaligned_le32(i == 2 ? 0x80000000 : 0, t->bad + 12);
		get_random_bytes(t->bad + 16, EZN_FILE_ID_SIZE);
		memcpy(t->bad + 32, t->mk.key_id, EZN_KEY_ID_SIZE);
		get_random_bytes(t->bad + 48, EZN_NONCE_SIZE);
		get_random_bytes(raw, sizeof(raw));
		memcpy(w->key, raw, EZN_KEY_SIZE);
		memcpy(w->aad, t->bad, EZN_HDR_AAD_SIZE);
		KUNIT_ASSERT_EQ(test, ezn_aead_buf(t->mk.wrap_tfm, true, t->bad + 48, w->aad, 48,
						   w->key, EZN_KEY_SIZE, w->tag), 0);
		memcpy(t->bad + 60, w->key, EZN_KEY_SIZE);
		memcpy(t->bad + 92, w->tag, EZN_TAG_SIZE);
		if (i) {
			KUNIT_EXPECT_EQ_MSG(test, open_bad(t), -EPROTONOSUPPORT, "%s set",
					    i == 1 ? "flags" : "reserved");
			continue;
		}
		KUNIT_ASSERT_EQ(test, ezn_header_open(&t->mk, t->bad, &fk), 0);
		KUNIT_ASSERT_EQ(test, ezn_file_key_new(t->bad + 16, raw, &ref), 0);
		KUNIT_EXPECT_TRUE(test, same_file_key(test, fk, ref));
		ezn_file_key_free(ref);
		ezn_file_key_free(fk);
		memzero_explicit(raw, sizeof(raw));
	}
}

/* Any one byte of the used part changed: refused, with the errno of its field. */
static void ezn_header_every_byte(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, hdr_create(&t->mk, t->hdr, &fk), 0);
	ezn_file_key_free(fk);
	for (i = 0; i < EZN_HDR_USED; i++) {
		/* A higher version is unsupported; any other damage is -EBADMSG. */
		int want = (i == 8 || i == 9) ? -EPROTONOSUPPORT : -EBADMSG;

		memcpy(t->bad, t->hdr, EZN_HEADER_SIZE);
		t->bad[i] ^= 0x80;
		KUNIT_EXPECT_EQ_MSG(test, open_bad(t), want, "byte %u changed", i);
	}
	/* The unused tail is not authenticated, so it must be zero. */
	for (i = EZN_HDR_USED; i < EZN_HEADER_SIZE; i += 997) {
		memcpy(t->bad, t->hdr, EZN_HEADER_SIZE);
		t->bad[i] = 1;
		KUNIT_EXPECT_EQ_MSG(test, open_bad(t), -EBADMSG, "tail byte %u set", i);
	}
	memcpy(t->bad, t->hdr, EZN_HEADER_SIZE);
	t->bad[EZN_HEADER_SIZE - 1] = 1;
	KUNIT_EXPECT_EQ(test, open_bad(t), -EBADMSG);
}

static void ezn_header_bad_magic_version(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk;

	KUNIT_ASSERT_EQ(test, hdr_create(&t->mk, t->hdr, &fk), 0);
	ezn_file_key_free(fk);

	memcpy(t->bad, t->hdr, EZN_HEADER_SIZE);
	memcpy(t->bad, "EZNCROOT", 8);		/* the mount marker's magic */
	KUNIT_EXPECT_EQ(test, open_bad(t), -EBADMSG);
	memcpy(t->bad, "eznCRYPT", 8);
	KUNIT_EXPECT_EQ(test, open_bad(t), -EBADMSG);

	memcpy(t->bad, t->hdr, EZN_HEADER_SIZE);
	put_unaligned_le16(0, t->bad + 8);
	KUNIT_EXPECT_EQ(test, open_bad(t), -EBADMSG);
	put_unaligned_le16(2, t->bad + 8);
	KUNIT_EXPECT_EQ(test, open_bad(t), -EPROTONOSUPPORT);
	put_unaligned_le16(0xffff, t->bad + 8);
	KUNIT_EXPECT_EQ(test, open_bad(t), -EPROTONOSUPPORT);
}

/* A header cut short (the rest of the block zero), or no header at all. */
static void ezn_header_truncated(struct kunit *test)
{
	static const unsigned int cuts[] = { 0, 4, 8, 10, 16, 32, 48, 60, 92, 100, 107 };
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, hdr_create(&t->mk, t->hdr, &fk), 0);
	ezn_file_key_free(fk);
	for (i = 0; i < ARRAY_SIZE(cuts); i++) {
		memset(t->bad, 0, EZN_HEADER_SIZE);
		memcpy(t->bad, t->hdr, cuts[i]);
		KUNIT_EXPECT_EQ_MSG(test, open_bad(t), -EBADMSG, "header cut at %u", cuts[i]);
	}
	/* Cleartext written where a header belongs. */
	memset(t->bad, 'A', EZN_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, open_bad(t), -EBADMSG);
}

/* Wrapped by another master key: another key id, or a forged one. */
static void ezn_header_foreign_key(struct kunit *test)
{
	struct hdr_test *t = test->priv;
	struct ezn_file_key *fk = NULL;

	KUNIT_ASSERT_EQ(test, hdr_create(&t->other, t->hdr, &fk), 0);
	ezn_file_key_free(fk);
	fk = NULL;
	KUNIT_EXPECT_EQ(test, ezn_header_open(&t->mk, t->hdr, &fk), -EBADMSG);
	KUNIT_EXPECT_PTR_EQ(test, fk, NULL);

	t->other.key_id[0] ^= 1;
	KUNIT_ASSERT_EQ(test, hdr_create(&t->other, t->hdr, &fk), 0);
	ezn_file_key_free(fk);
	fk = NULL;
	KUNIT_EXPECT_EQ(test, ezn_header_open(&t->mk, t->hdr, &fk), -EBADMSG);
	KUNIT_EXPECT_PTR_EQ(test, fk, NULL);
}

static struct kunit_case ezn_header_cases[] = {
	KUNIT_CASE(ezn_header_round_trip),
	KUNIT_CASE(ezn_header_key_pool),
	KUNIT_CASE(ezn_header_fields),
	KUNIT_CASE(ezn_header_encode_by_hand),
	KUNIT_CASE(ezn_header_every_byte),
	KUNIT_CASE(ezn_header_bad_magic_version),
	KUNIT_CASE(ezn_header_truncated),
	KUNIT_CASE(ezn_header_foreign_key),
	{}
};

static struct kunit_suite ezn_header_suite = {
	.name = "ezncryptfs_header",
	.init = hdr_test_init,
	.exit = hdr_test_exit,
	.test_cases = ezn_header_cases,
};

kunit_test_suite(ezn_header_suite);
