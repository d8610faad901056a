/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace decoder for ezncryptfs on-disk format version 1 (FORMAT.md): key
 * derivations, the mount marker, the file header and block opening, with
 * OpenSSL's HMAC-SHA256 and AES-256-GCM. The layout arithmetic is shared with
 * the module (kmod/ezn_format.h); the byte offsets below are FORMAT.md's.
 */
#ifndef EZN_V1_H
#define EZN_V1_H

#include <stddef.h>
#include <stdint.h>

#include "ezn_format.h"

#define EZN_MARKER_NAME		".ezncryptfs"
#define EZN_MARKER_SIZE		64

/* What a master key derives to; ezn_keys_wipe() clears it. */
struct ezn_keys {
	uint8_t key_id[EZN_KEY_ID_SIZE];
	uint8_t wrap_key[EZN_KEY_SIZE];
	uint8_t marker[EZN_MARKER_SIZE];	/* the marker this key writes */
};

/* A file's identity and key, unwrapped from its header. */
struct ezn_file {
	uint8_t file_id[EZN_FILE_ID_SIZE];
	uint8_t key[EZN_KEY_SIZE];
};

enum ezn_status {
	EZN_OK = 0,
	EZN_DAMAGED,		/* fails authentication or is malformed */
	EZN_OTHER_KEY,		/* made with a different master key */
	EZN_NEWER,		/* a format version or feature this tool does not know */
	EZN_ERROR,		/* the crypto library failed */
};

int ezn_keys_derive(const uint8_t master[EZN_KEY_SIZE], struct ezn_keys *keys);
void ezn_keys_wipe(struct ezn_keys *keys);

/* Check a mount marker; @why gets a short reason on failure. */
enum ezn_status ezn_marker_check(const struct ezn_keys *keys, const uint8_t *buf, size_t len,
				 const char **why);

/* Authenticate @hdr (EZN_HEADER_SIZE bytes) and unwrap its file key. */
enum ezn_status ezn_header_open(const struct ezn_keys *keys, const uint8_t *hdr,
				struct ezn_file *file, const char **why);
void ezn_file_wipe(struct ezn_file *file);

/* Where a header's key id is, and the bytes a rewrap changes (FORMAT.md). */
#define EZN_HDR_KEY_ID_OFF	32
#define EZN_HDR_REWRAP_OFF	32	/* key id, wrap nonce, wrapped key, tag */
#define EZN_HDR_REWRAP_SIZE	76

/* Write a whole version 1 header for @file under @keys (fresh random nonce). */
enum ezn_status ezn_header_wrap(const struct ezn_keys *keys, const struct ezn_file *file,
				uint8_t *hdr);
/*
 * Key rotation: unwrap @hdr's file key with @from and wrap it with @to under
 * a fresh nonce, in place; only bytes EZN_HDR_REWRAP_OFF.. (+SIZE) change.
 * On failure (as ezn_header_open()) @hdr is unchanged.
 */
enum ezn_status ezn_header_rewrap(const struct ezn_keys *from, const struct ezn_keys *to,
				  uint8_t *hdr, const char **why);

/*
 * Open data block @index: @len (1..EZN_BLOCK_SIZE) bytes of ciphertext from
 * @cipher with metadata entry @meta into @clear. EZN_DAMAGED on tag failure.
 */
enum ezn_status ezn_block_open(const struct ezn_file *file, uint64_t index,
			       const uint8_t *cipher, unsigned int len,
			       const uint8_t meta[EZN_META_ENTRY_SIZE], uint8_t *clear);

#endif /* EZN_V1_H */
