// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs format version 1 in userspace, with OpenSSL (see ezn_v1.h and
 * FORMAT.md). Must stay byte-for-byte in step with kmod/keys.c, kmod/header.c
 * and kmod/crypto.c; tests/format/ decodes a sample the module wrote.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "ezn_v1.h"

#define LABEL_KEY_ID	"ezncrypt v1 key id"
#define LABEL_WRAP_KEY	"ezncrypt v1 wrap key"
#define LABEL_MARKER	"ezncrypt v1 mount marker"

#define MARKER_MAGIC	"EZNCROOT"
#define MARKER_AUTHED	32

#define HEADER_MAGIC	"EZNCRYPT"
#define HDR_OFF_VERSION	8
#define HDR_OFF_FLAGS	10
#define HDR_OFF_RESERVED 12
#define HDR_OFF_FILE_ID	16
#define HDR_OFF_KEY_ID	32
#define HDR_AAD_SIZE	48
#define HDR_OFF_NONCE	48
#define HDR_OFF_WRAPPED	60
#define HDR_OFF_TAG	92
#define HDR_USED	108

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static int all_zero(const uint8_t *p, size_t len)
{
	size_t i;
	uint8_t acc = 0;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

/* out = HMAC-SHA256(key, label || data). */
static int hmac(const uint8_t key[EZN_KEY_SIZE], const char *label, const uint8_t *data,
		size_t data_len, uint8_t out[32])
{
	uint8_t msg[64 + EZN_MARKER_SIZE];
	size_t label_len = strlen(label);
	unsigned int out_len = 0;
	int ok;

	if (label_len + data_len > sizeof(msg))
		return -1;
	memcpy(msg, label, label_len);
	if (data_len)
		memcpy(msg + label_len, data, data_len);
	ok = HMAC(EVP_sha256(), key, EZN_KEY_SIZE, msg, label_len + data_len, out, &out_len) &&
	     out_len == 32;
	OPENSSL_cleanse(msg, sizeof(msg));
	return ok ? 0 : -1;
}

int ezn_keys_derive(const uint8_t master[EZN_KEY_SIZE], struct ezn_keys *keys)
{
	uint8_t buf[32];
	uint8_t *m = keys->marker;

	if (hmac(master, LABEL_KEY_ID, NULL, 0, buf))
		goto fail;
	memcpy(keys->key_id, buf, EZN_KEY_ID_SIZE);
	if (hmac(master, LABEL_WRAP_KEY, NULL, 0, keys->wrap_key))
		goto fail;

	memset(m, 0, EZN_MARKER_SIZE);
	memcpy(m, MARKER_MAGIC, 8);
	put_le32(m + 8, EZN_FORMAT_VERSION_1);
	put_le32(m + 12, 0);
	memcpy(m + 16, keys->key_id, EZN_KEY_ID_SIZE);
	if (hmac(master, LABEL_MARKER, m, MARKER_AUTHED, m + MARKER_AUTHED))
		goto fail;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;

fail:
	OPENSSL_cleanse(buf, sizeof(buf));
	ezn_keys_wipe(keys);
	return -1;
}

void ezn_keys_wipe(struct ezn_keys *keys)
{
	OPENSSL_cleanse(keys, sizeof(*keys));
}

void ezn_file_wipe(struct ezn_file *file)
{
	OPENSSL_cleanse(file, sizeof(*file));
}

enum ezn_status ezn_marker_check(const struct ezn_keys *keys, const uint8_t *buf, size_t len,
				 const char **why)
{
	uint32_t version;

	if (len != EZN_MARKER_SIZE) {
		*why = "marker has the wrong size";
		return EZN_DAMAGED;
	}
	if (memcmp(buf, MARKER_MAGIC, 8)) {
		*why = "marker magic is wrong";
		return EZN_DAMAGED;
	}
	version = get_le32(buf + 8);
	if (version > EZN_FORMAT_VERSION_1) {
		*why = "marker records a newer format version";
		return EZN_NEWER;
	}
	if (version != EZN_FORMAT_VERSION_1) {
		*why = "marker records format version 0";
		return EZN_DAMAGED;
	}
	if (CRYPTO_memcmp(buf + 16, keys->key_id, EZN_KEY_ID_SIZE)) {
		*why = "marker key id does not match this key (wrong key)";
		return EZN_OTHER_KEY;
	}
	if (CRYPTO_memcmp(buf, keys->marker, EZN_MARKER_SIZE)) {
		*why = "marker authenticator does not match";
		return EZN_DAMAGED;
	}
	return EZN_OK;
}

/*
 * AES-256-GCM open: @len bytes of @in to @out, with @aad and @tag.
 * Returns EZN_OK, EZN_DAMAGED (tag mismatch) or EZN_ERROR.
 */
static enum ezn_status gcm_open(const uint8_t key[EZN_KEY_SIZE], const uint8_t *nonce,
				const uint8_t *aad, int aad_len, const uint8_t *in, int len,
				const uint8_t *tag, uint8_t *out)
{
	enum ezn_status st = EZN_ERROR;
	uint8_t tagbuf[EZN_TAG_SIZE];
	EVP_CIPHER_CTX *ctx;
	int n;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return EZN_ERROR;
	memcpy(tagbuf, tag, EZN_TAG_SIZE);
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, EZN_NONCE_SIZE, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, aad, aad_len) != 1 ||
	    EVP_DecryptUpdate(ctx, out, &n, in, len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, EZN_TAG_SIZE, tagbuf) != 1)
		goto out;
	st = EVP_DecryptFinal_ex(ctx, out + n, &n) == 1 ? EZN_OK : EZN_DAMAGED;
	if (st != EZN_OK)
		OPENSSL_cleanse(out, len);
out:
	EVP_CIPHER_CTX_free(ctx);
	return st;
}

enum ezn_status ezn_header_open(const struct ezn_keys *keys, const uint8_t *hdr,
				struct ezn_file *file, const char **why)
{
	enum ezn_status st;
	uint16_t version;

	if (memcmp(hdr, HEADER_MAGIC, 8)) {
		*why = "header magic is wrong";
		return EZN_DAMAGED;
	}
	version = get_le16(hdr + HDR_OFF_VERSION);
	if (version > EZN_FORMAT_VERSION_1) {
		*why = "header has a newer format version";
		return EZN_NEWER;
	}
	if (version != EZN_FORMAT_VERSION_1) {
		*why = "header has format version 0";
		return EZN_DAMAGED;
	}
	if (!all_zero(hdr + HDR_USED, EZN_HEADER_SIZE - HDR_USED)) {
		*why = "header padding is not zero";
		return EZN_DAMAGED;
	}
	if (CRYPTO_memcmp(hdr + HDR_OFF_KEY_ID, keys->key_id, EZN_KEY_ID_SIZE)) {
		*why = "header key id does not match (another master key, or damaged)";
		return EZN_OTHER_KEY;
	}
	st = gcm_open(keys->wrap_key, hdr + HDR_OFF_NONCE, hdr, HDR_AAD_SIZE,
		      hdr + HDR_OFF_WRAPPED, EZN_KEY_SIZE, hdr + HDR_OFF_TAG, file->key);
	if (st != EZN_OK) {
		*why = st == EZN_DAMAGED ? "header authentication failed" : "crypto library error";
		ezn_file_wipe(file);
		return st;
	}
	if (get_le16(hdr + HDR_OFF_FLAGS) || get_le32(hdr + HDR_OFF_RESERVED)) {
		*why = "header uses features this tool does not know";
		ezn_file_wipe(file);
		return EZN_NEWER;
	}
	memcpy(file->file_id, hdr + HDR_OFF_FILE_ID, EZN_FILE_ID_SIZE);
	return EZN_OK;
}

/* AES-256-GCM seal of @len bytes of @in to @out and @tag. EZN_OK or EZN_ERROR. */
static enum ezn_status gcm_seal(const uint8_t key[EZN_KEY_SIZE], const uint8_t *nonce,
				const uint8_t *aad, int aad_len, const uint8_t *in, int len,
				uint8_t *out, uint8_t *tag)
{
	enum ezn_status st = EZN_ERROR;
	EVP_CIPHER_CTX *ctx;
	int n;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return EZN_ERROR;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, EZN_NONCE_SIZE, NULL) == 1 &&
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, aad, aad_len) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &n, in, len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + n, &n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, EZN_TAG_SIZE, tag) == 1)
		st = EZN_OK;
	EVP_CIPHER_CTX_free(ctx);
	return st;
}

enum ezn_status ezn_header_wrap(const struct ezn_keys *keys, const struct ezn_file *file,
				uint8_t *hdr)
{
	uint8_t nonce[EZN_NONCE_SIZE], out[EZN_KEY_SIZE], tag[EZN_TAG_SIZE];
	enum ezn_status st;

	if (RAND_bytes(nonce, sizeof(nonce)) != 1)
		return EZN_ERROR;
	memset(hdr, 0, EZN_HEADER_SIZE);
	memcpy(hdr, HEADER_MAGIC, 8);
	hdr[HDR_OFF_VERSION] = EZN_FORMAT_VERSION_1;
	memcpy(hdr + HDR_OFF_FILE_ID, file->file_id, EZN_FILE_ID_SIZE);
	memcpy(hdr + HDR_OFF_KEY_ID, keys->key_id, EZN_KEY_ID_SIZE);
	memcpy(hdr + HDR_OFF_NONCE, nonce, EZN_NONCE_SIZE);
	st = gcm_seal(keys->wrap_key, nonce, hdr, HDR_AAD_SIZE, file->key, EZN_KEY_SIZE, out,
		      tag);
	if (st == EZN_OK) {
		memcpy(hdr + HDR_OFF_WRAPPED, out, EZN_KEY_SIZE);
		memcpy(hdr + HDR_OFF_TAG, tag, EZN_TAG_SIZE);
	} else {
		memset(hdr, 0, EZN_HEADER_SIZE);
	}
	return st;
}

enum ezn_status ezn_header_rewrap(const struct ezn_keys *from, const struct ezn_keys *to,
				  uint8_t *hdr, const char **why)
{
	uint8_t *out = NULL;
	struct ezn_file file;
	enum ezn_status st;

	st = ezn_header_open(from, hdr, &file, why);
	if (st != EZN_OK)
		return st;
	out = OPENSSL_malloc(EZN_HEADER_SIZE);
	if (!out) {
		*why = "out of memory";
		st = EZN_ERROR;
		goto wipe;
	}
	st = ezn_header_wrap(to, &file, out);
	if (st != EZN_OK) {
		*why = "crypto library error";
		goto wipe;
	}
	/* Only the key id, nonce, wrapped key and tag differ. */
	memcpy(hdr + EZN_HDR_REWRAP_OFF, out + EZN_HDR_REWRAP_OFF, EZN_HDR_REWRAP_SIZE);
wipe:
	ezn_file_wipe(&file);
	OPENSSL_clear_free(out, EZN_HEADER_SIZE);
	return st;
}

enum ezn_status ezn_block_open(const struct ezn_file *file, uint64_t index,
			       const uint8_t *cipher, unsigned int len,
			       const uint8_t meta[EZN_META_ENTRY_SIZE], uint8_t *clear)
{
	uint8_t aad[EZN_FILE_ID_SIZE + 8];

	if (!len || len > EZN_BLOCK_SIZE)
		return EZN_ERROR;
	memcpy(aad, file->file_id, EZN_FILE_ID_SIZE);
	put_le64(aad + EZN_FILE_ID_SIZE, index);
	return gcm_open(file->key, meta, aad, sizeof(aad), cipher, (int)len,
			meta + EZN_NONCE_SIZE, clear);
}
