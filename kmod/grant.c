// SPDX-License-Identifier: GPL-2.0
/*
 * Grants: one-off access for a process tree (ezn-run). A grant names one
 * process, by its struct pid and start time (so a recycled pid number never
 * inherits it), one category or all, and an expiry time. It covers that
 * process (all its threads) and every descendant still attached to it
 * through real_parent links; it ends when the process exits (its descendants
 * are then reparented away from it and no longer find it among their
 * ancestors), when it times out, or on revoke.
 *
 * Grants are few (EZN_MAX_GRANTS) and only consulted on the slow path, after
 * the policy denied, so a plain array under a spinlock is enough. Grants are
 * never cached (acl.c): their end needs no invalidation.
 */
#include <linux/jiffies.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "ezncryptfs.h"
#include "acl.h"

#define EZN_MAX_GRANTS		64
/* How far up the process tree a grant reaches. */
#define EZN_GRANT_DEPTH		32

struct ezn_grant {
	u32 id;				/* 0: free slot */
	struct pid *pid;		/* thread-group pid, referenced */
	u64 start_time;			/* of the group leader */
	unsigned long expires;		/* jiffies */
	char category[EZN_CATEGORY_MAX + 1];	/* "" for every category */
};

/* ezn_grants and ezn_grant_next are guarded by ezn_grant_lock. */
static struct ezn_grant ezn_grants[EZN_MAX_GRANTS];
static DEFINE_SPINLOCK(ezn_grant_lock);
static u32 ezn_grant_next = 1;

/* Under ezn_grant_lock. */
static void ezn_grant_clear(struct ezn_grant *g)
{
	put_pid(g->pid);
	memset(g, 0, sizeof(*g));
}

/* Under ezn_grant_lock: false when the granted process is gone or expired. */
static bool ezn_grant_live(struct ezn_grant *g)
{
	struct task_struct *task;
	bool live;

	if (time_after_eq(jiffies, g->expires))
		return false;
	rcu_read_lock();
	task = pid_task(g->pid, PIDTYPE_TGID);
	live = task && task->start_time == g->start_time && !(task->flags & PF_EXITING);
	rcu_read_unlock();
	return live;
}

/* Under ezn_grant_lock: frees the slots of ended grants. */
static void ezn_grant_gc(void)
{
	int i;

	for (i = 0; i < EZN_MAX_GRANTS; i++)
		if (ezn_grants[i].id && !ezn_grant_live(&ezn_grants[i]))
			ezn_grant_clear(&ezn_grants[i]);
}

int ezn_grant_add(pid_t nr, const char *category, u32 timeout_s)
{
	struct ezn_grant *slot = NULL;
	struct task_struct *task;
	struct pid *pid;
	u64 start_time;
	int i, id;

	lockdep_assert_held(&ezn_admin_mutex);
	if (nr <= 0 || !timeout_s || timeout_s > EZN_GRANT_TIMEOUT_MAX)
		return -EINVAL;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_TGID);
	start_time = task ? task->start_time : 0;
	rcu_read_unlock();
	if (!task) {
		put_pid(pid);
		return -ESRCH;
	}

	spin_lock(&ezn_grant_lock);
	ezn_grant_gc();
	for (i = 0; i < EZN_MAX_GRANTS && !slot; i++)
		if (!ezn_grants[i].id)
			slot = &ezn_grants[i];
	if (!slot) {
		spin_unlock(&ezn_grant_lock);
		put_pid(pid);
		return -ENOSPC;
	}
	id = ezn_grant_next++;
	if (!ezn_grant_next || ezn_grant_next > INT_MAX)
		ezn_grant_next = 1;
	slot->id = id;
	slot->pid = pid;
	slot->start_time = start_time;
	slot->expires = jiffies + (unsigned long)timeout_s * HZ;
	strscpy(slot->category, category ?: "", sizeof(slot->category));
	spin_unlock(&ezn_grant_lock);
	ezn_acl_bump();
	return id;
}

int ezn_grant_revoke(u32 id)
{
	int i, err = -ENOENT;

	lockdep_assert_held(&ezn_admin_mutex);
	spin_lock(&ezn_grant_lock);
	for (i = 0; i < EZN_MAX_GRANTS; i++) {
		if (id && ezn_grants[i].id == id) {
			ezn_grant_clear(&ezn_grants[i]);
			err = 0;
		}
	}
	ezn_grant_gc();
	spin_unlock(&ezn_grant_lock);
	ezn_acl_bump();
	return err;
}

unsigned int ezn_grant_count(void)
{
	unsigned int i, n = 0;

	spin_lock(&ezn_grant_lock);
	ezn_grant_gc();
	for (i = 0; i < EZN_MAX_GRANTS; i++)
		if (ezn_grants[i].id)
			n++;
	spin_unlock(&ezn_grant_lock);
	return n;
}

/* Under ezn_grant_lock and rcu_read_lock(): does g cover current? */
static bool ezn_grant_matches(const struct ezn_grant *g, const char *category)
{
	struct task_struct *t = current, *leader;
	int depth;

	if (g->category[0] && strcmp(g->category, category))
		return false;
	for (depth = 0; depth < EZN_GRANT_DEPTH && t && t->pid; depth++) {
		leader = t->group_leader;
		if (task_tgid(t) == g->pid && leader->start_time == g->start_time)
			return true;
		if (t == rcu_dereference(t->real_parent))
			break;
		t = rcu_dereference(t->real_parent);
	}
	return false;
}

bool ezn_grant_covers(const char *category)
{
	bool covered = false;
	int i;

	spin_lock(&ezn_grant_lock);
	ezn_grant_gc();
	rcu_read_lock();
	for (i = 0; i < EZN_MAX_GRANTS && !covered; i++)
		if (ezn_grants[i].id && ezn_grant_matches(&ezn_grants[i], category))
			covered = true;
	rcu_read_unlock();
	spin_unlock(&ezn_grant_lock);
	return covered;
}

int __init ezn_grant_init(void)
{
	return 0;
}

void ezn_grant_exit(void)
{
	int i;

	spin_lock(&ezn_grant_lock);
	for (i = 0; i < EZN_MAX_GRANTS; i++)
		if (ezn_grants[i].id)
			ezn_grant_clear(&ezn_grants[i]);
	spin_unlock(&ezn_grant_lock);
}
