// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs master keys: a 32-byte "logon" key from the kernel keyring (its
 * payload cannot be read back from userspace), from which the key id, the key
 * wrapping key and the mount marker are derived with HMAC-SHA256 (FORMAT.md,
 * "Keys and derivations"). The raw master key lives only for the duration of
 * ezn_master_key_load(); what stays is the derived state, wiped on the last put.
 */
#include <linux/key.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/unaligned.h>
#include <keys/user-type.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>

#include "crypto_priv.h"

/* out = HMAC-SHA256(key, label || data), where @data may be NULL. */
static int ezn_hmac(struct crypto_shash *tfm, const char *label, const u8 *data,
		    unsigned int data_len, u8 out[EZN_HMAC_SIZE])
{
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	desc->tfm = tfm;
	err = crypto_shash_init(desc);
	if (!err)
		err = crypto_shash_update(desc, label, strlen(label));
	if (!err && data_len)
		err = crypto_shash_update(desc, data, data_len);
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

/* Derive everything a mount needs from the raw master key @raw. */
static int ezn_master_key_derive(struct ezn_master_key *mk, const u8 raw[EZN_KEY_SIZE])
{
	struct crypto_shash *hmac;
	u8 *buf;
	int err;

	/* kmalloc'ed: the wrap key must never sit on a stack that is not wiped. */
	buf = kmalloc(EZN_HMAC_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	hmac = crypto_alloc_shash(EZN_HMAC_ALG, 0, 0);
	if (IS_ERR(hmac)) {
		err = PTR_ERR(hmac);
		pr_err("cannot allocate %s: %d\n", EZN_HMAC_ALG, err);
		goto free_buf;
	}
	err = crypto_shash_setkey(hmac, raw, EZN_KEY_SIZE);
	if (err)
		goto free_hmac;

	err = ezn_hmac(hmac, EZN_LABEL_KEY_ID, NULL, 0, buf);
	if (err)
		goto free_hmac;
	memcpy(mk->key_id, buf, EZN_KEY_ID_SIZE);

	/* The marker: magic, version, flags, key id, then its authenticator. */
	memset(mk->marker, 0, sizeof(mk->marker));
	memcpy(mk->marker, EZN_MARKER_MAGIC, EZN_MARKER_MAGIC_SIZE);
	put_unaligned_le32(EZN_FORMAT_VERSION_1, mk->marker + EZN_MARKER_OFF_VERSION);
	put_unaligned_le32(0, mk->marker + EZN_MARKER_OFF_FLAGS);
	memcpy(mk->marker + EZN_MARKER_OFF_KEY_ID, mk->key_id, EZN_KEY_ID_SIZE);
	err = ezn_hmac(hmac, EZN_LABEL_MARKER, mk->marker, EZN_MARKER_AUTHED,
		       mk->marker + EZN_MARKER_OFF_AUTH);
	if (err)
		goto free_hmac;

	err = ezn_hmac(hmac, EZN_LABEL_WRAP_KEY, NULL, 0, buf);
	if (err)
		goto free_hmac;
	mk->wrap_tfm = ezn_aead_alloc(buf);
	if (IS_ERR(mk->wrap_tfm)) {
		err = PTR_ERR(mk->wrap_tfm);
		mk->wrap_tfm = NULL;
		goto free_hmac;
	}

free_hmac:
	crypto_free_shash(hmac);	/* frees its keyed context with kfree_sensitive */
free_buf:
	kfree_sensitive(buf);
	return err;
}

/* Copy the 32-byte payload of the logon key @desc into @raw. */
static int ezn_master_key_read(const char *desc, u8 raw[EZN_KEY_SIZE])
{
	const struct user_key_payload *payload;
	struct key *key;
	int err;

	key = request_key(&key_type_logon, desc, NULL);
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		/* A failed upcall-less lookup reports -ENOKEY or -EKEYREVOKED/-EXPIRED. */
		return err == -EAGAIN ? -ENOKEY : err;
	}

	down_read(&key->sem);
	err = key_validate(key);
	if (err)
		goto unlock;
	payload = user_key_payload_locked(key);
	if (!payload) {
		err = -EKEYREVOKED;
		goto unlock;
	}
	if (payload->datalen != EZN_KEY_SIZE) {
		err = -EKEYREJECTED;
		goto unlock;
	}
	memcpy(raw, payload->data, EZN_KEY_SIZE);
unlock:
	up_read(&key->sem);
	key_put(key);
	return err;
}

int ezn_master_key_load(const char *desc, struct ezn_master_key **out)
{
	struct ezn_master_key *mk;
	u8 *raw;
	int err;

	raw = kmalloc(EZN_KEY_SIZE, GFP_KERNEL);
	if (!raw)
		return -ENOMEM;
	mk = kzalloc(sizeof(*mk), GFP_KERNEL);
	if (!mk) {
		err = -ENOMEM;
		goto free_raw;
	}
	refcount_set(&mk->ref, 1);

	err = ezn_master_key_read(desc, raw);
	if (err)
		goto free_mk;
	err = ezn_master_key_derive(mk, raw);
	if (err)
		goto free_mk;

	kfree_sensitive(raw);
	*out = mk;
	return 0;

free_mk:
	kfree_sensitive(mk);
free_raw:
	kfree_sensitive(raw);
	return err;
}

void ezn_master_key_put(struct ezn_master_key *mk)
{
	if (!mk || !refcount_dec_and_test(&mk->ref))
		return;
	crypto_free_aead(mk->wrap_tfm);
	kfree_sensitive(mk);
}

void ezn_marker_create(struct ezn_master_key *mk, u8 buf[EZN_MARKER_SIZE])
{
	memcpy(buf, mk->marker, EZN_MARKER_SIZE);
}

int ezn_marker_check(struct ezn_master_key *mk, const u8 buf[EZN_MARKER_SIZE])
{
	u32 version;

	if (memcmp(buf, EZN_MARKER_MAGIC, EZN_MARKER_MAGIC_SIZE))
		return -EUCLEAN;
	version = get_unaligned_le32(buf + EZN_MARKER_OFF_VERSION);
	if (version > EZN_FORMAT_VERSION_1)
		return -EPROTONOSUPPORT;
	if (version != EZN_FORMAT_VERSION_1)
		return -EUCLEAN;
	if (crypto_memneq(buf + EZN_MARKER_OFF_KEY_ID, mk->key_id, EZN_KEY_ID_SIZE))
		return -EKEYREJECTED;
	/* Same key id: a mismatch anywhere else (flags, authenticator) is damage. */
	if (crypto_memneq(buf, mk->marker, EZN_MARKER_SIZE))
		return -EUCLEAN;
	return 0;
}

void ezn_master_key_id(const struct ezn_master_key *mk, u8 id[EZN_KEY_ID_SIZE])
{
	memcpy(id, mk->key_id, EZN_KEY_ID_SIZE);
}

void ezn_key_set_init(struct ezn_key_set *ks, struct ezn_master_key *mk)
{
	spin_lock_init(&ks->lock);
	memset(ks->keys, 0, sizeof(ks->keys));
	ks->keys[0] = mk;
}

void ezn_key_set_destroy(struct ezn_key_set *ks)
{
	int i;

	for (i = 0; i < EZN_MAX_MASTER_KEYS; i++) {
		ezn_master_key_put(ks->keys[i]);
		ks->keys[i] = NULL;
	}
}

struct ezn_master_key *ezn_key_set_current(struct ezn_key_set *ks)
{
	struct ezn_master_key *mk;

	spin_lock(&ks->lock);
	mk = ks->keys[0];
	refcount_inc(&mk->ref);
	spin_unlock(&ks->lock);
	return mk;
}

/* Index of the key whose id is @id, or -1. Called with ks->lock held. */
static int ezn_key_set_find(struct ezn_key_set *ks, const u8 id[EZN_KEY_ID_SIZE])
{
	int i;

	for (i = 0; i < EZN_MAX_MASTER_KEYS; i++)
		if (ks->keys[i] && !crypto_memneq(ks->keys[i]->key_id, id, EZN_KEY_ID_SIZE))
			return i;
	return -1;
}

int ezn_key_set_rotate(struct ezn_key_set *ks, struct ezn_master_key *mk)
{
	int i, found, err = 0;

	spin_lock(&ks->lock);
	found = ezn_key_set_find(ks, mk->key_id);
	if (found == 0)
		goto unlock;
	if (found < 0) {
		/* The array is dense: keys[0..n-1] are held. */
		for (found = 0; found < EZN_MAX_MASTER_KEYS && ks->keys[found]; found++)
			;
		if (found == EZN_MAX_MASTER_KEYS) {
			err = -ENOSPC;
			goto unlock;
		}
		refcount_inc(&mk->ref);
		ks->keys[found] = mk;
	}
	/* Move keys[found] to the front, the others keep their order. */
	mk = ks->keys[found];
	for (i = found; i > 0; i--)
		ks->keys[i] = ks->keys[i - 1];
	ks->keys[0] = mk;
unlock:
	spin_unlock(&ks->lock);
	return err;
}

int ezn_key_set_add_old(struct ezn_key_set *ks, struct ezn_master_key *mk)
{
	int i, err = -ENOSPC;

	spin_lock(&ks->lock);
	if (ezn_key_set_find(ks, mk->key_id) >= 0) {
		err = 0;
		goto unlock;
	}
	for (i = 1; i < EZN_MAX_MASTER_KEYS; i++) {
		if (!ks->keys[i]) {
			refcount_inc(&mk->ref);
			ks->keys[i] = mk;
			err = 0;
			break;
		}
	}
unlock:
	spin_unlock(&ks->lock);
	return err;
}

int ezn_key_set_retire(struct ezn_key_set *ks, const u8 id[EZN_KEY_ID_SIZE])
{
	struct ezn_master_key *mk = NULL;
	int i, found, err = 0;

	spin_lock(&ks->lock);
	found = ezn_key_set_find(ks, id);
	if (found < 0) {
		err = -ENOENT;
	} else if (found == 0) {
		err = -EBUSY;
	} else {
		mk = ks->keys[found];
		for (i = found; i < EZN_MAX_MASTER_KEYS - 1; i++)
			ks->keys[i] = ks->keys[i + 1];
		ks->keys[EZN_MAX_MASTER_KEYS - 1] = NULL;
	}
	spin_unlock(&ks->lock);
	ezn_master_key_put(mk);
	return err;
}

int ezn_key_set_header_open(struct ezn_key_set *ks, const u8 hdr[EZN_HEADER_SIZE],
			    struct ezn_file_key **out)
{
	struct ezn_master_key *mk;
	int found, err;

	spin_lock(&ks->lock);
	found = ezn_key_set_find(ks, hdr + EZN_HDR_OFF_KEY_ID);
	/* No key of ours: the current one reports the header as ezn_header_open() does. */
	mk = ks->keys[found < 0 ? 0 : found];
	refcount_inc(&mk->ref);
	spin_unlock(&ks->lock);
	err = ezn_header_open(mk, hdr, out);
	ezn_master_key_put(mk);
	return err;
}
