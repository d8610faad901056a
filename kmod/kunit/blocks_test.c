// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for sealing and opening runs of blocks (ezn_blocks_seal() and
 * ezn_blocks_open(), kmod/crypto.c), which writeback and readahead spread over
 * the online CPUs: every block of runs of every length round trips, each
 * under its own index (the single-block path opens what a run sealed), and a
 * damaged block or a swapped metadata entry fails alone while a hole is left
 * untouched. crypto.c is compiled into this module by header_test.c.
 */
#include <kunit/test.h>
#include <linux/highmem.h>
#include <linux/random.h>

#include "../crypto_priv.h"

#define RUN_MAX	32

struct run_test {
	struct ezn_file_key *fk;
	struct page *clear[RUN_MAX];
	struct page *cipher[RUN_MAX];
	struct page *out[RUN_MAX];
	unsigned int len[RUN_MAX];
	int err[RUN_MAX];
	u8 meta[RUN_MAX * EZN_META_ENTRY_SIZE];
};

static int run_test_init(struct kunit *test)
{
	struct run_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	u8 id[EZN_FILE_ID_SIZE], key[EZN_KEY_SIZE];
	unsigned int i;
	int err;

	if (!t)
		return -ENOMEM;
	test->priv = t;
	for (i = 0; i < RUN_MAX; i++) {
		t->clear[i] = alloc_page(GFP_KERNEL);
		t->cipher[i] = alloc_page(GFP_KERNEL);
		t->out[i] = alloc_page(GFP_KERNEL);
		if (!t->clear[i] || !t->cipher[i] || !t->out[i])
			return -ENOMEM;
		/* Block i is filled with byte i + 1 up to its length. */
		memset(page_address(t->clear[i]), i + 1, PAGE_SIZE);
	}
	get_random_bytes(id, sizeof(id));
	get_random_bytes(key, sizeof(key));
	err = ezn_file_key_new(id, key, &t->fk);
	memzero_explicit(key, sizeof(key));
	if (err)
		kunit_skip(test, "no %s in this kernel (%d)", EZN_AEAD_ALG, err);
	return 0;
}

static void run_test_exit(struct kunit *test)
{
	struct run_test *t = test->priv;
	unsigned int i;

	if (!t)
		return;
	ezn_file_key_free(t->fk);
	ezn_file_key_pool_drain();
	for (i = 0; i < RUN_MAX; i++) {
		if (t->clear[i])
			__free_page(t->clear[i]);
		if (t->cipher[i])
			__free_page(t->cipher[i]);
		if (t->out[i])
			__free_page(t->out[i]);
	}
}

/* Full blocks but a short last one, as writeback passes them. */
static void run_lengths(struct run_test *t, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		t->len[i] = i + 1 < nr ? EZN_BLOCK_SIZE : 100 + i;
}

static bool block_is(struct page *page, unsigned int i, unsigned int len)
{
	return !memchr_inv(page_address(page), i + 1, len);
}

static void run_seal(struct kunit *test, struct run_test *t, u64 first, unsigned int nr)
{
	run_lengths(t, nr);
	memset(t->err, 0x7f, sizeof(t->err));
	KUNIT_ASSERT_EQ(test, ezn_blocks_seal(t->fk, first, nr, t->clear, t->cipher, t->len,
					      t->meta, t->err), 0);
}

/* Runs of every length from 1 to RUN_MAX, at an index that is not 0. */
static void ezn_blocks_round_trip(struct kunit *test)
{
	struct run_test *t = test->priv;
	const u64 first = 1000;
	unsigned int nr, i;

	for (nr = 1; nr <= RUN_MAX; nr++) {
		run_seal(test, t, first, nr);
		for (i = 0; i < nr; i++) {
			KUNIT_EXPECT_EQ(test, t->err[i], 0);
			KUNIT_EXPECT_TRUE(test, memchr_inv(page_address(t->cipher[i]), i + 1,
							   t->len[i]));
			/* The single-block path opens it under its own index only. */
			memset(page_address(t->out[i]), 0, PAGE_SIZE);
			KUNIT_EXPECT_EQ(test, ezn_block_open(t->fk, first + i, t->cipher[i],
							     t->out[i], t->len[i],
							     t->meta + i * EZN_META_ENTRY_SIZE), 0);
			KUNIT_EXPECT_TRUE(test, block_is(t->out[i], i, t->len[i]));
			KUNIT_EXPECT_EQ(test, ezn_block_open(t->fk, first + i + 1, t->cipher[i],
							     t->out[i], t->len[i],
							     t->meta + i * EZN_META_ENTRY_SIZE),
					-EBADMSG);
		}
		for (i = 0; i < nr; i++)
			memset(page_address(t->out[i]), 0, PAGE_SIZE);
		memset(t->err, 0x7f, sizeof(t->err));
		ezn_blocks_open(t->fk, first, nr, t->cipher, t->out, t->len, t->meta, t->err);
		for (i = 0; i < nr; i++) {
			KUNIT_EXPECT_EQ_MSG(test, t->err[i], 0, "run of %u, block %u", nr, i);
			KUNIT_EXPECT_TRUE_MSG(test, block_is(t->out[i], i, t->len[i]),
					      "run of %u, block %u", nr, i);
		}
	}
}

/* A damaged block and two swapped entries fail alone; a hole is skipped. */
static void ezn_blocks_damage(struct kunit *test)
{
	struct run_test *t = test->priv;
	u8 entry[EZN_META_ENTRY_SIZE];
	unsigned int i;

	run_seal(test, t, 0, RUN_MAX);
	((u8 *)page_address(t->cipher[5]))[77] ^= 0x01;
	memcpy(entry, t->meta + 12 * EZN_META_ENTRY_SIZE, sizeof(entry));
	memcpy(t->meta + 12 * EZN_META_ENTRY_SIZE, t->meta + 13 * EZN_META_ENTRY_SIZE,
	       sizeof(entry));
	memcpy(t->meta + 13 * EZN_META_ENTRY_SIZE, entry, sizeof(entry));
	t->len[9] = 0;
	for (i = 0; i < RUN_MAX; i++)
		memset(page_address(t->out[i]), 0xee, PAGE_SIZE);

	ezn_blocks_open(t->fk, 0, RUN_MAX, t->cipher, t->out, t->len, t->meta, t->err);
	for (i = 0; i < RUN_MAX; i++) {
		if (i == 5 || i == 12 || i == 13) {
			KUNIT_EXPECT_EQ_MSG(test, t->err[i], -EBADMSG, "block %u", i);
		} else if (i == 9) {
			KUNIT_EXPECT_EQ(test, t->err[i], 0);
			KUNIT_EXPECT_FALSE(test, memchr_inv(page_address(t->out[i]), 0xee,
							    PAGE_SIZE));
		} else {
			KUNIT_EXPECT_EQ_MSG(test, t->err[i], 0, "block %u", i);
			KUNIT_EXPECT_TRUE_MSG(test, block_is(t->out[i], i, t->len[i]),
					      "block %u", i);
		}
	}
}

static struct kunit_case ezn_blocks_cases[] = {
	KUNIT_CASE(ezn_blocks_round_trip),
	KUNIT_CASE(ezn_blocks_damage),
	{}
};

static struct kunit_suite ezn_blocks_suite = {
	.name = "ezncryptfs_blocks",
	.init = run_test_init,
	.exit = run_test_exit,
	.test_cases = ezn_blocks_cases,
};

kunit_test_suite(ezn_blocks_suite);
