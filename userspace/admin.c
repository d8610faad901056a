// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink client of the module's access control; admin.h is the
 * interface, policy/ezn_genl.h the protocol. Signed requests: a challenge is
 * fetched on the same socket (it is bound to the socket's port id), then
 * EZN_A_AUTH = HMAC-SHA256(key, label || challenge || cmd || attributes) is
 * appended as the last attribute.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <sodium.h>

#include "fdio.h"
#include "admin.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct ezn_admin {
	struct nl_sock *sk;
	int family;
	char errmsg[256];
};

int ezn_admin_fd(struct ezn_admin *a)
{
	return nl_socket_get_fd(a->sk);
}

int ezn_admin_family(struct ezn_admin *a)
{
	return a->family;
}

const char *ezn_admin_errmsg(struct ezn_admin *a)
{
	return a->errmsg;
}

int ezn_admin_open(struct ezn_admin **out)
{
	struct ezn_admin *a;
	int one = 1, err;

	*out = NULL;
	if (sodium_init() < 0)
		return -EIO;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->sk = nl_socket_alloc();
	if (!a->sk) {
		err = -ENOMEM;
		goto free_a;
	}
	if (genl_connect(a->sk) < 0) {
		err = -EIO;
		goto free_sock;
	}
	a->family = genl_ctrl_resolve(a->sk, EZN_GENL_NAME);
	if (a->family < 0) {
		err = -ENOENT;
		goto free_sock;
	}
	/* The kernel's error messages (extack); older kernels ignore it. */
	setsockopt(nl_socket_get_fd(a->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Replies are matched by the transaction, and tests resend messages. */
	nl_socket_disable_seq_check(a->sk);
	*out = a;
	return 0;

free_sock:
	nl_socket_free(a->sk);
free_a:
	free(a);
	return err;
}

void ezn_admin_close(struct ezn_admin *a)
{
	if (!a)
		return;
	nl_socket_free(a->sk);
	free(a);
}

struct ezn_txn {
	struct ezn_admin *a;
	int done;
	int err;
	int cberr;
	int (*cb)(struct nl_msg *reply, void *arg);
	void *arg;
};

/* Replies are matched by the transaction; tests resend old messages. */
static int ezn_no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

static int ezn_txn_valid(struct nl_msg *msg, void *arg)
{
	struct ezn_txn *t = arg;
	int r;

	if (t->cb && !t->cberr) {
		r = t->cb(msg, t->arg);
		if (r)
			t->cberr = r;
	}
	return NL_OK;
}

static int ezn_txn_finish(struct nl_msg *msg, void *arg)
{
	struct ezn_txn *t = arg;

	t->done = 1;
	return NL_STOP;
}

/* Copies the extack message (NLMSGERR_ATTR_MSG) of an error, if any. */
static void ezn_txn_extack(struct ezn_admin *a, struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e), end = nlh->nlmsg_len - NLMSG_HDRLEN;
	struct nlattr *nla;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	while (off + NLA_HDRLEN <= end) {
		nla = (struct nlattr *)((char *)e + off);
		if (nla->nla_len < NLA_HDRLEN || off + nla->nla_len > end)
			break;
		if ((nla->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			size_t n = nla->nla_len - NLA_HDRLEN;

			if (n >= sizeof(a->errmsg))
				n = sizeof(a->errmsg) - 1;
			memcpy(a->errmsg, (char *)nla + NLA_HDRLEN, n);
			a->errmsg[n] = '\0';
			a->errmsg[strcspn(a->errmsg, "\n")] = '\0';
		}
		off += NLA_ALIGN(nla->nla_len);
	}
}

static int ezn_txn_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct ezn_txn *t = arg;

	t->err = e->error;
	t->done = 1;
	if (e->error)
		ezn_txn_extack(t->a, e);
	return NL_STOP;
}

int ezn_admin_transact(struct ezn_admin *a, struct nl_msg *msg,
		       int (*cb)(struct nl_msg *reply, void *arg), void *arg)
{
	struct ezn_txn t = { .a = a, .cb = cb, .arg = arg };
	struct nl_cb *nlcb;
	int err;

	a->errmsg[0] = '\0';
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb)
		return -ENOMEM;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, ezn_txn_valid, &t);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, ezn_txn_finish, &t);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, ezn_txn_finish, &t);
	nl_cb_err(nlcb, NL_CB_CUSTOM, ezn_txn_error, &t);
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ezn_no_seq_check, NULL);
	err = nl_send_auto(a->sk, msg);
	if (err < 0) {
		err = -EIO;
		goto put_cb;
	}
	while (!t.done) {
		err = nl_recvmsgs(a->sk, nlcb);
		if (err < 0 && !t.done) {
			err = err == -NLE_PERM ? -EPERM : -EIO;
			goto put_cb;
		}
	}
	err = t.err ? t.err : t.cberr;
put_cb:
	nl_cb_put(nlcb);
	return err;
}

int ezn_admin_send_raw(struct ezn_admin *a, const void *buf, size_t len)
{
	struct nl_msg *msg;
	struct nlmsghdr *nlh;
	int err;

	if (len < NLMSG_HDRLEN)
		return -EINVAL;
	msg = nlmsg_alloc_size(NLMSG_ALIGN(len) + NLMSG_HDRLEN);
	if (!msg)
		return -ENOMEM;
	nlh = nlmsg_hdr(msg);
	memcpy(nlh, buf, len);
	nlh->nlmsg_len = len;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	err = ezn_admin_transact(a, msg, NULL, NULL);
	nlmsg_free(msg);
	return err;
}

struct nl_msg *ezn_admin_msg(struct ezn_admin *a, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(128 * 1024);

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, a->family, 0, flags, cmd,
			 EZN_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int ezn_challenge_parse(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[EZN_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EZN_A_MAX, NULL) < 0 || !tb[EZN_A_CHALLENGE] ||
	    nla_len(tb[EZN_A_CHALLENGE]) != EZN_CHALLENGE_SIZE)
		return -EPROTO;
	memcpy(arg, nla_data(tb[EZN_A_CHALLENGE]), EZN_CHALLENGE_SIZE);
	return 0;
}

int ezn_admin_challenge(struct ezn_admin *a, uint8_t chal[EZN_CHALLENGE_SIZE])
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_GET_CHALLENGE, 0);
	int err;

	if (!msg)
		return -ENOMEM;
	err = ezn_admin_transact(a, msg, ezn_challenge_parse, chal);
	nlmsg_free(msg);
	return err;
}

int ezn_admin_sign(struct ezn_admin *a, struct nl_msg *msg, const uint8_t key[EZN_ADMIN_KEY_SIZE])
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	crypto_auth_hmacsha256_state st;
	uint8_t chal[EZN_CHALLENGE_SIZE], mac[EZN_AUTH_SIZE];
	const unsigned char *attrs = (const unsigned char *)gh + GENL_HDRLEN;
	size_t len = (const unsigned char *)nlh + nlh->nlmsg_len - attrs;
	uint8_t cmd = gh->cmd;
	int err;

	err = ezn_admin_challenge(a, chal);
	if (err)
		return err;
	crypto_auth_hmacsha256_init(&st, key, EZN_ADMIN_KEY_SIZE);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)EZN_AUTH_LABEL,
				      strlen(EZN_AUTH_LABEL));
	crypto_auth_hmacsha256_update(&st, chal, sizeof(chal));
	crypto_auth_hmacsha256_update(&st, &cmd, 1);
	crypto_auth_hmacsha256_update(&st, attrs, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	err = nla_put(msg, EZN_A_AUTH, sizeof(mac), mac) < 0 ? -EMSGSIZE : 0;
	sodium_memzero(mac, sizeof(mac));
	return err;
}

/* Signs msg, sends it, frees it. */
static int ezn_signed(struct ezn_admin *a, struct nl_msg *msg, const uint8_t *key,
		      int (*cb)(struct nl_msg *reply, void *arg), void *arg)
{
	int err = ezn_admin_sign(a, msg, key);

	if (!err)
		err = ezn_admin_transact(a, msg, cb, arg);
	nlmsg_free(msg);
	return err;
}

int ezn_admin_bind_key(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
		       const uint8_t *old_key)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_SET_ADMIN_KEY, 0);

	if (!msg)
		return -ENOMEM;
	return ezn_signed(a, msg, old_key ? old_key : key, NULL, NULL);
}

static int ezn_put_rule(struct nl_msg *msg, int type, const struct ezn_admin_rule *r)
{
	struct nlattr *entry = NULL;

	if (type) {
		entry = nla_nest_start(msg, type);
		if (!entry)
			return -EMSGSIZE;
	}
	if (nla_put_string(msg, EZN_A_RULE, r->text) < 0 ||
	    nla_put(msg, EZN_A_FINGERPRINT, EZN_FINGERPRINT_SIZE, r->fp) < 0 ||
	    (r->nr_child_fp && nla_put(msg, EZN_A_CHILD_FINGERPRINTS,
				       r->nr_child_fp * EZN_FINGERPRINT_SIZE, r->child_fp) < 0))
		return -EMSGSIZE;
	if (entry)
		nla_nest_end(msg, entry);
	return 0;
}

int ezn_admin_policy_replace(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			     const struct ezn_admin_rule *rules, size_t n)
{
	struct nl_msg *msg;
	struct nlattr *all;
	size_t i, size = 4096;

	for (i = 0; i < n; i++)
		size += strlen(rules[i].text) + 64 + sizeof(rules[i].child_fp);
	msg = nlmsg_alloc_size(size);
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, a->family, 0, 0,
			 EZN_CMD_POLICY_REPLACE, EZN_GENL_VERSION))
		goto too_big;
	all = nla_nest_start(msg, EZN_A_RULES);
	if (!all)
		goto too_big;
	for (i = 0; i < n; i++)
		if (ezn_put_rule(msg, EZN_A_RULE_ENTRY, &rules[i]))
			goto too_big;
	/* An empty EZN_A_RULES is meaningful: it empties the policy. */
	nla_nest_end_keep_empty(msg, all);
	return ezn_signed(a, msg, key, NULL, NULL);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int ezn_admin_policy_add(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			 const struct ezn_admin_rule *rule)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_POLICY_ADD, 0);

	if (!msg)
		return -ENOMEM;
	if (ezn_put_rule(msg, 0, rule)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, NULL, NULL);
}

int ezn_admin_policy_delete(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			    const char *text, uint32_t index)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_POLICY_DELETE, 0);
	int err;

	if (!msg)
		return -ENOMEM;
	err = text ? nla_put_string(msg, EZN_A_RULE, text) :
		     nla_put_u32(msg, EZN_A_RULE_INDEX, index);
	if (err < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, NULL, NULL);
}

int ezn_admin_set_mode(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
		       enum ezn_mode mode)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_SET_MODE, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, EZN_A_MODE, mode) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, NULL, NULL);
}

static int ezn_grant_parse(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[EZN_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EZN_A_MAX, NULL) < 0 || !tb[EZN_A_GRANT_ID])
		return -EPROTO;
	*(uint32_t *)arg = nla_get_u32(tb[EZN_A_GRANT_ID]);
	return 0;
}

int ezn_admin_grant_add(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE], pid_t pid,
			const char *category, uint32_t timeout_s, uint32_t *id)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_GRANT_ADD, 0);
	uint32_t dummy;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, EZN_A_GRANT_PID, (uint32_t)pid) < 0 ||
	    (category && nla_put_string(msg, EZN_A_CATEGORY, category) < 0) ||
	    nla_put_u32(msg, EZN_A_TIMEOUT, timeout_s) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, ezn_grant_parse, id ? id : &dummy);
}

int ezn_admin_grant_revoke(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			   uint32_t id)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_GRANT_REVOKE, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, EZN_A_GRANT_ID, id) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, NULL, NULL);
}

int ezn_admin_key_rotate(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			 const char *category, const char *key_desc)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_KEY_ROTATE, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, EZN_A_CATEGORY, category) < 0 ||
	    nla_put_string(msg, EZN_A_KEY_DESC, key_desc) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, NULL, NULL);
}

int ezn_admin_key_retire(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			 const char *category, const uint8_t key_id[EZN_KEY_ID_LEN])
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_KEY_RETIRE, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, EZN_A_CATEGORY, category) < 0 ||
	    nla_put(msg, EZN_A_KEY_ID, EZN_KEY_ID_LEN, key_id) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return ezn_signed(a, msg, key, NULL, NULL);
}

struct ezn_dump_ctx {
	int (*cb)(const struct ezn_admin_rule *rule, void *arg);
	void *arg;
	struct ezn_admin_rule rule;
};

static int ezn_dump_parse(struct nl_msg *msg, void *arg)
{
	struct ezn_dump_ctx *d = arg;
	struct nlattr *tb[EZN_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EZN_A_MAX, NULL) < 0 || !tb[EZN_A_RULE] ||
	    !tb[EZN_A_FINGERPRINT] || !tb[EZN_A_RULE_INDEX] ||
	    nla_len(tb[EZN_A_FINGERPRINT]) != EZN_FINGERPRINT_SIZE)
		return -EPROTO;
	memset(&d->rule, 0, sizeof(d->rule));
	d->rule.index = nla_get_u32(tb[EZN_A_RULE_INDEX]);
	nla_strlcpy(d->rule.text, tb[EZN_A_RULE], sizeof(d->rule.text));
	memcpy(d->rule.fp, nla_data(tb[EZN_A_FINGERPRINT]), EZN_FINGERPRINT_SIZE);
	if (tb[EZN_A_CHILD_FINGERPRINTS]) {
		size_t len = nla_len(tb[EZN_A_CHILD_FINGERPRINTS]);

		if (len % EZN_FINGERPRINT_SIZE || len > sizeof(d->rule.child_fp))
			return -EPROTO;
		d->rule.nr_child_fp = len / EZN_FINGERPRINT_SIZE;
		memcpy(d->rule.child_fp, nla_data(tb[EZN_A_CHILD_FINGERPRINTS]), len);
	}
	return d->cb(&d->rule, d->arg);
}

int ezn_admin_policy_dump(struct ezn_admin *a,
			  int (*cb)(const struct ezn_admin_rule *rule, void *arg), void *arg)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_POLICY_GET, NLM_F_DUMP);
	struct ezn_dump_ctx *d;
	int err;

	if (!msg)
		return -ENOMEM;
	d = calloc(1, sizeof(*d));
	if (!d) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	d->cb = cb;
	d->arg = arg;
	err = ezn_admin_transact(a, msg, ezn_dump_parse, d);
	free(d);
	nlmsg_free(msg);
	return err;
}

static int ezn_status_parse(struct nl_msg *msg, void *arg)
{
	struct ezn_admin_status *st = arg;
	struct nlattr *tb[EZN_A_MAX + 1], *ctb[EZN_A_MAX + 1], *one;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, EZN_A_MAX, NULL) < 0)
		return -EPROTO;
	if (tb[EZN_A_VERSION])
		nla_strlcpy(st->version, tb[EZN_A_VERSION], sizeof(st->version));
	if (tb[EZN_A_FORMAT_VERSION])
		st->format_version = nla_get_u32(tb[EZN_A_FORMAT_VERSION]);
	if (tb[EZN_A_MOUNTS])
		st->mounts = nla_get_u32(tb[EZN_A_MOUNTS]);
	if (tb[EZN_A_MODE])
		st->mode = nla_get_u32(tb[EZN_A_MODE]);
	if (tb[EZN_A_POLICY_GEN])
		st->policy_gen = nla_get_u64(tb[EZN_A_POLICY_GEN]);
	if (tb[EZN_A_NR_RULES])
		st->nr_rules = nla_get_u32(tb[EZN_A_NR_RULES]);
	if (tb[EZN_A_ADMIN_BOUND])
		st->admin_bound = nla_get_u8(tb[EZN_A_ADMIN_BOUND]);
	if (tb[EZN_A_NR_GRANTS])
		st->nr_grants = nla_get_u32(tb[EZN_A_NR_GRANTS]);
	if (!tb[EZN_A_COUNTERS])
		return 0;
	nla_for_each_nested(one, tb[EZN_A_COUNTERS], rem) {
		if (st->nr_cats >= EZN_ADMIN_MAX_CATS)
			break;
		if (nla_parse_nested(ctb, EZN_A_MAX, one, NULL) < 0 || !ctb[EZN_A_CATEGORY])
			continue;
		nla_strlcpy(st->cats[st->nr_cats].name, ctb[EZN_A_CATEGORY],
			    sizeof(st->cats[0].name));
		st->cats[st->nr_cats].allowed = ctb[EZN_A_ALLOWED] ?
						nla_get_u64(ctb[EZN_A_ALLOWED]) : 0;
		st->cats[st->nr_cats].denied = ctb[EZN_A_DENIED] ?
					       nla_get_u64(ctb[EZN_A_DENIED]) : 0;
		st->nr_cats++;
	}
	return 0;
}

int ezn_admin_status(struct ezn_admin *a, struct ezn_admin_status *st)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_GET_STATUS, 0);
	int err;

	memset(st, 0, sizeof(*st));
	if (!msg)
		return -ENOMEM;
	err = ezn_admin_transact(a, msg, ezn_status_parse, st);
	nlmsg_free(msg);
	return err;
}

static const char *const ezn_modes[] = {
	[EZN_MODE_ENFORCING] = "enforcing",
	[EZN_MODE_PERMISSIVE] = "permissive",
	[EZN_MODE_ADMIN] = "admin",
};

const char *ezn_admin_mode_name(uint32_t mode)
{
	return mode >= EZN_MODE_ENFORCING && mode <= EZN_MODE_ADMIN ? ezn_modes[mode] : "unknown";
}

int ezn_admin_mode_parse(const char *name, enum ezn_mode *mode)
{
	unsigned int i;

	for (i = EZN_MODE_ENFORCING; i <= EZN_MODE_ADMIN; i++) {
		if (!strcmp(name, ezn_modes[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

int ezn_admin_fingerprint(const char *path, uint8_t fp[EZN_FINGERPRINT_SIZE])
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536];
	ssize_t n;
	int fd, err = 0;

	if (sodium_init() < 0)
		return -EIO;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	crypto_hash_sha256_init(&st);
	while ((n = ezn_read_retry(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	if (n < 0)
		err = n;
	close(fd);
	if (!err)
		crypto_hash_sha256_final(&st, fp);
	return err;
}

int ezn_admin_rule_pin(const struct ezn_rule *rule, struct ezn_admin_rule *ar,
		       const char **what)
{
	const char *path = rule->exe;
	int err, i;

	err = ezn_admin_fingerprint(path, ar->fp);
	for (i = 0; !err && i < rule->nr_children; i++) {
		path = rule->children[i];
		err = ezn_admin_fingerprint(path, ar->child_fp[i]);
	}
	ar->nr_child_fp = err ? 0 : rule->nr_children;
	if (err && what)
		*what = path;
	return err;
}

void ezn_admin_pins_hex(const struct ezn_admin_rule *r, char out[EZN_PINS_HEX_MAX])
{
	unsigned int i;

	sodium_bin2hex(out, 2 * EZN_FINGERPRINT_SIZE + 1, r->fp, EZN_FINGERPRINT_SIZE);
	for (i = 0; i < r->nr_child_fp && i < EZN_MAX_CHILDREN; i++) {
		out += 2 * EZN_FINGERPRINT_SIZE;
		*out++ = ',';
		sodium_bin2hex(out, 2 * EZN_FINGERPRINT_SIZE + 1, r->child_fp[i],
			       EZN_FINGERPRINT_SIZE);
	}
}

const char *ezn_admin_pin_changed(const struct ezn_rule *rule, const struct ezn_admin_rule *stored,
				  const struct ezn_admin_rule *now)
{
	int i;

	if (sodium_memcmp(stored->fp, now->fp, EZN_FINGERPRINT_SIZE))
		return rule->exe;
	for (i = 0; i < rule->nr_children; i++)
		if (i >= stored->nr_child_fp || i >= now->nr_child_fp ||
		    sodium_memcmp(stored->child_fp[i], now->child_fp[i], EZN_FINGERPRINT_SIZE))
			return rule->children[i];
	return NULL;
}

int ezn_admin_audit_open(struct ezn_admin **out)
{
	struct ezn_admin *a;
	int grp, err;

	err = ezn_admin_open(&a);
	if (err)
		return err;
	grp = genl_ctrl_resolve_grp(a->sk, EZN_GENL_NAME, EZN_GENL_MCGRP_AUDIT);
	if (grp < 0) {
		ezn_admin_close(a);
		return -ENOENT;
	}
	if (nl_socket_add_membership(a->sk, grp) < 0) {
		ezn_admin_close(a);
		return -EPERM;
	}
	*out = a;
	return 0;
}

struct ezn_audit_ctx {
	int (*cb)(const struct ezn_audit_event *ev, void *arg);
	void *arg;
	int count;
	int stop;
	struct ezn_audit_event ev;
};

static void ezn_str(char *dst, size_t size, struct nlattr *nla)
{
	if (nla)
		nla_strlcpy(dst, nla, size);
	else
		dst[0] = '\0';
}

static int ezn_audit_parse(struct nl_msg *msg, void *arg)
{
	struct ezn_audit_ctx *c = arg;
	struct ezn_audit_event *ev = &c->ev;
	struct nlattr *tb[EZN_A_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	if (c->stop || gh->cmd != EZN_CMD_AUDIT_EVENT ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, EZN_A_MAX, NULL) < 0)
		return NL_SKIP;
	memset(ev, 0, sizeof(*ev));
	ezn_str(ev->type, sizeof(ev->type), tb[EZN_A_EV_TYPE]);
	ezn_str(ev->exec, sizeof(ev->exec), tb[EZN_A_EV_EXEC]);
	ezn_str(ev->script, sizeof(ev->script), tb[EZN_A_EV_SCRIPT]);
	ezn_str(ev->comm, sizeof(ev->comm), tb[EZN_A_EV_COMM]);
	ezn_str(ev->path, sizeof(ev->path), tb[EZN_A_EV_PATH]);
	ezn_str(ev->category, sizeof(ev->category), tb[EZN_A_CATEGORY]);
	ezn_str(ev->op, sizeof(ev->op), tb[EZN_A_EV_OP]);
	ev->pid = tb[EZN_A_EV_PID] ? nla_get_u32(tb[EZN_A_EV_PID]) : 0;
	ev->uid = tb[EZN_A_EV_UID] ? nla_get_u32(tb[EZN_A_EV_UID]) : 0;
	ev->time_ns = tb[EZN_A_EV_TIME] ? nla_get_u64(tb[EZN_A_EV_TIME]) : 0;
	ev->allowed = tb[EZN_A_EV_VERDICT] ? nla_get_u32(tb[EZN_A_EV_VERDICT]) : 0;
	ev->lost = tb[EZN_A_EV_LOST] ? nla_get_u32(tb[EZN_A_EV_LOST]) : 0;
	c->count++;
	c->stop = c->cb(ev, c->arg);
	return NL_OK;
}

int ezn_admin_audit_recv(struct ezn_admin *a, int timeout_ms,
			 int (*cb)(const struct ezn_audit_event *ev, void *arg), void *arg)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(a->sk), .events = POLLIN };
	struct ezn_audit_ctx *c;
	struct nl_cb *nlcb;
	int r, err = 0;

	c = calloc(1, sizeof(*c));
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!c || !nlcb) {
		free(c);
		if (nlcb)
			nl_cb_put(nlcb);
		return -ENOMEM;
	}
	c->cb = cb;
	c->arg = arg;
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, ezn_audit_parse, c);
	nl_cb_set(nlcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ezn_no_seq_check, NULL);
	for (;;) {
		r = poll(&pfd, 1, c->count ? 0 : timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		r = nl_recvmsgs(a->sk, nlcb);
		if (r < 0 && r != -NLE_AGAIN) {
			/* -NLE_NOMEM: the socket overflowed; events were lost. */
			if (r != -NLE_NOMEM) {
				err = -EIO;
				break;
			}
		}
		if (c->stop)
			break;
	}
	if (!err)
		err = c->stop ? c->stop : c->count;
	nl_cb_put(nlcb);
	free(c);
	return err;
}
