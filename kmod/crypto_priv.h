/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private to the crypto core (kmod/keys.c, kmod/header.c, kmod/crypto.c): the
 * layout of the key structures and the helpers the three files share. The
 * filesystem uses kmod/crypto.h only.
 */
#ifndef EZN_CRYPTO_PRIV_H
#define EZN_CRYPTO_PRIV_H

#include <linux/refcount.h>
#include <linux/mutex.h>
#include <crypto/aead.h>

#include "crypto.h"

#define EZN_AEAD_ALG		"gcm(aes)"
#define EZN_HMAC_ALG		"hmac(sha256)"
#define EZN_HMAC_SIZE		32

/* A block's associated data: the file id and the little-endian block index. */
#define EZN_BLOCK_AAD_SIZE	(EZN_FILE_ID_SIZE + 8)

/* Derivation labels: HMAC-SHA256(master key, label). FORMAT.md lists them. */
#define EZN_LABEL_KEY_ID	"ezncrypt v1 key id"
#define EZN_LABEL_WRAP_KEY	"ezncrypt v1 wrap key"
#define EZN_LABEL_MARKER	"ezncrypt v1 mount marker"

/* Mount marker, EZN_MARKER_SIZE bytes, all integers little endian. */
#define EZN_MARKER_MAGIC	"EZNCROOT"
#define EZN_MARKER_MAGIC_SIZE	8
#define EZN_MARKER_OFF_VERSION	8	/* le32 */
#define EZN_MARKER_OFF_FLAGS	12	/* le32, 0 in version 1 */
#define EZN_MARKER_OFF_KEY_ID	16	/* EZN_KEY_ID_SIZE */
#define EZN_MARKER_AUTHED	32	/* bytes covered by the authenticator */
#define EZN_MARKER_OFF_AUTH	32	/* HMAC-SHA256, 32 bytes */

/* File header, EZN_HEADER_SIZE bytes, all integers little endian. */
#define EZN_HEADER_MAGIC	"EZNCRYPT"
#define EZN_HEADER_MAGIC_SIZE	8
#define EZN_HDR_OFF_VERSION	8	/* le16 */
#define EZN_HDR_OFF_FLAGS	10	/* le16, 0 in version 1 */
#define EZN_HDR_OFF_RESERVED	12	/* le32, 0 */
#define EZN_HDR_OFF_FILE_ID	16	/* EZN_FILE_ID_SIZE */
#define EZN_HDR_OFF_KEY_ID	32	/* EZN_KEY_ID_SIZE */
#define EZN_HDR_AAD_SIZE	48	/* bytes 0..47 are the wrap's AAD */
#define EZN_HDR_OFF_NONCE	48	/* EZN_NONCE_SIZE */
#define EZN_HDR_OFF_WRAPPED	60	/* EZN_KEY_SIZE */
#define EZN_HDR_OFF_TAG		92	/* EZN_TAG_SIZE */
#define EZN_HDR_USED		108	/* the rest is zero */

struct ezn_master_key {
	refcount_t ref;
	u8 key_id[EZN_KEY_ID_SIZE];
	u8 marker[EZN_MARKER_SIZE];	/* this key's marker, computed at load */
	struct crypto_aead *wrap_tfm;	/* gcm(aes) keyed with the wrap key */
};

struct ezn_crypt_req;

struct ezn_file_key {
	struct crypto_aead *tfm;	/* gcm(aes) keyed with the file key */
	u8 file_id[EZN_FILE_ID_SIZE];
	unsigned int req_size;		/* sizeof(struct ezn_crypt_req) + reqsize */
	struct mutex spare_lock;	/* guards spare */
	struct ezn_crypt_req *spare;	/* preallocated request, used when free */
	struct list_head pool;		/* in the pool or retired list (crypto.c) */
	u8 fresh_key[EZN_KEY_SIZE];	/* in the pool: the key it is keyed with */
};

/* The gcm(aes) driver picked at load (kmod/gcm_impl.c). */
const char *ezn_gcm_driver_name(void);

/* Allocate an AES-256-GCM transform keyed with @key (tag EZN_TAG_SIZE). */
struct crypto_aead *ezn_aead_alloc(const u8 key[EZN_KEY_SIZE]);

/*
 * One AES-256-GCM operation on kmalloc'ed (scatterlist-safe) buffers:
 * @enc seals @buf (@len bytes) in place and writes the tag to @tag; otherwise
 * @buf is opened in place and the tag checked (-EBADMSG).
 */
int ezn_aead_buf(struct crypto_aead *tfm, bool enc, const u8 nonce[EZN_NONCE_SIZE],
		 u8 *aad, unsigned int aad_len, u8 *buf, unsigned int len,
		 u8 tag[EZN_TAG_SIZE]);

/* Build a file key from its id and raw key (the caller wipes @key). */
int ezn_file_key_new(const u8 file_id[EZN_FILE_ID_SIZE], const u8 key[EZN_KEY_SIZE],
		     struct ezn_file_key **out);

/* A new file's key: drawn at random into @key (the caller wipes it), ahead of time when it can. */
int ezn_file_key_fresh(const u8 file_id[EZN_FILE_ID_SIZE], u8 key[EZN_KEY_SIZE],
		       struct ezn_file_key **out);

#endif /* EZN_CRYPTO_PRIV_H */
