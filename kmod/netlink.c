// SPDX-License-Identifier: GPL-2.0
/*
 * The ezncryptfs generic netlink family: the control channel between the
 * module and the ezn tools. The contract (commands, attributes, semantics,
 * authentication) is documented in policy/ezn_genl.h.
 *
 * Every attribute is validated strictly by the family policy before a handler
 * runs (types, exact binary lengths, bounded strings, nested entries).
 * Mutating commands need CAP_NET_ADMIN (GENL_ADMIN_PERM) and then a valid
 * EZN_A_AUTH (auth.c); they run under ezn_admin_mutex from the
 * authentication to the publication of their effect, so a challenge answers
 * exactly one change and changes are totally ordered.
 */
#include <linux/capability.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <crypto/algapi.h>

#include "ezncryptfs.h"
#include "ezn_genl.h"
#include "acl.h"

static struct netlink_range_validation ezn_pos_int_range = { .min = 1, .max = INT_MAX };
static struct netlink_range_validation ezn_timeout_range = {
	.min = 1,
	.max = EZN_GRANT_TIMEOUT_MAX,
};

static const struct nla_policy ezn_rule_entry_policy[EZN_A_MAX + 1] = {
	[EZN_A_RULE]		= { .type = NLA_NUL_STRING, .len = EZN_RULE_TEXT_MAX - 1 },
	[EZN_A_FINGERPRINT]	= NLA_POLICY_EXACT_LEN(EZN_FINGERPRINT_SIZE),
	[EZN_A_CHILD_FINGERPRINTS] = { .type = NLA_BINARY,
				       .len = EZN_MAX_CHILDREN * EZN_FINGERPRINT_SIZE },
};

static const struct nla_policy ezn_rules_policy[EZN_A_MAX + 1] = {
	[EZN_A_RULE_ENTRY]	= NLA_POLICY_NESTED(ezn_rule_entry_policy),
};

static const struct nla_policy ezn_genl_policy[EZN_A_MAX + 1] = {
	[EZN_A_VERSION]		= { .type = NLA_NUL_STRING, .len = 32 },
	[EZN_A_FORMAT_VERSION]	= { .type = NLA_U32 },
	[EZN_A_MOUNTS]		= { .type = NLA_U32 },
	[EZN_A_MODE]		= NLA_POLICY_RANGE(NLA_U32, EZN_MODE_ENFORCING, EZN_MODE_ADMIN),
	[EZN_A_CATEGORY]	= { .type = NLA_NUL_STRING, .len = EZN_CATEGORY_MAX },
	[EZN_A_CHALLENGE]	= NLA_POLICY_EXACT_LEN(EZN_CHALLENGE_SIZE),
	[EZN_A_AUTH]		= NLA_POLICY_EXACT_LEN(EZN_AUTH_SIZE),
	[EZN_A_RULES]		= NLA_POLICY_NESTED(ezn_rules_policy),
	[EZN_A_RULE]		= { .type = NLA_NUL_STRING, .len = EZN_RULE_TEXT_MAX - 1 },
	[EZN_A_FINGERPRINT]	= NLA_POLICY_EXACT_LEN(EZN_FINGERPRINT_SIZE),
	[EZN_A_RULE_INDEX]	= NLA_POLICY_MAX(NLA_U32, EZN_POLICY_MAX_RULES - 1),
	[EZN_A_GRANT_PID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ezn_pos_int_range),
	[EZN_A_TIMEOUT]		= NLA_POLICY_FULL_RANGE(NLA_U32, &ezn_timeout_range),
	[EZN_A_GRANT_ID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ezn_pos_int_range),
	[EZN_A_KEY_DESC]	= { .type = NLA_NUL_STRING, .len = EZN_KEY_DESC_MAX - 1 },
	[EZN_A_KEY_ID]		= NLA_POLICY_EXACT_LEN(EZN_KEY_ID_LEN),
	[EZN_A_CHILD_FINGERPRINTS] = { .type = NLA_BINARY,
				       .len = EZN_MAX_CHILDREN * EZN_FINGERPRINT_SIZE },
};

static const struct genl_multicast_group ezn_genl_mcgrps[] = {
	/* Denial events name files and programs: administrators only. */
	{ .name = EZN_GENL_MCGRP_AUDIT, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family ezn_genl_family;

static const char *const ezn_mode_names[] = {
	[EZN_MODE_ENFORCING] = "enforcing",
	[EZN_MODE_PERMISSIVE] = "permissive",
	[EZN_MODE_ADMIN] = "admin",
};

static int ezn_put_stats(struct sk_buff *skb)
{
	struct ezn_cat_stats *st;
	struct nlattr *all, *one;
	unsigned int i, nr;
	int err = -EMSGSIZE;

	st = kcalloc(64, sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	nr = min(ezn_acl_stats(st, 64), 64U);
	all = nla_nest_start(skb, EZN_A_COUNTERS);
	if (!all)
		goto free_st;
	for (i = 0; i < nr; i++) {
		one = nla_nest_start(skb, EZN_A_CATEGORY_STATS);
		if (!one ||
		    nla_put_string(skb, EZN_A_CATEGORY, st[i].name) ||
		    nla_put_u64_64bit(skb, EZN_A_ALLOWED, st[i].allowed, EZN_A_PAD) ||
		    nla_put_u64_64bit(skb, EZN_A_DENIED, st[i].denied, EZN_A_PAD))
			goto free_st;
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, all);
	err = 0;
free_st:
	kfree(st);
	return err;
}

static int ezn_genl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct ezn_policy *pol;
	struct sk_buff *reply;
	u64 gen;
	u32 nr;
	void *hdr;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	rcu_read_lock();
	pol = ezn_policy_rcu();
	gen = pol ? pol->gen : 0;
	nr = pol ? pol->nr : 0;
	rcu_read_unlock();

	hdr = genlmsg_put_reply(reply, info, &ezn_genl_family, 0, EZN_CMD_GET_STATUS);
	if (!hdr)
		goto free_reply;
	if (nla_put_string(reply, EZN_A_VERSION, EZN_MODULE_VERSION) ||
	    nla_put_u32(reply, EZN_A_FORMAT_VERSION, EZN_FORMAT_VERSION) ||
	    nla_put_u32(reply, EZN_A_MOUNTS, atomic_read(&ezn_nr_mounts)) ||
	    nla_put_u32(reply, EZN_A_MODE, ezn_acl_mode()) ||
	    nla_put_u64_64bit(reply, EZN_A_POLICY_GEN, gen, EZN_A_PAD) ||
	    nla_put_u32(reply, EZN_A_NR_RULES, nr) ||
	    nla_put_u8(reply, EZN_A_ADMIN_BOUND, ezn_auth_bound()) ||
	    nla_put_u32(reply, EZN_A_NR_GRANTS, ezn_grant_count()) ||
	    ezn_put_stats(reply))
		goto free_reply;
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

free_reply:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

static int ezn_genl_get_challenge(struct sk_buff *skb, struct genl_info *info)
{
	u8 nonce[EZN_CHALLENGE_SIZE];
	struct sk_buff *reply;
	void *hdr;

	reply = genlmsg_new(nla_total_size(EZN_CHALLENGE_SIZE), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	hdr = genlmsg_put_reply(reply, info, &ezn_genl_family, 0, EZN_CMD_GET_CHALLENGE);
	if (!hdr)
		goto free_reply;
	ezn_auth_challenge(info->snd_portid, nonce);
	if (nla_put(reply, EZN_A_CHALLENGE, EZN_CHALLENGE_SIZE, nonce))
		goto free_reply;
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

free_reply:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

/* Authenticates a mutating request; ezn_admin_mutex must be held. */
static int ezn_genl_auth(struct genl_info *info)
{
	return ezn_auth_verify(info->snd_portid, info->genlhdr->cmd, info->nlhdr,
			       info->attrs[EZN_A_AUTH]);
}

static int ezn_genl_set_admin_key(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_auth_set_key(info->snd_portid, info->nlhdr, info->attrs[EZN_A_AUTH]);
	mutex_unlock(&ezn_admin_mutex);
	if (err == -ENOKEY)
		GENL_SET_ERR_MSG(info,
				 "no logon key " EZN_ADMIN_KEY_DESC " in the caller's keyrings");
	return err;
}

/* An extack message that is not a literal: reason must be static. */
static void ezn_set_err(struct genl_info *info, const struct nlattr *attr, const char *reason)
{
	if (info->extack) {
		info->extack->_msg = reason;
		info->extack->bad_attr = attr;
	}
}

/*
 * Checks that want is the SHA-256 of the file at path, which must be its own
 * real path. what names the file in the messages; attr is the attribute
 * that carried want. Sleeps (hashes the file).
 */
static int ezn_pin_check(const char *path, const u8 *want, const char *what,
			 struct nlattr *attr, struct genl_info *info, char *real)
{
	u8 sha[EZN_FINGERPRINT_SIZE];
	int err;

	err = ezn_path_sha256(path, sha, real, PATH_MAX);
	if (err == -ENOTUNIQ) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "an executable path is not the program's real path (symlink?)");
		pr_info("rule refused: %s %s is really %s\n", what, path, real);
	} else if (err) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "cannot read an executable to hash it");
		pr_info("rule refused: cannot hash %s %s (error %d)\n", what, path, err);
	} else if (crypto_memneq(sha, want, EZN_FINGERPRINT_SIZE)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a fingerprint does not match the executable's content");
		pr_info("rule refused: the fingerprint of %s %s does not match\n", what, path);
		err = -EKEYREJECTED;
	}
	return err;
}

/*
 * Parses one rule entry (tb: EZN_A_RULE, EZN_A_FINGERPRINT and, for a
 * --children rule, EZN_A_CHILD_FINGERPRINTS) into rule and fp, and checks
 * every fingerprint against the file it pins. Sleeps (hashes the files).
 */
static int ezn_rule_from_attrs(struct nlattr **tb, struct ezn_rule *rule, struct ezn_fp *fp,
			       struct genl_info *info)
{
	struct nlattr *text = tb[EZN_A_RULE], *fpa = tb[EZN_A_FINGERPRINT];
	struct nlattr *cfpa = tb[EZN_A_CHILD_FINGERPRINTS];
	struct ezn_parse_error perr;
	char *real;
	int err, i;

	if (!text || !fpa) {
		GENL_SET_ERR_MSG(info, "a rule needs EZN_A_RULE and EZN_A_FINGERPRINT");
		return -EINVAL;
	}
	err = ezn_rule_parse(nla_data(text), strnlen(nla_data(text), nla_len(text)), rule, &perr);
	if (err) {
		if (err == EZN_PARSE_BLANK)
			NL_SET_ERR_MSG_ATTR(info->extack, text, "empty rule");
		else
			ezn_set_err(info, text, perr.reason);
		return -EINVAL;
	}
	if (rule->nr_children ? !cfpa || nla_len(cfpa) != rule->nr_children * EZN_FINGERPRINT_SIZE
			      : !!cfpa) {
		NL_SET_ERR_MSG_ATTR(info->extack, cfpa ?: text,
				    "EZN_A_CHILD_FINGERPRINTS must pin each --children entry");
		return -EINVAL;
	}
	memset(fp, 0, sizeof(*fp));
	memcpy(fp->sha, nla_data(fpa), EZN_FINGERPRINT_SIZE);
	if (cfpa)
		memcpy(fp->child, nla_data(cfpa), nla_len(cfpa));

	real = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!real)
		return -ENOMEM;
	err = ezn_pin_check(rule->exe, fp->sha, rule->shell[0] ? "script" : "executable", fpa,
			    info, real);
	for (i = 0; !err && i < rule->nr_children; i++)
		err = ezn_pin_check(rule->children[i], fp->child[i], "child", cfpa, info, real);
	kfree(real);
	return err;
}

static int ezn_genl_policy_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct ezn_fp *fps = NULL;
	struct nlattr *tb[EZN_A_MAX + 1];
	struct ezn_rule *rules = NULL;
	struct nlattr *entry;
	u32 n = 0, i = 0;
	int rem, err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (err)
		goto unlock;
	if (GENL_REQ_ATTR_CHECK(info, EZN_A_RULES)) {
		err = -EINVAL;
		goto unlock;
	}
	nla_for_each_nested(entry, info->attrs[EZN_A_RULES], rem)
		n++;
	if (n > EZN_POLICY_MAX_RULES) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[EZN_A_RULES], "too many rules");
		err = -E2BIG;
		goto unlock;
	}
	rules = kvcalloc(max(n, 1U), sizeof(*rules), GFP_KERNEL);
	fps = kvcalloc(max(n, 1U), sizeof(*fps), GFP_KERNEL);
	if (!rules || !fps) {
		err = -ENOMEM;
		goto free_rules;
	}
	nla_for_each_nested(entry, info->attrs[EZN_A_RULES], rem) {
		if (nla_type(entry) != EZN_A_RULE_ENTRY) {
			err = -EINVAL;
			goto free_rules;
		}
		err = nla_parse_nested(tb, EZN_A_MAX, entry, ezn_rule_entry_policy, info->extack);
		if (!err)
			err = ezn_rule_from_attrs(tb, &rules[i], &fps[i], info);
		if (err)
			goto free_rules;
		i++;
	}
	err = ezn_policy_publish(rules, fps, n);
	if (!err)
		pr_info("policy replaced: %u rules\n", n);
	goto unlock;

free_rules:
	kvfree(rules);
	kvfree(fps);
unlock:
	mutex_unlock(&ezn_admin_mutex);
	return err;
}

/* A copy of the current policy with room for extra more rules. */
static int ezn_policy_copy(u32 extra, struct ezn_rule **rules, struct ezn_fp **fps,
			   u32 *nr)
{
	struct ezn_policy *pol = ezn_policy_locked();
	u32 n = pol->nr + extra;

	*rules = kvcalloc(max(n, 1U), sizeof(**rules), GFP_KERNEL);
	*fps = kvcalloc(max(n, 1U), sizeof(**fps), GFP_KERNEL);
	if (!*rules || !*fps) {
		kvfree(*rules);
		kvfree(*fps);
		return -ENOMEM;
	}
	if (pol->nr) {
		memcpy(*rules, pol->rules, pol->nr * sizeof(**rules));
		memcpy(*fps, pol->fps, pol->nr * sizeof(**fps));
	}
	*nr = pol->nr;
	return 0;
}

static int ezn_genl_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	struct ezn_fp *fps;
	struct ezn_policy *pol;
	struct ezn_rule *rules;
	u32 nr, i;
	int err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (err)
		goto unlock;
	pol = ezn_policy_locked();
	if (pol->nr >= EZN_POLICY_MAX_RULES) {
		err = -E2BIG;
		goto unlock;
	}
	err = ezn_policy_copy(1, &rules, &fps, &nr);
	if (err)
		goto unlock;
	err = ezn_rule_from_attrs(info->attrs, &rules[nr], &fps[nr], info);
	for (i = 0; !err && i < nr; i++) {
		if (ezn_rule_equal(&rules[i], &rules[nr])) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[EZN_A_RULE],
					    "the rule is already in the policy");
			err = -EEXIST;
		}
	}
	if (err) {
		kvfree(rules);
		kvfree(fps);
		goto unlock;
	}
	err = ezn_policy_publish(rules, fps, nr + 1);
	if (!err)
		pr_info("policy: rule %u added\n", nr);
unlock:
	mutex_unlock(&ezn_admin_mutex);
	return err;
}

static int ezn_genl_policy_delete(struct sk_buff *skb, struct genl_info *info)
{
	struct ezn_rule *victim = NULL, *rules;
	struct ezn_fp *fps;
	struct ezn_parse_error perr;
	struct nlattr *text = info->attrs[EZN_A_RULE];
	u32 nr, i, idx = U32_MAX;
	int err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (err)
		goto unlock;
	if (!text == !info->attrs[EZN_A_RULE_INDEX]) {
		GENL_SET_ERR_MSG(info, "give exactly one of EZN_A_RULE and EZN_A_RULE_INDEX");
		err = -EINVAL;
		goto unlock;
	}
	err = ezn_policy_copy(0, &rules, &fps, &nr);
	if (err)
		goto unlock;
	if (text) {
		victim = kzalloc(sizeof(*victim), GFP_KERNEL);
		err = victim ? 0 : -ENOMEM;
		perr.reason = "empty rule";
		if (!err && ezn_rule_parse(nla_data(text), strnlen(nla_data(text), nla_len(text)),
					   victim, &perr)) {
			ezn_set_err(info, text, perr.reason);
			err = -EINVAL;
		}
		for (i = 0; !err && i < nr && idx == U32_MAX; i++)
			if (ezn_rule_equal(&rules[i], victim))
				idx = i;
	} else {
		idx = nla_get_u32(info->attrs[EZN_A_RULE_INDEX]);
	}
	if (!err && idx >= nr) {
		GENL_SET_ERR_MSG(info, "no such rule");
		err = -ENOENT;
	}
	if (err) {
		kvfree(rules);
		kvfree(fps);
		goto free_victim;
	}
	memmove(&rules[idx], &rules[idx + 1], (nr - idx - 1) * sizeof(*rules));
	memmove(&fps[idx], &fps[idx + 1], (nr - idx - 1) * sizeof(*fps));
	err = ezn_policy_publish(rules, fps, nr - 1);
	if (!err)
		pr_info("policy: rule %u deleted\n", idx);
free_victim:
	kfree(victim);
unlock:
	mutex_unlock(&ezn_admin_mutex);
	return err;
}

static int ezn_genl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ezn_policy *pol;
	u32 i = cb->args[0];
	char *text;
	void *hdr;
	int err = 0;

	text = kmalloc(EZN_RULE_TEXT_MAX, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	rcu_read_lock();
	pol = ezn_policy_rcu();
	cb->seq = (u32)pol->gen;
	for (; i < pol->nr; i++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ezn_genl_family, NLM_F_MULTI, EZN_CMD_POLICY_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		ezn_rule_print(&pol->rules[i], text, EZN_RULE_TEXT_MAX);
		if (nla_put_u32(skb, EZN_A_RULE_INDEX, i) ||
		    nla_put_string(skb, EZN_A_RULE, text) ||
		    nla_put(skb, EZN_A_FINGERPRINT, EZN_FINGERPRINT_SIZE, pol->fps[i].sha) ||
		    (pol->rules[i].nr_children &&
		     nla_put(skb, EZN_A_CHILD_FINGERPRINTS,
			     pol->rules[i].nr_children * EZN_FINGERPRINT_SIZE,
			     pol->fps[i].child)) ||
		    nla_put_u64_64bit(skb, EZN_A_POLICY_GEN, pol->gen, EZN_A_PAD)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rcu_read_unlock();
	kfree(text);
	cb->args[0] = i;
	return err ?: skb->len;
}

static int ezn_genl_set_mode(struct sk_buff *skb, struct genl_info *info)
{
	u32 mode;
	int err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (!err && GENL_REQ_ATTR_CHECK(info, EZN_A_MODE))
		err = -EINVAL;
	if (!err) {
		mode = nla_get_u32(info->attrs[EZN_A_MODE]);
		ezn_acl_set_mode(mode);
		pr_info("mode set to %s by pid=%d\n", ezn_mode_names[mode], task_tgid_nr(current));
	}
	mutex_unlock(&ezn_admin_mutex);
	return err;
}

static int ezn_genl_grant_add(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	const char *category;
	void *hdr;
	int err, id;

	reply = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (err)
		goto unlock;
	if (GENL_REQ_ATTR_CHECK(info, EZN_A_GRANT_PID) ||
	    GENL_REQ_ATTR_CHECK(info, EZN_A_TIMEOUT)) {
		err = -EINVAL;
		goto unlock;
	}
	category = info->attrs[EZN_A_CATEGORY] ? nla_data(info->attrs[EZN_A_CATEGORY]) : NULL;
	id = ezn_grant_add(nla_get_u32(info->attrs[EZN_A_GRANT_PID]), category,
			   nla_get_u32(info->attrs[EZN_A_TIMEOUT]));
	if (id < 0) {
		err = id;
		goto unlock;
	}
	pr_info("grant %d: pid %u and descendants, %s%s, %u s\n", id,
		nla_get_u32(info->attrs[EZN_A_GRANT_PID]),
		category ? "category " : "every category",
		category ?: "", nla_get_u32(info->attrs[EZN_A_TIMEOUT]));
	mutex_unlock(&ezn_admin_mutex);

	hdr = genlmsg_put_reply(reply, info, &ezn_genl_family, 0, EZN_CMD_GRANT_ADD);
	if (!hdr || nla_put_u32(reply, EZN_A_GRANT_ID, id)) {
		nlmsg_free(reply);
		return -EMSGSIZE;
	}
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

unlock:
	mutex_unlock(&ezn_admin_mutex);
	nlmsg_free(reply);
	return err;
}

static int ezn_genl_grant_revoke(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (!err && GENL_REQ_ATTR_CHECK(info, EZN_A_GRANT_ID))
		err = -EINVAL;
	if (!err)
		err = ezn_grant_revoke(nla_get_u32(info->attrs[EZN_A_GRANT_ID]));
	mutex_unlock(&ezn_admin_mutex);
	return err;
}

/* EZN_CMD_KEY_ROTATE and EZN_CMD_KEY_RETIRE. */
static int ezn_genl_key(struct sk_buff *skb, struct genl_info *info)
{
	bool rotate = info->genlhdr->cmd == EZN_CMD_KEY_ROTATE;
	int err;

	mutex_lock(&ezn_admin_mutex);
	err = ezn_genl_auth(info);
	if (!err && (GENL_REQ_ATTR_CHECK(info, EZN_A_CATEGORY) ||
		     GENL_REQ_ATTR_CHECK(info, rotate ? EZN_A_KEY_DESC : EZN_A_KEY_ID)))
		err = -EINVAL;
	/* Runs in the requester's context: its keyrings hold the new key. */
	if (!err && rotate)
		err = ezn_sb_rotate(nla_data(info->attrs[EZN_A_CATEGORY]),
				    nla_data(info->attrs[EZN_A_KEY_DESC]));
	else if (!err)
		err = ezn_sb_retire(nla_data(info->attrs[EZN_A_CATEGORY]),
				    nla_data(info->attrs[EZN_A_KEY_ID]));
	mutex_unlock(&ezn_admin_mutex);
	return err;
}

void ezn_genl_audit_event(const struct ezn_audit_rec *rec, u32 pid, u32 uid, const char *comm,
			  u64 time_ns, u32 lost)
{
	static const char *const types[] = { "acl", "fingerprint", "ptrace" };
	struct sk_buff *skb;
	size_t size;
	void *hdr;

	if (!genl_has_listeners(&ezn_genl_family, &init_net, 0))
		return;
	size = nla_total_size(16) + nla_total_size(strlen(rec->exe) + 1) +
	       nla_total_size(TASK_COMM_LEN) + nla_total_size(strlen(rec->path) + 1) +
	       (rec->script ? nla_total_size(strlen(rec->script) + 1) : 0) +
	       nla_total_size(strlen(rec->category) + 1) + nla_total_size(16) +
	       4 * nla_total_size(sizeof(u32)) + nla_total_size_64bit(sizeof(u64));
	skb = genlmsg_new(size, GFP_NOFS);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ezn_genl_family, 0, EZN_CMD_AUDIT_EVENT);
	if (!hdr ||
	    nla_put_string(skb, EZN_A_EV_TYPE, types[rec->type]) ||
	    nla_put_string(skb, EZN_A_EV_EXEC, rec->exe) ||
	    nla_put_string(skb, EZN_A_EV_COMM, comm) ||
	    nla_put_string(skb, EZN_A_EV_PATH, rec->path) ||
	    (rec->script && nla_put_string(skb, EZN_A_EV_SCRIPT, rec->script)) ||
	    nla_put_u32(skb, EZN_A_EV_PID, pid) ||
	    nla_put_u32(skb, EZN_A_EV_UID, uid) ||
	    nla_put_string(skb, EZN_A_CATEGORY, rec->category) ||
	    nla_put_string(skb, EZN_A_EV_OP, ezn_acl_op_name(rec->op)) ||
	    nla_put_u64_64bit(skb, EZN_A_EV_TIME, time_ns, EZN_A_PAD) ||
	    nla_put_u32(skb, EZN_A_EV_VERDICT, rec->allowed) ||
	    nla_put_u32(skb, EZN_A_EV_LOST, lost)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&ezn_genl_family, skb, 0, 0, GFP_NOFS);
}

static const struct genl_ops ezn_genl_ops[] = {
	{
		.cmd	= EZN_CMD_GET_STATUS,
		.doit	= ezn_genl_get_status,
	},
	{
		.cmd	= EZN_CMD_GET_CHALLENGE,
		.doit	= ezn_genl_get_challenge,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_SET_ADMIN_KEY,
		.doit	= ezn_genl_set_admin_key,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_POLICY_REPLACE,
		.doit	= ezn_genl_policy_replace,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_POLICY_ADD,
		.doit	= ezn_genl_policy_add,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_POLICY_DELETE,
		.doit	= ezn_genl_policy_delete,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_POLICY_GET,
		.dumpit	= ezn_genl_policy_dump,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_SET_MODE,
		.doit	= ezn_genl_set_mode,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_GRANT_ADD,
		.doit	= ezn_genl_grant_add,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_GRANT_REVOKE,
		.doit	= ezn_genl_grant_revoke,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_KEY_ROTATE,
		.doit	= ezn_genl_key,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= EZN_CMD_KEY_RETIRE,
		.doit	= ezn_genl_key,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family ezn_genl_family __ro_after_init = {
	.name		= EZN_GENL_NAME,
	.version	= EZN_GENL_VERSION,
	.maxattr	= EZN_A_MAX,
	.policy		= ezn_genl_policy,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ezn_genl_ops,
	.n_ops		= ARRAY_SIZE(ezn_genl_ops),
	.mcgrps		= ezn_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ezn_genl_mcgrps),
	.resv_start_op	= EZN_CMD_GET_STATUS + 1,
};

int __init ezn_genl_init(void)
{
	return genl_register_family(&ezn_genl_family);
}

void ezn_genl_exit(void)
{
	genl_unregister_family(&ezn_genl_family);
}
