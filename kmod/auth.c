// SPDX-License-Identifier: GPL-2.0
/*
 * Authentication of admin requests: every request that changes the policy,
 * the mode or the grants carries an HMAC-SHA256, under the admin key, of a
 * fresh kernel challenge and of the request itself (policy/ezn_genl.h gives
 * the exact input). CAP_NET_ADMIN alone is not enough: root without the
 * passphrase the admin key is derived from cannot forge a request.
 *
 * The admin key is bound once per module instance (EZN_CMD_SET_ADMIN_KEY)
 * from the logon key "ezncrypt:admin" of the caller, which userspace cannot
 * read back; the module keeps only a keyed HMAC transform. Re-binding needs a
 * request authenticated with the bound key, so a key root adds to its own
 * keyring later is never consulted. docs/ACCESS-CONTROL.md discusses the
 * bootstrap and the residual risks.
 *
 * Challenges: EZN_CHALLENGE_SLOTS outstanding at most, one per netlink port
 * id, 32 random bytes each, valid for EZN_CHALLENGE_TIMEOUT_S and consumed by
 * the first request that presents a MAC (good or bad), so a captured request
 * cannot be replayed and a wrong guess costs a new challenge.
 *
 * Locking: the challenge table is guarded by ezn_chal_lock; ezn_admin_tfm and
 * ezn_admin_is_bound change only under ezn_admin_mutex (every verification
 * runs under it too); readers of ezn_admin_is_bound outside it use READ_ONCE.
 */
#include <linux/jiffies.h>
#include <linux/key.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <keys/user-type.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <net/netlink.h>
#include <net/genetlink.h>

#include "ezncryptfs.h"
#include "acl.h"

#define EZN_CHALLENGE_SLOTS	32

struct ezn_challenge {
	u32 portid;
	bool live;
	unsigned long expires;
	u8 nonce[EZN_CHALLENGE_SIZE];
};

static struct ezn_challenge ezn_chal[EZN_CHALLENGE_SLOTS];
static DEFINE_SPINLOCK(ezn_chal_lock);

static struct crypto_shash *ezn_admin_tfm;
static bool ezn_admin_is_bound;

static DEFINE_RATELIMIT_STATE(ezn_auth_rs, 5 * HZ, 10);

static void ezn_auth_refused(const char *why, int err)
{
	if (__ratelimit(&ezn_auth_rs))
		pr_warn("admin request refused: %s (err=%d) pid=%d comm=\"%s\" uid=%u\n", why, err,
			task_tgid_nr(current), current->comm,
			from_kuid(&init_user_ns, current_uid()));
}

bool ezn_auth_bound(void)
{
	return READ_ONCE(ezn_admin_is_bound);
}

int ezn_auth_challenge(u32 portid, u8 out[EZN_CHALLENGE_SIZE])
{
	struct ezn_challenge *slot = NULL, *c;
	unsigned long now = jiffies;
	int i;

	spin_lock(&ezn_chal_lock);
	for (i = 0; i < EZN_CHALLENGE_SLOTS; i++) {
		c = &ezn_chal[i];
		if (c->live && c->portid == portid) {
			slot = c;
			break;
		}
		if (!slot && (!c->live || time_after_eq(now, c->expires)))
			slot = c;
	}
	if (!slot) {
		/* Every slot in use: the one closest to expiry goes. */
		slot = &ezn_chal[0];
		for (i = 1; i < EZN_CHALLENGE_SLOTS; i++)
			if (time_before(ezn_chal[i].expires, slot->expires))
				slot = &ezn_chal[i];
	}
	get_random_bytes(slot->nonce, EZN_CHALLENGE_SIZE);
	slot->portid = portid;
	slot->live = true;
	slot->expires = now + EZN_CHALLENGE_TIMEOUT_S * HZ;
	memcpy(out, slot->nonce, EZN_CHALLENGE_SIZE);
	spin_unlock(&ezn_chal_lock);
	return 0;
}

/* Takes (and forgets) the live challenge of portid into out. */
static int ezn_challenge_take(u32 portid, u8 out[EZN_CHALLENGE_SIZE])
{
	int i, err = -EPERM;

	spin_lock(&ezn_chal_lock);
	for (i = 0; i < EZN_CHALLENGE_SLOTS; i++) {
		struct ezn_challenge *c = &ezn_chal[i];

		if (!c->live || c->portid != portid)
			continue;
		if (time_before(jiffies, c->expires)) {
			memcpy(out, c->nonce, EZN_CHALLENGE_SIZE);
			err = 0;
		}
		memzero_explicit(c->nonce, EZN_CHALLENGE_SIZE);
		c->live = false;
	}
	spin_unlock(&ezn_chal_lock);
	return err;
}

/*
 * The MAC of a request under tfm. The attributes covered are those between
 * the genetlink header and auth, which must be the last attribute.
 */
static int ezn_auth_mac(struct crypto_shash *tfm, const u8 chal[EZN_CHALLENGE_SIZE], u8 cmd,
			const struct nlmsghdr *nlh, const struct nlattr *auth,
			u8 out[EZN_AUTH_SIZE])
{
	const u8 *attrs = (const u8 *)nlmsg_data(nlh) + GENL_HDRLEN;
	const u8 *end = (const u8 *)nlh + nlh->nlmsg_len;
	const u8 *at = (const u8 *)auth;
	SHASH_DESC_ON_STACK(desc, tfm);
	int err;

	if (at < attrs || at + NLA_ALIGN(auth->nla_len) != end)
		return -EPERM;
	desc->tfm = tfm;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, EZN_AUTH_LABEL, strlen(EZN_AUTH_LABEL)) ?:
	      crypto_shash_update(desc, chal, EZN_CHALLENGE_SIZE) ?:
	      crypto_shash_update(desc, &cmd, 1) ?:
	      crypto_shash_update(desc, attrs, at - attrs) ?:
	      crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return err;
}

static int ezn_auth_check(struct crypto_shash *tfm, u32 portid, u8 cmd,
			  const struct nlmsghdr *nlh, const struct nlattr *auth)
{
	u8 chal[EZN_CHALLENGE_SIZE], mac[EZN_AUTH_SIZE];
	int err;

	if (!auth || nla_len(auth) != EZN_AUTH_SIZE) {
		ezn_challenge_take(portid, chal);
		ezn_auth_refused("no authenticator", -EPERM);
		return -EPERM;
	}
	err = ezn_challenge_take(portid, chal);
	if (err) {
		ezn_auth_refused("no live challenge for this socket (stale or replayed)", err);
		return err;
	}
	err = ezn_auth_mac(tfm, chal, cmd, nlh, auth, mac);
	if (!err && crypto_memneq(mac, nla_data(auth), EZN_AUTH_SIZE))
		err = -EPERM;
	if (err)
		ezn_auth_refused("bad authenticator", err);
	memzero_explicit(chal, sizeof(chal));
	memzero_explicit(mac, sizeof(mac));
	return err;
}

int ezn_auth_verify(u32 portid, u8 cmd, const struct nlmsghdr *nlh, const struct nlattr *auth)
{
	u8 chal[EZN_CHALLENGE_SIZE];

	lockdep_assert_held(&ezn_admin_mutex);
	if (!ezn_admin_is_bound) {
		ezn_challenge_take(portid, chal);
		memzero_explicit(chal, sizeof(chal));
		ezn_auth_refused("no admin key bound", -ENOKEY);
		return -ENOKEY;
	}
	return ezn_auth_check(ezn_admin_tfm, portid, cmd, nlh, auth);
}

/* A keyed HMAC-SHA256 transform for the caller's logon key ezncrypt:admin. */
static struct crypto_shash *ezn_admin_key_tfm(void)
{
	const struct user_key_payload *payload;
	struct crypto_shash *tfm;
	struct key *key;
	u8 *raw;
	int err;

	raw = kmalloc(EZN_ADMIN_KEY_SIZE, GFP_KERNEL);
	if (!raw)
		return ERR_PTR(-ENOMEM);
	key = request_key(&key_type_logon, EZN_ADMIN_KEY_DESC, NULL);
	if (IS_ERR(key)) {
		err = PTR_ERR(key) == -EAGAIN ? -ENOKEY : PTR_ERR(key);
		goto free_raw;
	}
	down_read(&key->sem);
	err = key_validate(key);
	payload = err ? NULL : user_key_payload_locked(key);
	if (!err && !payload)
		err = -EKEYREVOKED;
	if (!err && payload->datalen != EZN_ADMIN_KEY_SIZE)
		err = -EKEYREJECTED;
	if (!err)
		memcpy(raw, payload->data, EZN_ADMIN_KEY_SIZE);
	up_read(&key->sem);
	key_put(key);
	if (err)
		goto free_raw;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm)) {
		err = PTR_ERR(tfm);
		goto free_raw;
	}
	err = crypto_shash_setkey(tfm, raw, EZN_ADMIN_KEY_SIZE);
	if (err)
		goto free_tfm;
	kfree_sensitive(raw);
	return tfm;

free_tfm:
	crypto_free_shash(tfm);
free_raw:
	kfree_sensitive(raw);
	return ERR_PTR(err);
}

int ezn_auth_set_key(u32 portid, const struct nlmsghdr *nlh, const struct nlattr *auth)
{
	struct crypto_shash *tfm;
	int err;

	lockdep_assert_held(&ezn_admin_mutex);
	if (ezn_admin_is_bound) {
		/* Re-binding: only the holder of the bound key may. */
		err = ezn_auth_check(ezn_admin_tfm, portid, EZN_CMD_SET_ADMIN_KEY, nlh, auth);
		if (err)
			return err;
		tfm = ezn_admin_key_tfm();
		if (IS_ERR(tfm))
			return PTR_ERR(tfm);
	} else {
		/* Bootstrap: the request proves possession of the new key. */
		tfm = ezn_admin_key_tfm();
		if (IS_ERR(tfm)) {
			u8 chal[EZN_CHALLENGE_SIZE];

			ezn_challenge_take(portid, chal);
			memzero_explicit(chal, sizeof(chal));
			return PTR_ERR(tfm);
		}
		err = ezn_auth_check(tfm, portid, EZN_CMD_SET_ADMIN_KEY, nlh, auth);
		if (err) {
			crypto_free_shash(tfm);
			return err;
		}
	}
	if (ezn_admin_tfm)
		crypto_free_shash(ezn_admin_tfm);
	ezn_admin_tfm = tfm;
	WRITE_ONCE(ezn_admin_is_bound, true);
	ezn_acl_bump();
	pr_info("admin key bound by pid=%d comm=\"%s\": access control engaged\n",
		task_tgid_nr(current), current->comm);
	return 0;
}

int __init ezn_auth_init(void)
{
	return 0;
}

void ezn_auth_exit(void)
{
	int i;

	if (ezn_admin_tfm)
		crypto_free_shash(ezn_admin_tfm);
	ezn_admin_tfm = NULL;
	WRITE_ONCE(ezn_admin_is_bound, false);
	for (i = 0; i < EZN_CHALLENGE_SLOTS; i++)
		memzero_explicit(&ezn_chal[i], sizeof(ezn_chal[i]));
}
