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
#include <linux/spinlock.h>

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
/* Copy the key id of @mk (FORMAT.md "Keys and derivations"). */
void ezn_master_key_id(const struct ezn_master_key *mk, u8 id[EZN_KEY_ID_SIZE]);

/*
 * A mount's master keys (FORMAT.md "Key rotation"): the current one, which
 * wraps every new header, and up to EZN_MAX_MASTER_KEYS - 1 older ones that
 * still open headers not yet rewrapped. keys[0] is current. Readers take a
 * reference under @lock; the keys change only on rotate and retire.
 */
#define EZN_MAX_MASTER_KEYS	4

struct ezn_key_set {
	spinlock_t lock;	/* guards keys[] */
	struct ezn_master_key *keys[EZN_MAX_MASTER_KEYS];
};

/* Takes over the reference of @mk, which becomes the current key. */
void ezn_key_set_init(struct ezn_key_set *ks, struct ezn_master_key *mk);
void ezn_key_set_destroy(struct ezn_key_set *ks);
/* The current key, referenced (drop with ezn_master_key_put()). */
struct ezn_master_key *ezn_key_set_current(struct ezn_key_set *ks);
/*
 * Make @mk (a new reference is taken) the current key; the former current
 * key stays as an older one. 0 when @mk was current already, -ENOSPC when
 * EZN_MAX_MASTER_KEYS keys are held.
 */
int ezn_key_set_rotate(struct ezn_key_set *ks, struct ezn_master_key *mk);
/* Add @mk as an older key (mount option oldkey=); 0 if already held. */
int ezn_key_set_add_old(struct ezn_key_set *ks, struct ezn_master_key *mk);
/* Drop the older key @id: -EBUSY for the current key, -ENOENT when not held. */
int ezn_key_set_retire(struct ezn_key_set *ks, const u8 id[EZN_KEY_ID_SIZE]);
/* ezn_header_open() with the held key whose id is the header's. */
int ezn_key_set_header_open(struct ezn_key_set *ks, const u8 hdr[EZN_HEADER_SIZE],
			    struct ezn_file_key **out);

/*
 * Mount marker: ezn_marker_create() fills @buf for a new lower root;
 * ezn_marker_check() returns 0 when @buf matches @mk, -EKEYREJECTED for a
 * different key, -EPROTONOSUPPORT for a newer format version and -EUCLEAN
 * when the marker is damaged.
 */
void ezn_marker_create(struct ezn_master_key *mk, u8 buf[EZN_MARKER_SIZE]);
int ezn_marker_check(struct ezn_master_key *mk, const u8 buf[EZN_MARKER_SIZE]);

/*
 * File header. A new file's: ezn_header_new_key() draws a random file id and
 * file key into @nh (the caller wipes it with kfree_sensitive()) and gives the
 * file key; ezn_header_seal() wraps them under @mk into @hdr, with a fresh
 * nonce each time, when the header is written (with the file's first lower
 * write). ezn_header_open() authenticates @hdr and unwraps the key (-EBADMSG
 * when damaged or wrapped by another key, -EPROTONOSUPPORT for an unknown
 * version).
 */
struct ezn_new_header {
	u8 file_id[EZN_FILE_ID_SIZE];
	u8 key[EZN_KEY_SIZE];
};

int ezn_header_new_key(struct ezn_new_header *nh, struct ezn_file_key **out);
int ezn_header_seal(struct ezn_master_key *mk, const struct ezn_new_header *nh,
		    u8 hdr[EZN_HEADER_SIZE]);
int ezn_header_open(struct ezn_master_key *mk, const u8 hdr[EZN_HEADER_SIZE],
		    struct ezn_file_key **out);
void ezn_file_key_free(struct ezn_file_key *fk);
/* Free the file keys kept for reuse (module exit). */
void ezn_file_key_pool_drain(void);

/* At module load: pick the gcm(aes) implementation (kmod/gcm_impl.c). */
int ezn_gcm_impl_init(void);

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

/*
 * ezn_block_seal() or ezn_block_open() on each block of a run of one file:
 * block @first + i goes from @in[i] to @out[i] (@clear to @cipher when
 * sealing), @len[i] bytes (0 skips the block: a hole), with its metadata
 * entry at @meta + i * EZN_META_ENTRY_SIZE, and its result in @err[i]. A long
 * run is spread over the online CPUs. ezn_blocks_seal() returns the first
 * error.
 */
int ezn_blocks_seal(struct ezn_file_key *fk, u64 first, unsigned int nr, struct page **clear,
		    struct page **cipher, const unsigned int *len, u8 *meta, int *err);
void ezn_blocks_open(struct ezn_file_key *fk, u64 first, unsigned int nr, struct page **cipher,
		     struct page **clear, const unsigned int *len, u8 *meta, int *err);

#endif /* EZN_CRYPTO_H */
