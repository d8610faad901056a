/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ezncryptfs on-disk format, version 1: constants and the pure offset
 * arithmetic between cleartext and lower (ciphertext) files. Plain C with no
 * kernel or libc dependencies beyond fixed-width integers, so the module, the
 * offline tool and the tests compute the layout with the same code. FORMAT.md
 * documents every byte; keep the two in step.
 *
 * A lower file is:
 *
 *	[header: EZN_HEADER_SIZE]
 *	[meta 0][data 0]...[data 145]
 *	[meta 1][data 146]...[data 291]
 *	...
 *
 * Every data block holds EZN_BLOCK_SIZE bytes of ciphertext except the last,
 * which holds exactly as many bytes as its cleartext (AES-GCM does not pad).
 * Each group of EZN_BLOCKS_PER_GROUP data blocks is preceded by one metadata
 * block holding, for each of its data blocks, the 12-byte nonce and the
 * 16-byte tag. A metadata entry of all zeroes marks a hole (reads as zeroes).
 * Every block is 4 KiB aligned in the lower file, so full blocks can be
 * written to the lower file with direct I/O.
 *
 * The cleartext size follows from the lower size alone (ezn_clear_size()).
 */
#ifndef EZN_FORMAT_H
#define EZN_FORMAT_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef u8 ezn_u8;
typedef u64 ezn_u64;
#else
#include <stdint.h>
typedef uint8_t ezn_u8;
typedef uint64_t ezn_u64;
#endif

#define EZN_FORMAT_VERSION_1	1
#define EZN_BLOCK_SHIFT		12
#define EZN_BLOCK_SIZE		4096U
#define EZN_HEADER_SIZE		EZN_BLOCK_SIZE

#define EZN_NONCE_SIZE		12
#define EZN_TAG_SIZE		16
#define EZN_META_ENTRY_SIZE	(EZN_NONCE_SIZE + EZN_TAG_SIZE)
#define EZN_BLOCKS_PER_GROUP	(EZN_BLOCK_SIZE / EZN_META_ENTRY_SIZE)	/* 146 */
/* One metadata block plus its data blocks. */
#define EZN_GROUP_LOWER_SIZE	((ezn_u64)(EZN_BLOCKS_PER_GROUP + 1) * EZN_BLOCK_SIZE)
#define EZN_GROUP_CLEAR_SIZE	((ezn_u64)EZN_BLOCKS_PER_GROUP * EZN_BLOCK_SIZE)

#define EZN_FILE_ID_SIZE	16
#define EZN_KEY_ID_SIZE		16
#define EZN_KEY_SIZE		32	/* AES-256 */

/* Lower offset of the metadata block of the group holding data block @index. */
static inline ezn_u64 ezn_meta_block_offset(ezn_u64 index)
{
	return EZN_HEADER_SIZE + (index / EZN_BLOCKS_PER_GROUP) * EZN_GROUP_LOWER_SIZE;
}

/* Offset of @index's entry inside its metadata block. */
static inline unsigned int ezn_meta_entry_offset(ezn_u64 index)
{
	return (unsigned int)(index % EZN_BLOCKS_PER_GROUP) * EZN_META_ENTRY_SIZE;
}

/* Lower offset of data block @index. */
static inline ezn_u64 ezn_data_block_offset(ezn_u64 index)
{
	return ezn_meta_block_offset(index) +
	       (1 + index % EZN_BLOCKS_PER_GROUP) * (ezn_u64)EZN_BLOCK_SIZE;
}

/*
 * Lower size of a file holding @clear_size cleartext bytes. A file with no
 * data is just its header.
 */
static inline ezn_u64 ezn_lower_size(ezn_u64 clear_size)
{
	ezn_u64 groups, rem;

	if (clear_size == 0)
		return EZN_HEADER_SIZE;
	groups = clear_size / EZN_GROUP_CLEAR_SIZE;
	rem = clear_size % EZN_GROUP_CLEAR_SIZE;
	if (rem == 0)
		return EZN_HEADER_SIZE + groups * EZN_GROUP_LOWER_SIZE;
	return EZN_HEADER_SIZE + groups * EZN_GROUP_LOWER_SIZE + EZN_BLOCK_SIZE + rem;
}

/*
 * Cleartext size of a lower file of @lower_size bytes, or -1 when no
 * cleartext size maps to it (a lower file cut inside a header or a metadata
 * block: damaged).
 */
static inline long long ezn_clear_size(ezn_u64 lower_size)
{
	ezn_u64 body, groups, rem;

	if (lower_size < EZN_HEADER_SIZE)
		return -1;
	body = lower_size - EZN_HEADER_SIZE;
	groups = body / EZN_GROUP_LOWER_SIZE;
	rem = body % EZN_GROUP_LOWER_SIZE;
	if (rem == 0)
		return (long long)(groups * EZN_GROUP_CLEAR_SIZE);
	if (rem <= EZN_BLOCK_SIZE)
		return -1;
	return (long long)(groups * EZN_GROUP_CLEAR_SIZE + rem - EZN_BLOCK_SIZE);
}

/* Whether a metadata entry marks a hole (never written: all zeroes). */
static inline int ezn_meta_is_hole(const ezn_u8 *entry)
{
	unsigned int i;

	for (i = 0; i < EZN_META_ENTRY_SIZE; i++)
		if (entry[i])
			return 0;
	return 1;
}

#endif /* EZN_FORMAT_H */
