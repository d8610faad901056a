/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink client of the module's access control (policy/ezn_genl.h):
 * challenges, signed admin requests, the policy dump, status and counters,
 * and the audit event stream. Built on libnl-genl-3 and libsodium.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure, the kernel's own where it answered: -EPERM for a refused
 * authenticator, -ENOKEY when no admin key is bound, -EKEYREJECTED for a
 * fingerprint that does not match, -EINVAL for a malformed rule (see
 * ezn_admin_errmsg()). No function prints anything.
 *
 * Keys: admin keys are 32 bytes passed by pointer; the library never copies
 * them beyond the HMAC state, which it wipes.
 */
#ifndef EZN_ADMIN_H
#define EZN_ADMIN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ezn_genl.h"
#include "ezn_rule.h"

struct nl_msg;
struct ezn_admin;

/* Opens a connection to the module's family; -ENOENT when it is not loaded. */
int ezn_admin_open(struct ezn_admin **out);
void ezn_admin_close(struct ezn_admin *a);
/* The socket's file descriptor (for poll() on an audit subscription). */
int ezn_admin_fd(struct ezn_admin *a);
/*
 * The kernel's explanation of the last failed request (extack), or "" when it
 * gave none. Valid until the next call on a.
 */
const char *ezn_admin_errmsg(struct ezn_admin *a);

/* SHA-256 of a file's content, as the kernel computes fingerprints. */
int ezn_admin_fingerprint(const char *path, uint8_t fp[EZN_FINGERPRINT_SIZE]);

/* ---- signed requests ---- */

/* A fresh challenge bound to this connection (mostly for tests). */
int ezn_admin_challenge(struct ezn_admin *a, uint8_t chal[EZN_CHALLENGE_SIZE]);

/*
 * Binds the admin key: the caller must have loaded key as the logon key
 * EZN_ADMIN_KEY_DESC in a keyring the kernel searches for it (for example
 * `keyctl padd logon ezncrypt:admin @u`); the request is signed with key.
 * With a key already bound, old_key (the bound one) signs the request and
 * key is the new one from the keyring; old_key NULL means key signs.
 */
int ezn_admin_bind_key(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
		       const uint8_t *old_key);

/*
 * A rule with the fingerprints of the files it pins: its executable (the
 * script for --shell) and each --children executable, in the rule's order.
 * nr_child_fp is the rule's nr_children, or 0 for a rule stored before
 * children were pinned (the kernel refuses such a rule).
 */
struct ezn_admin_rule {
	uint32_t index;				/* position (dumps only) */
	char text[EZN_RULE_TEXT_MAX];		/* canonical text */
	uint8_t fp[EZN_FINGERPRINT_SIZE];
	uint8_t nr_child_fp;
	uint8_t child_fp[EZN_MAX_CHILDREN][EZN_FINGERPRINT_SIZE];
};

/*
 * Fingerprints the files rule pins as they are now into ar (fp, child_fp,
 * nr_child_fp). On failure *what (may be NULL) is the file that could not
 * be read.
 */
int ezn_admin_rule_pin(const struct ezn_rule *rule, struct ezn_admin_rule *ar,
		       const char **what);
/* The text form of r's pins, SHA256-HEX[,CHILD-SHA256-HEX...] (stored list, dumps). */
#define EZN_PINS_HEX_MAX	((EZN_MAX_CHILDREN + 1) * (2 * EZN_FINGERPRINT_SIZE + 1))
void ezn_admin_pins_hex(const struct ezn_admin_rule *r, char out[EZN_PINS_HEX_MAX]);
/* The first file of rule whose pin in stored differs from now, or NULL. */
const char *ezn_admin_pin_changed(const struct ezn_rule *rule, const struct ezn_admin_rule *stored,
				  const struct ezn_admin_rule *now);

/* Replaces the whole policy atomically (n may be 0). */
int ezn_admin_policy_replace(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			     const struct ezn_admin_rule *rules, size_t n);
int ezn_admin_policy_add(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			 const struct ezn_admin_rule *rule);
/* Deletes by canonical text (index ignored) or, with text NULL, by index. */
int ezn_admin_policy_delete(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			    const char *text, uint32_t index);
int ezn_admin_set_mode(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
		       enum ezn_mode mode);
/*
 * Grants pid (in our pid namespace) and its descendants access to category
 * (NULL: every category) for at most timeout_s seconds; *id gets the grant.
 */
int ezn_admin_grant_add(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE], pid_t pid,
			const char *category, uint32_t timeout_s, uint32_t *id);
int ezn_admin_grant_revoke(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			   uint32_t id);
/*
 * Key rotation (FORMAT.md "Key rotation"): the logon key key_desc (in our
 * keyrings) becomes the current master key of category's mounts; retire
 * drops the older key key_id from them.
 */
int ezn_admin_key_rotate(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			 const char *category, const char *key_desc);
int ezn_admin_key_retire(struct ezn_admin *a, const uint8_t key[EZN_ADMIN_KEY_SIZE],
			 const char *category, const uint8_t key_id[EZN_KEY_ID_LEN]);

/* ---- reading ---- */

/* Calls cb for each rule in order; a non-zero return from cb stops (and is returned). */
int ezn_admin_policy_dump(struct ezn_admin *a,
			  int (*cb)(const struct ezn_admin_rule *rule, void *arg), void *arg);

#define EZN_ADMIN_MAX_CATS 64
struct ezn_admin_status {
	char version[32];
	uint32_t format_version;
	uint32_t mounts;
	uint32_t mode;			/* enum ezn_mode */
	uint64_t policy_gen;
	uint32_t nr_rules;
	int admin_bound;
	uint32_t nr_grants;
	unsigned int nr_cats;
	struct {
		char name[EZN_CATEGORY_MAX + 1];
		uint64_t allowed;
		uint64_t denied;
	} cats[EZN_ADMIN_MAX_CATS];
};

int ezn_admin_status(struct ezn_admin *a, struct ezn_admin_status *st);
/* "enforcing", "permissive", "admin"; and back (-EINVAL for anything else). */
const char *ezn_admin_mode_name(uint32_t mode);
int ezn_admin_mode_parse(const char *name, enum ezn_mode *mode);

/* ---- audit events ---- */

struct ezn_audit_event {
	char type[16];			/* "acl", "fingerprint", "ptrace" */
	char exec[EZN_PATH_MAX];
	char script[EZN_PATH_MAX];	/* "" when none */
	char comm[16];
	char path[4096];
	char category[EZN_CATEGORY_MAX + 1];
	char op[16];
	uint32_t pid;
	uint32_t uid;
	uint64_t time_ns;		/* CLOCK_REALTIME */
	uint32_t allowed;		/* 1: let through by permissive/admin mode */
	uint32_t lost;			/* events dropped before this one */
};

/* Opens a connection subscribed to the audit group (needs CAP_NET_ADMIN). */
int ezn_admin_audit_open(struct ezn_admin **out);
/*
 * Waits up to timeout_ms (-1: forever) for events and calls cb for each one
 * received; returns the number of events, 0 on timeout, or -errno. A non-zero
 * return from cb stops and is returned.
 */
int ezn_admin_audit_recv(struct ezn_admin *a, int timeout_ms,
			 int (*cb)(const struct ezn_audit_event *ev, void *arg), void *arg);

/* ---- low level (tests, new commands) ---- */

/* A request for cmd with the family's header; add attributes with nla_put*(). */
struct nl_msg *ezn_admin_msg(struct ezn_admin *a, uint8_t cmd, int flags);
/*
 * Gets a challenge and appends EZN_A_AUTH computed with key over msg's
 * attributes. Call it after the last other attribute.
 */
int ezn_admin_sign(struct ezn_admin *a, struct nl_msg *msg, const uint8_t key[EZN_ADMIN_KEY_SIZE]);
/*
 * Sends msg (not freed) and collects the answer: each reply message goes to
 * cb (may be NULL); returns 0 after the ack or the end of a dump, or the
 * kernel's -errno.
 */
int ezn_admin_transact(struct ezn_admin *a, struct nl_msg *msg,
		       int (*cb)(struct nl_msg *reply, void *arg), void *arg);
/* Sends len raw bytes as one netlink message and returns the kernel's answer. */
int ezn_admin_send_raw(struct ezn_admin *a, const void *buf, size_t len);
/* The family id (for raw messages). */
int ezn_admin_family(struct ezn_admin *a);

#endif /* EZN_ADMIN_H */
