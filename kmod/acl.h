/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ezncryptfs access control: the private interface between the policy engine
 * (acl.c), subject identification (ident.c), grants (grant.c), admin
 * authentication (auth.c), audit (audit.c), the netlink family (netlink.c)
 * and the filesystem's hooks. docs/ACCESS-CONTROL.md describes the design.
 *
 * The filesystem calls, at the top of each operation:
 *	ezn_acl_check(dentry, op)	 for a name (lookup, create, unlink, ...)
 *	ezn_acl_file(file, op)		 for an open file (read, write, mmap, ...)
 * Each returns 0 or -EACCES, to be returned as is. They may sleep and must
 * not be called with a folio lock held. Directories merely walked through
 * are not checked: lookups and the operation at the end of a walk are, which
 * names the file a process was after (docs/ACCESS-CONTROL.md).
 */
#ifndef EZN_ACL_H
#define EZN_ACL_H

#include <linux/types.h>
#include <linux/fs.h>
#include <linux/rcupdate.h>

struct nlattr;
struct nlmsghdr;

#include "ezn_rule.h"
#include "ezn_genl.h"

enum ezn_acl_op {
	EZN_OP_LOOKUP,
	EZN_OP_OPEN,
	EZN_OP_READDIR,
	EZN_OP_CREATE,
	EZN_OP_MKDIR,
	EZN_OP_MKNOD,
	EZN_OP_SYMLINK,
	EZN_OP_LINK,
	EZN_OP_UNLINK,
	EZN_OP_RMDIR,
	EZN_OP_RENAME,
	EZN_OP_SETATTR,
	EZN_OP_GETXATTR,
	EZN_OP_SETXATTR,
	EZN_OP_LISTXATTR,
	EZN_OP_REMOVEXATTR,
	EZN_OP_READ,
	EZN_OP_WRITE,
	EZN_OP_MMAP,
	EZN_OP_SPLICE,
	EZN_OP_READLINK,
	EZN_OP_GETATTR,
	EZN_OP_WALK,
	EZN_OP_NR
};

/* Why access was refused (or would have been). */
enum ezn_deny_type {
	EZN_DENY_ACL,
	EZN_DENY_FINGERPRINT,
	EZN_DENY_PTRACE,
};

/* ---- acl.c: policy snapshot, mode, decisions ---- */

/* Module init/exit of the whole access-control side (main.c). */
int ezn_access_init(void);
void ezn_access_exit(void);

/*
 * The SHA-256s a rule pins its files to: its executable (or script), and
 * each --children executable in the rule's order (the first nr_children).
 */
struct ezn_fp {
	u8 sha[EZN_FINGERPRINT_SIZE];
	u8 child[EZN_MAX_CHILDREN][EZN_FINGERPRINT_SIZE];
};

/*
 * An immutable policy snapshot, published through ezn_policy (RCU). Replaced
 * as a whole under ezn_admin_mutex; readers hold rcu_read_lock() or a
 * snapshot reference is never taken (they copy what they need).
 */
struct ezn_policy {
	struct rcu_head rcu;
	u64 gen;			/* ezn_acl_gen value when published */
	u32 nr;
	bool has_children;		/* some rule has --children */
	struct ezn_rule *rules;		/* nr entries, kvmalloc'd */
	struct ezn_fp *fps;		/* fingerprints of rules[i] */
};

/* Serialises every mutating admin request (policy, mode, grants, key). */
extern struct mutex ezn_admin_mutex;

const char *ezn_acl_op_name(enum ezn_acl_op op);

/*
 * Invalidates every cached decision (policy, mode or grant change, rename).
 * Cheap: one atomic increment.
 */
void ezn_acl_bump(void);

/* A new id for a dentry: ids are never reused (see acl.c, "Cache"). */
u64 ezn_acl_new_id(void);

int ezn_acl_check(struct dentry *dentry, enum ezn_acl_op op);
int ezn_acl_file(struct file *file, enum ezn_acl_op op);

/* Under ezn_admin_mutex. rules/fps are consumed (freed on error too). */
int ezn_policy_publish(struct ezn_rule *rules, struct ezn_fp *fps, u32 nr_rules);
/* Under ezn_admin_mutex: the current snapshot, never NULL. */
struct ezn_policy *ezn_policy_locked(void);
/* The current snapshot for a reader inside rcu_read_lock(). */
struct ezn_policy *ezn_policy_rcu(void);

enum ezn_mode ezn_acl_mode(void);
void ezn_acl_set_mode(enum ezn_mode mode);

/* Counters per category, for the status reply. */
struct ezn_cat_stats {
	char name[EZN_CATEGORY_MAX + 1];
	u64 allowed, denied;
};

/* Fills up to max entries; returns how many categories there are. */
unsigned int ezn_acl_stats(struct ezn_cat_stats *out, unsigned int max);

/* ---- ident.c: who is asking ---- */

int ezn_ident_init(void);
void ezn_ident_exit(void);

/*
 * The file a task is running (mm->exe_file), referenced, or NULL for kernel
 * threads and exiting tasks. task may be current or a task the caller keeps
 * alive (rcu or reference).
 */
struct file *ezn_task_exe(struct task_struct *task);
/*
 * The script that exe_file (as returned by ezn_task_exe()) was started for,
 * when it is an interpreter a script's #! named: referenced, or NULL.
 */
struct file *ezn_exe_script(struct file *exe_file);

/*
 * Path of file into buf (size bytes, NUL-terminated). On error (too long,
 * unreachable) buf holds "?" and -ENAMETOOLONG or another errno is returned.
 */
int ezn_file_path(struct file *file, char *buf, int size);

/*
 * SHA-256 of a file's content, cached per (device, inode, generation, size,
 * ctime, mtime, i_version); computed at most once per version of the file.
 * Returns 0 or a negative errno (files on ezncryptfs itself are refused).
 */
int ezn_file_sha256(struct file *file, u8 out[EZN_FINGERPRINT_SIZE]);
/*
 * Opens path (read-only, as the caller) and hashes it. real (real_size
 * bytes) gets the path the kernel reports for the opened file; when it is not
 * path itself (a symlink on the way), -ENOTUNIQ.
 */
int ezn_path_sha256(const char *path, u8 out[EZN_FINGERPRINT_SIZE], char *real, int real_size);

/* ---- grant.c: one-off access for a process tree ---- */

int ezn_grant_init(void);
void ezn_grant_exit(void);
/* Under ezn_admin_mutex. Returns the grant id (> 0) or a negative errno. */
int ezn_grant_add(pid_t pid, const char *category, u32 timeout_s);
int ezn_grant_revoke(u32 id);
unsigned int ezn_grant_count(void);
/* true when current or an ancestor holds a live grant for category. */
bool ezn_grant_covers(const char *category);

/* ---- auth.c: admin key and challenges ---- */

int ezn_auth_init(void);
void ezn_auth_exit(void);
/* A fresh challenge for portid. */
int ezn_auth_challenge(u32 portid, u8 out[EZN_CHALLENGE_SIZE]);
/*
 * Verifies the EZN_A_AUTH of a request (nlh: its netlink header), consuming
 * the challenge of portid. Under ezn_admin_mutex. 0, -EPERM or -ENOKEY.
 */
int ezn_auth_verify(u32 portid, u8 cmd, const struct nlmsghdr *nlh, const struct nlattr *auth);
/* Binds the logon key "ezncrypt:admin" of the caller (see ezn_genl.h). */
int ezn_auth_set_key(u32 portid, const struct nlmsghdr *nlh, const struct nlattr *auth);
bool ezn_auth_bound(void);

/* ---- audit.c: the log line, the multicast event ---- */

struct ezn_audit_rec {
	enum ezn_deny_type type;
	enum ezn_acl_op op;
	bool allowed;			/* permissive/admin mode let it through */
	const char *exe;
	const char *script;		/* or NULL */
	const char *path;		/* relative to the category root */
	const char *category;
};

void ezn_audit(const struct ezn_audit_rec *rec);

/* ---- netlink.c ---- */

/* Sends an audit event to the multicast group (no-op without listeners). */
void ezn_genl_audit_event(const struct ezn_audit_rec *rec, u32 pid, u32 uid, const char *comm,
			  u64 time_ns, u32 lost);

#endif /* EZN_ACL_H */
