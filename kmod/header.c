// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs file header, version 1 (FORMAT.md, "File header"): a random file
 * id and a random per-file key, the key wrapped with AES-256-GCM under the
 * wrap key derived from the master key, the header fields before the nonce
 * being the associated data. Rotating the master key means rewrapping headers;
 * the data blocks stay as they are.
 */
#include <linux/slab.h>
#include <linux/random.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <crypto/algapi.h>

#include "crypto_priv.h"

/* The wrap's working set, kmalloc'ed so scatterlists may point into it. */
struct ezn_wrap_buf {
	u8 aad[EZN_HDR_AAD_SIZE];
	u8 key[EZN_KEY_SIZE];
	u8 tag[EZN_TAG_SIZE];
};

int ezn_header_new_key(struct ezn_new_header *nh, struct ezn_file_key **out)
{
	get_random_bytes(nh->file_id, EZN_FILE_ID_SIZE);
	return ezn_file_key_fresh(nh->file_id, nh->key, out);
}

int ezn_header_seal(struct ezn_master_key *mk, const struct ezn_new_header *nh,
		    u8 hdr[EZN_HEADER_SIZE])
{
	struct ezn_wrap_buf *w;
	int err;

	w = kmalloc(sizeof(*w), GFP_NOFS);
	if (!w)
		return -ENOMEM;

	memset(hdr, 0, EZN_HEADER_SIZE);
	memcpy(hdr, EZN_HEADER_MAGIC, EZN_HEADER_MAGIC_SIZE);
	put_unaligned_le16(EZN_FORMAT_VERSION_1, hdr + EZN_HDR_OFF_VERSION);
	memcpy(hdr + EZN_HDR_OFF_FILE_ID, nh->file_id, EZN_FILE_ID_SIZE);
	memcpy(hdr + EZN_HDR_OFF_KEY_ID, mk->key_id, EZN_KEY_ID_SIZE);
	get_random_bytes(hdr + EZN_HDR_OFF_NONCE, EZN_NONCE_SIZE);

	memcpy(w->key, nh->key, EZN_KEY_SIZE);
	memcpy(w->aad, hdr, EZN_HDR_AAD_SIZE);
	err = ezn_aead_buf(mk->wrap_tfm, true, hdr + EZN_HDR_OFF_NONCE, w->aad,
			   EZN_HDR_AAD_SIZE, w->key, EZN_KEY_SIZE, w->tag);
	if (err) {
		memset(hdr, 0, EZN_HEADER_SIZE);
		goto wipe_buf;
	}
	memcpy(hdr + EZN_HDR_OFF_WRAPPED, w->key, EZN_KEY_SIZE);
	memcpy(hdr + EZN_HDR_OFF_TAG, w->tag, EZN_TAG_SIZE);
wipe_buf:
	kfree_sensitive(w);
	return err;
}

int ezn_header_open(struct ezn_master_key *mk, const u8 hdr[EZN_HEADER_SIZE],
		    struct ezn_file_key **out)
{
	struct ezn_wrap_buf *w;
	u16 version;
	int err;

	if (memcmp(hdr, EZN_HEADER_MAGIC, EZN_HEADER_MAGIC_SIZE))
		return -EBADMSG;
	version = get_unaligned_le16(hdr + EZN_HDR_OFF_VERSION);
	if (version > EZN_FORMAT_VERSION_1)
		return -EPROTONOSUPPORT;
	if (version != EZN_FORMAT_VERSION_1)
		return -EBADMSG;
	/* Nothing past the tag is authenticated, so all of it must be zero. */
	if (memchr_inv(hdr + EZN_HDR_USED, 0, EZN_HEADER_SIZE - EZN_HDR_USED))
		return -EBADMSG;
	/* Wrapped by another master key (or its key id damaged). */
	if (crypto_memneq(hdr + EZN_HDR_OFF_KEY_ID, mk->key_id, EZN_KEY_ID_SIZE))
		return -EBADMSG;

	w = kmalloc(sizeof(*w), GFP_NOFS);
	if (!w)
		return -ENOMEM;
	memcpy(w->aad, hdr, EZN_HDR_AAD_SIZE);
	memcpy(w->key, hdr + EZN_HDR_OFF_WRAPPED, EZN_KEY_SIZE);
	memcpy(w->tag, hdr + EZN_HDR_OFF_TAG, EZN_TAG_SIZE);
	err = ezn_aead_buf(mk->wrap_tfm, false, hdr + EZN_HDR_OFF_NONCE, w->aad,
			   EZN_HDR_AAD_SIZE, w->key, EZN_KEY_SIZE, w->tag);
	if (err)
		goto wipe_buf;

	/* Authentic, but written with features this version does not know. */
	if (get_unaligned_le16(hdr + EZN_HDR_OFF_FLAGS) ||
	    get_unaligned_le32(hdr + EZN_HDR_OFF_RESERVED)) {
		err = -EPROTONOSUPPORT;
		goto wipe_buf;
	}

	err = ezn_file_key_new(hdr + EZN_HDR_OFF_FILE_ID, w->key, out);
wipe_buf:
	kfree_sensitive(w);
	return err;
}
