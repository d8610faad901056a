/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ezncryptfs crypto interface (kmod/crypto.c, kmod/keys.c, kmod/header.c):
 * master keys from the keyring, per-file keys wrapped in the file header, and
 * AES-256-GCM sealing of data blocks. The filesystem side calls only these.
 *
 * All functions may sleep. Every key copy is wiped when freed.
 */
#ifndef EZN_CRYPTO_H
#define EZN_CRYPTO_H

#include <linux/types.h>
#include <linux/mm_types.h>

#include "ezn_format.h"

struct ezn_master_key;	/* per mount, refcounted */
struct ezn_file_key;	/* per inode */

/* Size of the lower root's mount marker file (EZN_MARKER_NAME). */
#define EZN_MARKER_NAME	".ezncryptfs"
#define EZN_MARKER_SIZE	64

/*
 * Look up the logon key named @desc in the caller's keyrings (no upcall) and
 * build the mount's crypto state from its 32-byte payload.
 * Returns -ENOKEY when absent, -EKEYREJECTED when the payload is malformed.
 */
int ezn_master_key_load(const char *desc, struct ezn_master_key **out);
void ezn_master_key_put(struct ezn_master_key *mk);

/*
 * Mount marker: ezn_marker_create() fills @buf for a new lower root;
 * ezn_marker_check() returns 0 when @buf matches @mk, -EKEYREJECTED for a
 * different key, -EPROTONOSUPPORT for a newer format version and -EUCLEAN
 * when the marker is damaged.
 */
void ezn_marker_create(struct ezn_master_key *mk, u8 buf[EZN_MARKER_SIZE]);
int ezn_marker_check(struct ezn_master_key *mk, const u8 buf[EZN_MARKER_SIZE]);

/*
 * File header: ezn_header_create() makes a new random file id and file key
 * and writes the header into @hdr; ezn_header_open() authenticates @hdr and
 * unwraps the key (-EBADMSG when damaged or wrapped by another key,
 * -EPROTONOSUPPORT for an unknown version).
 */
int ezn_header_create(struct ezn_master_key *mk, u8 hdr[EZN_HEADER_SIZE],
		      struct ezn_file_key **out);
int ezn_header_open(struct ezn_master_key *mk, const u8 hdr[EZN_HEADER_SIZE],
		    struct ezn_file_key **out);
void ezn_file_key_free(struct ezn_file_key *fk);

/*
 * Seal @len (1..EZN_BLOCK_SIZE) bytes of cleartext block @index from @clear
 * (at offset 0) into @cipher (at offset 0) with a fresh random nonce, writing
 * nonce and tag into @meta. ezn_block_open() is the inverse and returns
 * -EBADMSG when the block, its metadata or its position was tampered with.
 * @clear and @cipher may be the same page.
 *
 * For callers (note from the crypto core): kmod/crypto.c does not log a failed
 * open, as it does not know the file. The read path turns -EBADMSG (here and
 * from ezn_header_open()) into -EIO and logs one rate-limited line naming the
 * file and the block index, e.g. "block 7 of <name> (ino N): authentication
 * failed"; the tests match "block N" and the file name. An all-zero metadata
 * entry (ezn_meta_is_hole()) is a hole and is not passed to ezn_block_open().
 */
int ezn_block_seal(struct ezn_file_key *fk, u64 index, struct page *clear, struct page *cipher,
		   unsigned int len, u8 meta[EZN_META_ENTRY_SIZE]);
int ezn_block_open(struct ezn_file_key *fk, u64 index, struct page *cipher, struct page *clear,
		   unsigned int len, const u8 meta[EZN_META_ENTRY_SIZE]);

#endif /* EZN_CRYPTO_H */
