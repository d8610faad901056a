// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the on-disk layout arithmetic (kmod/ezn_format.h): the
 * mapping between cleartext and lower offsets and sizes.
 */
#include <kunit/test.h>

#include "ezn_format.h"

static void ezn_format_group_geometry(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, EZN_BLOCKS_PER_GROUP, 146U);
	KUNIT_EXPECT_LE(test, EZN_BLOCKS_PER_GROUP * EZN_META_ENTRY_SIZE, EZN_BLOCK_SIZE);
	KUNIT_EXPECT_EQ(test, EZN_GROUP_LOWER_SIZE, 147ULL * 4096);
}

static void ezn_format_block_offsets(struct kunit *test)
{
	/* Block 0: after the header and the first metadata block. */
	KUNIT_EXPECT_EQ(test, ezn_meta_block_offset(0), 4096ULL);
	KUNIT_EXPECT_EQ(test, ezn_data_block_offset(0), 8192ULL);
	KUNIT_EXPECT_EQ(test, ezn_meta_entry_offset(0), 0U);
	/* Last block of group 0 and first of group 1. */
	KUNIT_EXPECT_EQ(test, ezn_data_block_offset(145), 4096ULL + 146 * 4096);
	KUNIT_EXPECT_EQ(test, ezn_meta_entry_offset(145), 145U * 28);
	KUNIT_EXPECT_EQ(test, ezn_meta_block_offset(146), 4096ULL + 147 * 4096);
	KUNIT_EXPECT_EQ(test, ezn_data_block_offset(146), 4096ULL + 148 * 4096);
	KUNIT_EXPECT_EQ(test, ezn_meta_entry_offset(146), 0U);
	/* Every data block is 4 KiB aligned, never on a metadata block. */
	KUNIT_EXPECT_EQ(test, ezn_data_block_offset(1000) % 4096, 0ULL);
	KUNIT_EXPECT_NE(test, ezn_data_block_offset(292), ezn_meta_block_offset(292));
}

static void ezn_format_sizes_round_trip(struct kunit *test)
{
	static const u64 sizes[] = {
		0, 1, 15, 16, 4095, 4096, 4097, 8191, 8192,
		146 * 4096 - 1, 146 * 4096, 146 * 4096 + 1, 292 * 4096, 3ULL << 30,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u64 lower = ezn_lower_size(sizes[i]);

		KUNIT_EXPECT_EQ_MSG(test, ezn_clear_size(lower), (long long)sizes[i],
				    "cleartext size %llu", sizes[i]);
		KUNIT_EXPECT_GE(test, lower, sizes[i] + EZN_HEADER_SIZE);
	}
	KUNIT_EXPECT_EQ(test, ezn_lower_size(0), (u64)EZN_HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, ezn_lower_size(1), 4096ULL * 2 + 1);
}

static void ezn_format_damaged_sizes(struct kunit *test)
{
	/* Cut inside the header, or inside (or right after) a metadata block. */
	KUNIT_EXPECT_EQ(test, ezn_clear_size(0), -1LL);
	KUNIT_EXPECT_EQ(test, ezn_clear_size(4095), -1LL);
	KUNIT_EXPECT_EQ(test, ezn_clear_size(4096 + 1), -1LL);
	KUNIT_EXPECT_EQ(test, ezn_clear_size(4096 + 4096), -1LL);
	KUNIT_EXPECT_EQ(test, ezn_clear_size(4096 + 147 * 4096 + 100), -1LL);
}

static void ezn_format_hole_entries(struct kunit *test)
{
	u8 entry[EZN_META_ENTRY_SIZE] = { };

	KUNIT_EXPECT_TRUE(test, ezn_meta_is_hole(entry));
	entry[EZN_META_ENTRY_SIZE - 1] = 1;
	KUNIT_EXPECT_FALSE(test, ezn_meta_is_hole(entry));
}

static struct kunit_case ezn_format_cases[] = {
	KUNIT_CASE(ezn_format_group_geometry),
	KUNIT_CASE(ezn_format_block_offsets),
	KUNIT_CASE(ezn_format_sizes_round_trip),
	KUNIT_CASE(ezn_format_damaged_sizes),
	KUNIT_CASE(ezn_format_hole_entries),
	{}
};

static struct kunit_suite ezn_format_suite = {
	.name = "ezncryptfs_format",
	.test_cases = ezn_format_cases,
};

kunit_test_suite(ezn_format_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for ezncryptfs's pure parts");
