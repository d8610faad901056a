/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ezncryptfs generic netlink interface.
 *
 * Family name EZN_GENL_NAME, version EZN_GENL_VERSION, one multicast group
 * EZN_GENL_MCGRP_AUDIT. Every request is a genetlink message whose attributes
 * are taken from enum ezn_attr; unknown attributes are refused (strict
 * validation), as are attributes of the wrong type or length. Binary
 * attributes have exact lengths, strings a maximum length including the NUL.
 * Only the initial network namespace sees the family.
 *
 * Privilege and authentication
 *	Commands marked [admin] need CAP_NET_ADMIN (GENL_ADMIN_PERM) and are
 *	authenticated in the kernel: the caller first asks for a challenge
 *	(EZN_CMD_GET_CHALLENGE) on the same netlink socket, then sends the
 *	request with EZN_A_AUTH as its LAST attribute:
 *
 *	  EZN_A_AUTH = HMAC-SHA256(admin_key,
 *	                           "ezncrypt-admin-v1" || challenge[32] ||
 *	                           u8 cmd || attributes)
 *
 *	where "attributes" are the bytes of every attribute before EZN_A_AUTH,
 *	exactly as sent (headers and padding included), and the label is the 17
 *	ASCII bytes without a NUL. A challenge belongs to the socket's port id,
 *	answers one request (good or bad) and expires after
 *	EZN_CHALLENGE_TIMEOUT_S seconds. A missing, stale, replayed or wrong
 *	EZN_A_AUTH fails with -EPERM; with no admin key bound yet, with
 *	-ENOKEY. See docs/ACCESS-CONTROL.md.
 *
 *	The admin key is bound once per module instance with
 *	EZN_CMD_SET_ADMIN_KEY: the kernel takes the 32-byte payload of the logon
 *	key "ezncrypt:admin" found in the caller's keyrings and keeps it. While
 *	no key is bound the request is authenticated with that key itself (it
 *	proves the caller holds it); once bound, a new key can only be bound by
 *	a request authenticated with the old one.
 *
 * Rules travel as canonical text (policy/ezn_rule.h, docs/RULES.md) with the
 * SHA-256 fingerprint of the rule's executable (the script for --shell
 * rules): the kernel hashes the file itself when the rule is added and
 * refuses the rule (-EKEYREJECTED) when it differs or (-ENOENT, -EACCES, ...)
 * when the file cannot be read. A rule with --children also carries
 * EZN_A_CHILD_FINGERPRINTS: the SHA-256 of each --children executable, in
 * the rule's order (32 bytes each, exactly nr_children of them), checked the
 * same way; the kernel then allows a child only while its executable still
 * has that content.
 *
 * EZN_CMD_GET_STATUS
 *	No privilege. Reply:
 *	  EZN_A_VERSION:	NLA_NUL_STRING, the module's version string
 *	  EZN_A_FORMAT_VERSION:	NLA_U32, newest on-disk format the module reads
 *	  EZN_A_MOUNTS:		NLA_U32, number of live ezncryptfs superblocks
 *	  EZN_A_MODE:		NLA_U32, enum ezn_mode
 *	  EZN_A_POLICY_GEN:	NLA_U64, generation of the policy (bumps on change)
 *	  EZN_A_NR_RULES:	NLA_U32
 *	  EZN_A_ADMIN_BOUND:	NLA_U8, 1 when an admin key is bound
 *	  EZN_A_NR_GRANTS:	NLA_U32, live grants
 *	  EZN_A_COUNTERS:	NLA_NESTED, one EZN_A_CATEGORY_STATS per category
 *	                        seen since load, each nesting EZN_A_CATEGORY,
 *	                        EZN_A_ALLOWED (NLA_U64) and EZN_A_DENIED (NLA_U64)
 *
 * EZN_CMD_GET_CHALLENGE [CAP_NET_ADMIN]
 *	Reply: EZN_A_CHALLENGE (32 bytes), valid once for this socket.
 *
 * EZN_CMD_SET_ADMIN_KEY [admin, see above]
 *	No attributes besides EZN_A_AUTH.
 *
 * EZN_CMD_POLICY_REPLACE [admin]
 *	EZN_A_RULES: NLA_NESTED of EZN_A_RULE_ENTRY (NLA_NESTED), each with
 *	EZN_A_RULE, EZN_A_FINGERPRINT and, for --children rules,
 *	EZN_A_CHILD_FINGERPRINTS. Replaces the whole policy atomically
 *	(an empty EZN_A_RULES empties it); all rules are checked first, the
 *	first bad one fails the request with EZN_A_RULE_INDEX in the extack.
 *
 * EZN_CMD_POLICY_ADD [admin]
 *	EZN_A_RULE, EZN_A_FINGERPRINT [, EZN_A_CHILD_FINGERPRINTS]. Appends;
 *	-EEXIST for a rule already in the policy (same text; use POLICY_REPLACE
 *	or delete first to re-pin).
 *
 * EZN_CMD_POLICY_DELETE [admin]
 *	EZN_A_RULE (canonical text) or EZN_A_RULE_INDEX (0-based); -ENOENT when
 *	there is no such rule.
 *
 * EZN_CMD_POLICY_GET [CAP_NET_ADMIN], NLM_F_DUMP
 *	One message per rule: EZN_A_RULE_INDEX, EZN_A_RULE, EZN_A_FINGERPRINT,
 *	EZN_A_CHILD_FINGERPRINTS (--children rules only), EZN_A_POLICY_GEN.
 *	The dump is of one snapshot; if the policy changes between the parts
 *	of a multi-part dump, the dump restarts as NLM_F_DUMP_INTR.
 *
 * EZN_CMD_SET_MODE [admin]
 *	EZN_A_MODE: NLA_U32, enum ezn_mode.
 *
 * EZN_CMD_GRANT_ADD [admin]
 *	EZN_A_GRANT_PID (NLA_U32, in the caller's pid namespace; the grant covers
 *	that process, identified with its start time, and its descendants),
 *	EZN_A_CATEGORY (optional: absent means every category),
 *	EZN_A_TIMEOUT (NLA_U32 seconds, 1..EZN_GRANT_TIMEOUT_MAX). The grant ends
 *	when the process exits or the timeout passes. Reply: EZN_A_GRANT_ID.
 *
 * EZN_CMD_GRANT_REVOKE [admin]
 *	EZN_A_GRANT_ID. -ENOENT when unknown.
 *
 * EZN_CMD_AUDIT_EVENT (kernel to userspace, group EZN_GENL_MCGRP_AUDIT)
 *	One per denial (and per access allowed only by permissive or admin
 *	mode), with the fields of the kernel log line:
 *	  EZN_A_EV_TYPE:	NLA_NUL_STRING, "acl", "fingerprint" or "ptrace"
 *	  EZN_A_EV_EXEC, EZN_A_EV_COMM, EZN_A_EV_PATH: NLA_NUL_STRING
 *	  EZN_A_EV_SCRIPT:	NLA_NUL_STRING, only when there is one
 *	  EZN_A_EV_PID, EZN_A_EV_UID: NLA_U32 (initial namespaces)
 *	  EZN_A_CATEGORY:	NLA_NUL_STRING
 *	  EZN_A_EV_OP:		NLA_NUL_STRING, the operation ("open", "read", ...)
 *	  EZN_A_EV_TIME:	NLA_U64, CLOCK_REALTIME in nanoseconds
 *	  EZN_A_EV_VERDICT:	NLA_U32, 0 denied, 1 allowed (permissive/admin)
 *	  EZN_A_EV_LOST:	NLA_U32, events dropped (rate limit) before this one
 *	Events are rate limited; a reader learns how many it missed.
 *
 * EZN_CMD_KEY_ROTATE [admin]
 *	EZN_A_CATEGORY, EZN_A_KEY_DESC (NLA_NUL_STRING, at most
 *	EZN_KEY_DESC_MAX bytes with the NUL): the description of a logon key
 *	in the caller's keyrings holding the category's new 32-byte master key.
 *	Every mount of the category makes it its current key (new headers are
 *	wrapped with it; the former keys still open headers not yet rewrapped,
 *	at most 4 keys per mount: -ENOSPC) and rewrites its lower root's
 *	marker for it. Idempotent (a rotation that is resumed sends it again).
 *	-ENOENT: no mount of that category; -ENOKEY/-EKEYREJECTED: the key.
 *	FORMAT.md "Key rotation".
 *
 * EZN_CMD_KEY_RETIRE [admin]
 *	EZN_A_CATEGORY, EZN_A_KEY_ID (16 bytes, FORMAT.md's key id): the
 *	category's mounts forget that older key; headers still wrapped with it
 *	no longer open (the caller rewraps them first). -EBUSY for the current
 *	key, -ENOENT when no mount of the category holds it.
 *
 * Commands and attributes are only ever added at the end of the enums below;
 * numbers already assigned never change.
 */
#ifndef EZN_GENL_H
#define EZN_GENL_H

#define EZN_GENL_NAME		"ezncryptfs"
#define EZN_GENL_VERSION	1
#define EZN_GENL_MCGRP_AUDIT	"audit"

#define EZN_ADMIN_KEY_DESC	"ezncrypt:admin"
#define EZN_ADMIN_KEY_SIZE	32
#define EZN_CHALLENGE_SIZE	32
#define EZN_AUTH_SIZE		32
#define EZN_FINGERPRINT_SIZE	32
#define EZN_AUTH_LABEL		"ezncrypt-admin-v1"
#define EZN_CHALLENGE_TIMEOUT_S	30
#define EZN_GRANT_TIMEOUT_MAX	86400
/* Most rules in one policy. */
#define EZN_POLICY_MAX_RULES	1024
/* Longest logon key description in EZN_A_KEY_DESC, NUL included. */
#define EZN_KEY_DESC_MAX	256
#define EZN_KEY_ID_LEN		16

enum ezn_cmd {
	EZN_CMD_UNSPEC,
	EZN_CMD_GET_STATUS,
	EZN_CMD_GET_CHALLENGE,
	EZN_CMD_SET_ADMIN_KEY,
	EZN_CMD_POLICY_REPLACE,
	EZN_CMD_POLICY_ADD,
	EZN_CMD_POLICY_DELETE,
	EZN_CMD_POLICY_GET,
	EZN_CMD_SET_MODE,
	EZN_CMD_GRANT_ADD,
	EZN_CMD_GRANT_REVOKE,
	EZN_CMD_AUDIT_EVENT,
	EZN_CMD_KEY_ROTATE,
	EZN_CMD_KEY_RETIRE,
	__EZN_CMD_MAX
};

#define EZN_CMD_MAX (__EZN_CMD_MAX - 1)

enum ezn_attr {
	EZN_A_UNSPEC,
	EZN_A_VERSION,
	EZN_A_FORMAT_VERSION,
	EZN_A_MOUNTS,
	EZN_A_MODE,
	EZN_A_POLICY_GEN,
	EZN_A_NR_RULES,
	EZN_A_ADMIN_BOUND,
	EZN_A_NR_GRANTS,
	EZN_A_COUNTERS,
	EZN_A_CATEGORY_STATS,
	EZN_A_CATEGORY,
	EZN_A_ALLOWED,
	EZN_A_DENIED,
	EZN_A_CHALLENGE,
	EZN_A_AUTH,
	EZN_A_RULES,
	EZN_A_RULE_ENTRY,
	EZN_A_RULE,
	EZN_A_FINGERPRINT,
	EZN_A_RULE_INDEX,
	EZN_A_GRANT_PID,
	EZN_A_TIMEOUT,
	EZN_A_GRANT_ID,
	EZN_A_EV_TYPE,
	EZN_A_EV_EXEC,
	EZN_A_EV_COMM,
	EZN_A_EV_PATH,
	EZN_A_EV_SCRIPT,
	EZN_A_EV_PID,
	EZN_A_EV_UID,
	EZN_A_EV_OP,
	EZN_A_EV_TIME,
	EZN_A_EV_VERDICT,
	EZN_A_EV_LOST,
	EZN_A_PAD,
	EZN_A_KEY_DESC,
	EZN_A_KEY_ID,
	EZN_A_CHILD_FINGERPRINTS,
	__EZN_A_MAX
};

#define EZN_A_MAX (__EZN_A_MAX - 1)

enum ezn_mode {
	EZN_MODE_ENFORCING = 1,	/* deny what the policy does not allow; log */
	EZN_MODE_PERMISSIVE = 2,	/* allow everything; log what would be denied */
	EZN_MODE_ADMIN = 3,	/* enforcing, but root (uid 0) is allowed and logged */
};

#endif /* EZN_GENL_H */
