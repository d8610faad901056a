// SPDX-License-Identifier: GPL-2.0
/*
 * Audit of access decisions: every denial (and every access let through only
 * by permissive or admin mode) gives one kernel log line in the seed's shape,
 *
 *   ezncryptfs: DENIED type="acl" exec="/usr/bin/cat" comm="cat" path="x" pid=N uid=N
 *
 * with script="..." after exec when the process runs a script, and
 * mode="permissive" or mode="admin" at the end when access was let through,
 * and one event on the "audit" multicast group with the same fields plus the
 * category, the operation and a timestamp. Both are rate limited (any user
 * can cause denials); the event carries how many events were dropped before
 * it. Strings a process controls (comm, paths) are escaped: '"', '\\' and
 * bytes outside 0x20..0x7e become \xHH, so a line cannot be forged.
 */
#include <linux/cred.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "ezncryptfs.h"
#include "acl.h"

static DEFINE_RATELIMIT_STATE(ezn_log_rs, 5 * HZ, 20);
static DEFINE_RATELIMIT_STATE(ezn_event_rs, HZ, 200);
static atomic_t ezn_events_lost = ATOMIC_INIT(0);

static const char *const ezn_type_names[] = {
	[EZN_DENY_ACL] = "acl",
	[EZN_DENY_FINGERPRINT] = "fingerprint",
	[EZN_DENY_PTRACE] = "ptrace",
};

/* Escapes src into dst (size bytes), truncating; always NUL-terminates. */
static void ezn_escape(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	for (; *src && o + 5 < size; src++) {
		c = *src;
		if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else {
			dst[o++] = c;
		}
	}
	dst[o] = '\0';
}

/* Escaped fields longer than this are truncated in the log line. */
#define EZN_ESC_MAX	1024

struct ezn_audit_buf {
	char exe[EZN_ESC_MAX];
	char script[EZN_ESC_MAX];
	char path[EZN_ESC_MAX];
	char comm[4 * TASK_COMM_LEN + 1];
};

void ezn_audit(const struct ezn_audit_rec *rec)
{
	const char *type = ezn_type_names[rec->type];
	u32 pid = task_tgid_nr(current);
	u32 uid = from_kuid(&init_user_ns, current_uid());
	char comm[TASK_COMM_LEN];
	struct ezn_audit_buf *b;
	u32 lost;

	get_task_comm(comm, current);
	if (__ratelimit(&ezn_event_rs)) {
		lost = atomic_xchg(&ezn_events_lost, 0);
		ezn_genl_audit_event(rec, pid, uid, comm, ktime_get_real_ns(), lost);
	} else {
		atomic_inc(&ezn_events_lost);
	}

	if (!__ratelimit(&ezn_log_rs))
		return;
	b = kmalloc(sizeof(*b), GFP_NOFS);
	if (!b) {
		pr_warn("DENIED type=\"%s\" pid=%u uid=%u (no memory for details)\n", type, pid,
			uid);
		return;
	}
	ezn_escape(b->exe, sizeof(b->exe), rec->exe ?: "?");
	ezn_escape(b->path, sizeof(b->path), rec->path ?: "?");
	ezn_escape(b->comm, sizeof(b->comm), comm);
	if (rec->script)
		ezn_escape(b->script, sizeof(b->script), rec->script);
	pr_warn("DENIED type=\"%s\" exec=\"%s\"%s%s%s comm=\"%s\" path=\"%s\" pid=%u uid=%u%s\n",
		type, b->exe, rec->script ? " script=\"" : "", rec->script ? b->script : "",
		rec->script ? "\"" : "", b->comm, b->path, pid, uid,
		!rec->allowed ? "" :
		ezn_acl_mode() == EZN_MODE_ADMIN ? " mode=\"admin\"" : " mode=\"permissive\"");
	kfree(b);
}
