// SPDX-License-Identifier: GPL-2.0
/*
 * The access-control engine: the policy snapshot, the mode, the decision for
 * one (process, category, path) and its cache, and the entry points the
 * filesystem calls. docs/ACCESS-CONTROL.md describes the design.
 *
 * Policy. An immutable snapshot (struct ezn_policy) published through the
 * RCU pointer ezn_cur_policy; writers replace it whole under ezn_admin_mutex
 * and free the old one after synchronize_rcu(). Readers copy what they need
 * (the deciding rule and its fingerprint) before leaving the read side.
 *
 * Generation. ezn_gen changes on every policy, mode or grant change and on
 * every rename (which changes the paths decisions were made for). A cached
 * decision stores the generation read before it was computed and is used
 * only while ezn_gen still has that value, so a change takes effect at the
 * next access, open files included.
 *
 * Cache. A two-way table of allowed decisions keyed by the dentry (tagged
 * with whether the decision was for traversing it: opens, I/O, stats and
 * lookups on one name share a decision), the dentry's id, the task (pointer
 * and start time) and the exe file the task runs. Ids (ezn_acl_new_id()) are
 * never reused: a dentry's is set when it is instantiated, before it is
 * visible, and kept in its d_time. A freed dentry's memory that comes back as
 * another dentry, for another path, therefore never matches the decisions
 * made for the old one, and unlink and rmdir, which free names, need not
 * invalidate the cache (a name's decision depends on its path, which only a
 * rename changes). It only holds ALLOW results
 * that came from the policy or permissive mode (never grants, which end on
 * their own, nor admin mode's, which depend on the uid). The task's exec
 * count (self_exec_id) is part of the key: an execve() leaves nothing of the
 * old program's decisions usable, even when the new exe_file reuses the old
 * one's memory. A decision that rests on nothing but the task's own
 * executable (no script, no ancestor rule in the policy) lasts until the
 * generation changes or the slot is taken: the file a task runs cannot be
 * written while it runs (ETXTBSY). Any other is used for at most
 * EZN_CACHE_TTL, so a script rewritten in place, or an ancestor that exits or
 * execs, is decided again soon.
 * A hit takes no lock (the slots are read under a sequence count), builds
 * no path and allocates nothing: a few compares. Counters are per-CPU.
 * A decision whose rule allows everything in the name's directory alike is
 * also stored under the directory's below key (ezn_dentry_key()), which
 * serves a miss on any name in it.
 *
 * Engagement. Until an admin key is bound (the service's first step, before
 * it loads the policy and mounts), nothing is enforced: see "Bootstrap" in
 * docs/ACCESS-CONTROL.md.
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/sched/mm.h>
#include <crypto/algapi.h>

#include "ezncryptfs.h"
#include "acl.h"

/* Serialises admin requests: authentication through publication. */
DEFINE_MUTEX(ezn_admin_mutex);

static struct ezn_policy __rcu *ezn_cur_policy;
static atomic64_t ezn_gen = ATOMIC64_INIT(1);
static int ezn_mode = EZN_MODE_ENFORCING;

/* Depth of the ancestor walk for --children and grants. */
#define EZN_MAX_ANCESTORS	8
#define EZN_CACHE_SET_BITS	13	/* sets of two slots (2-way) */
#define EZN_CACHE_TTL		HZ

struct ezn_cache_slot {
	const void *obj;		/* tagged dentry (ezn_dentry_key()) */
	u64 id;				/* the dentry's id (ezn_dentry_id()) */
	const struct task_struct *task;
	u64 start_time;
	u64 exec_id;			/* the task's self_exec_id */
	const void *exe;		/* the task's mm->exe_file */
	s64 gen;
	unsigned long stored;		/* jiffies */
	bool bounded;			/* valid for EZN_CACHE_TTL after stored */
	int cat;
};

/*
 * Two slots (2-way). Stores hold @lock's writer side; lookups take no lock:
 * they read under its sequence count and retry if a store ran meanwhile.
 */
struct ezn_cache_set {
	seqlock_t lock;
	struct ezn_cache_slot slot[2];
};

static struct ezn_cache_set *ezn_cache;
static struct kmem_cache *ezn_scratch_cache;

/* Categories seen since load, with per-CPU counters. */
#define EZN_MAX_CATS	64
struct ezn_counts {
	u64 allowed;
	u64 denied;
};

struct ezn_cat {
	char name[EZN_CATEGORY_MAX + 1];
	struct ezn_counts __percpu *cnt;
};

static struct ezn_cat ezn_cats[EZN_MAX_CATS];
/* Slots [0, ezn_nr_cats) are filled; published with release semantics. */
static unsigned int ezn_nr_cats;
static DEFINE_MUTEX(ezn_cats_mutex);

static const char *const ezn_op_names[EZN_OP_NR] = {
	[EZN_OP_LOOKUP] = "lookup",	[EZN_OP_OPEN] = "open",
	[EZN_OP_READDIR] = "readdir",	[EZN_OP_CREATE] = "create",
	[EZN_OP_MKDIR] = "mkdir",	[EZN_OP_MKNOD] = "mknod",
	[EZN_OP_SYMLINK] = "symlink",	[EZN_OP_LINK] = "link",
	[EZN_OP_UNLINK] = "unlink",	[EZN_OP_RMDIR] = "rmdir",
	[EZN_OP_RENAME] = "rename",	[EZN_OP_SETATTR] = "setattr",
	[EZN_OP_GETXATTR] = "getxattr",	[EZN_OP_SETXATTR] = "setxattr",
	[EZN_OP_LISTXATTR] = "listxattr", [EZN_OP_REMOVEXATTR] = "removexattr",
	[EZN_OP_READ] = "read",		[EZN_OP_WRITE] = "write",
	[EZN_OP_MMAP] = "mmap",		[EZN_OP_SPLICE] = "splice",
	[EZN_OP_READLINK] = "readlink",	[EZN_OP_GETATTR] = "getattr",
	[EZN_OP_WALK] = "walk",
};

const char *ezn_acl_op_name(enum ezn_acl_op op)
{
	return op < EZN_OP_NR && ezn_op_names[op] ? ezn_op_names[op] : "?";
}

/*
 * Fully ordered: a decision that reads the new generation sees every change
 * made before the bump (a rename's lower move), for it reads the generation
 * before the path, and read_seqbegin() in ezn_rel_path() orders the two.
 */
void ezn_acl_bump(void)
{
	atomic64_inc_return(&ezn_gen);
}

static atomic64_t ezn_last_id = ATOMIC64_INIT(0);

u64 ezn_acl_new_id(void)
{
	return atomic64_inc_return(&ezn_last_id);
}

enum ezn_mode ezn_acl_mode(void)
{
	return READ_ONCE(ezn_mode);
}

void ezn_acl_set_mode(enum ezn_mode mode)
{
	WRITE_ONCE(ezn_mode, mode);
	ezn_acl_bump();
}

struct ezn_policy *ezn_policy_locked(void)
{
	return rcu_dereference_protected(ezn_cur_policy, lockdep_is_held(&ezn_admin_mutex));
}

struct ezn_policy *ezn_policy_rcu(void)
{
	return rcu_dereference(ezn_cur_policy);
}

static void ezn_policy_free(struct ezn_policy *pol)
{
	if (!pol)
		return;
	kvfree(pol->rules);
	kvfree(pol->fps);
	kfree(pol);
}

int ezn_policy_publish(struct ezn_rule *rules, struct ezn_fp *fps, u32 nr)
{
	struct ezn_policy *pol, *old;
	u32 i;

	lockdep_assert_held(&ezn_admin_mutex);
	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol) {
		kvfree(rules);
		kvfree(fps);
		return -ENOMEM;
	}
	pol->rules = rules;
	pol->fps = fps;
	pol->nr = nr;
	for (i = 0; i < nr; i++)
		if (rules[i].nr_children)
			pol->has_children = true;
	pol->gen = atomic64_inc_return(&ezn_gen);
	old = rcu_replace_pointer(ezn_cur_policy, pol, lockdep_is_held(&ezn_admin_mutex));
	ezn_acl_bump();
	synchronize_rcu();
	ezn_policy_free(old);
	return 0;
}

/* ---- categories and counters ---- */

static int ezn_cat_find(const char *name)
{
	/* Pairs with the release in ezn_cat_get(): slots below nr are filled. */
	unsigned int i, nr = smp_load_acquire(&ezn_nr_cats);

	for (i = 0; i < nr; i++)
		if (!strcmp(ezn_cats[i].name, name))
			return i;
	return -1;
}

/* The counter slot of a category, registering it (may sleep); -1 if full. */
static int ezn_cat_get(const char *name)
{
	int i = ezn_cat_find(name);
	struct ezn_cat *cat;

	if (i >= 0)
		return i;
	mutex_lock(&ezn_cats_mutex);
	i = ezn_cat_find(name);
	if (i < 0 && ezn_nr_cats < EZN_MAX_CATS) {
		cat = &ezn_cats[ezn_nr_cats];
		cat->cnt = alloc_percpu(struct ezn_counts);
		if (cat->cnt) {
			strscpy(cat->name, name, sizeof(cat->name));
			i = ezn_nr_cats;
			/* Publish the slot only once name and counters are set. */
			smp_store_release(&ezn_nr_cats, ezn_nr_cats + 1);
		}
	}
	mutex_unlock(&ezn_cats_mutex);
	return i;
}

static void ezn_count(int cat, bool allowed)
{
	if (cat < 0)
		return;
	if (allowed)
		this_cpu_inc(ezn_cats[cat].cnt->allowed);
	else
		this_cpu_inc(ezn_cats[cat].cnt->denied);
}

unsigned int ezn_acl_stats(struct ezn_cat_stats *out, unsigned int max)
{
	/* Pairs with the release in ezn_cat_get(). */
	unsigned int i, nr = smp_load_acquire(&ezn_nr_cats);
	int cpu;

	for (i = 0; i < nr && i < max; i++) {
		strscpy(out[i].name, ezn_cats[i].name, sizeof(out[i].name));
		out[i].allowed = 0;
		out[i].denied = 0;
		for_each_possible_cpu(cpu) {
			struct ezn_counts *c = per_cpu_ptr(ezn_cats[i].cnt, cpu);

			out[i].allowed += READ_ONCE(c->allowed);
			out[i].denied += READ_ONCE(c->denied);
		}
	}
	return nr;
}

/* ---- the decision cache ---- */

static const void *ezn_current_exe_ptr(void)
{
	struct mm_struct *mm = current->mm;

	return mm ? rcu_access_pointer(mm->exe_file) : NULL;
}

/*
 * The set of two slots of (@obj, current). Two ways keep a storm over a few
 * thousand files from thrashing slots that two of them hash to.
 */
static struct ezn_cache_set *ezn_cache_set(const void *obj)
{
	unsigned long key = (unsigned long)obj ^ ((unsigned long)current >> 4);

	return &ezn_cache[hash_long(key, EZN_CACHE_SET_BITS)];
}

static bool ezn_cache_match(const struct ezn_cache_slot *s, const void *obj, u64 id,
			    const void *exe)
{
	return s->obj == obj && s->id == id && s->task == current &&
	       s->start_time == current->start_time && s->exec_id == current->self_exec_id &&
	       s->exe == exe;
}

static bool ezn_cache_fresh(const struct ezn_cache_slot *s)
{
	return !s->bounded || time_before(jiffies, s->stored + EZN_CACHE_TTL);
}

/*
 * The counter slot of a valid cached ALLOW for (obj, current), or -2; on a
 * hit, *@gen is the generation it is valid in and *@bounded its bounded.
 */
static int ezn_cache_lookup(const void *obj, u64 id, s64 *gen, bool *bounded)
{
	struct ezn_cache_set *set = ezn_cache_set(obj);
	const void *exe = ezn_current_exe_ptr();
	const struct ezn_cache_slot *s;
	unsigned int seq;
	int cat;

	*gen = atomic64_read(&ezn_gen);
	do {
		seq = read_seqbegin(&set->lock);
		cat = -2;
		for (s = set->slot; s < set->slot + ARRAY_SIZE(set->slot); s++) {
			if (ezn_cache_match(s, obj, id, exe) && s->gen == *gen &&
			    ezn_cache_fresh(s)) {
				cat = s->cat;
				*bounded = s->bounded;
				break;
			}
		}
	} while (read_seqretry(&set->lock, seq));
	return cat;
}

static void ezn_cache_store(const void *obj, u64 id, s64 gen, int cat, bool bounded)
{
	struct ezn_cache_set *set = ezn_cache_set(obj);
	struct ezn_cache_slot *way0 = &set->slot[0], *way1 = &set->slot[1], *s;
	const void *exe = ezn_current_exe_ptr();

	write_seqlock(&set->lock);
	/* The same key's slot, else a stale one, else the one stored first. */
	if (ezn_cache_match(way1, obj, id, exe))
		s = way1;
	else if (ezn_cache_match(way0, obj, id, exe))
		s = way0;
	else if (way1->gen != gen || !ezn_cache_fresh(way1))
		s = way1;
	else if (way0->gen != gen || !ezn_cache_fresh(way0))
		s = way0;
	else
		s = time_before(way1->stored, way0->stored) ? way1 : way0;
	s->obj = obj;
	s->id = id;
	s->task = current;
	s->start_time = current->start_time;
	s->exec_id = current->self_exec_id;
	s->exe = exe;
	s->gen = gen;
	s->stored = jiffies;
	s->bounded = bounded;
	s->cat = cat;
	write_sequnlock(&set->lock);
}

/*
 * The cache key of a decision about @dentry. A decision depends on the path,
 * the subject and whether it is for traversing, not on the operation: the
 * path of a dentry changes only by rename, which bumps the generation.
 * Dentries are aligned, so bit 0 is free to tell traverse decisions apart,
 * and bit 1 marks the key of a directory's "below" decision: every entry
 * under it, at any depth, is allowed (ezn_policy_covers_below()).
 */
#define EZN_KEY_TRAVERSE	1UL
#define EZN_KEY_BELOW		2UL
static_assert(__alignof__(struct dentry) > (EZN_KEY_TRAVERSE | EZN_KEY_BELOW));

static const void *ezn_dentry_key(const struct dentry *dentry, bool traverse)
{
	return (const void *)((unsigned long)dentry | (traverse ? EZN_KEY_TRAVERSE : 0));
}

static const void *ezn_below_key(const struct dentry *dir)
{
	return (const void *)((unsigned long)dir | EZN_KEY_BELOW);
}

/* Set when the dentry is allocated (ezn_d_init()), then constant. */
static u64 ezn_dentry_id(const struct dentry *dentry)
{
	return dentry->d_time;
}

/* ---- identifying the subject ---- */

/* One process of the subject: its files (referenced) and their paths. */
struct ezn_sproc {
	struct file *exe;
	struct file *script;
	char exe_path[EZN_PATH_MAX];
	char script_path[EZN_PATH_MAX];
};

/*
 * Everything one slow-path decision needs; too big for the stack, and for
 * kmalloc's caches (an order-2 page allocation each time), so it has its own
 * slab cache. Not zeroed: every field is written before it is read, and
 * the cache is exempt from init_on_alloc (ezn_uncleared_cache_create()):
 * clearing the whole object was two thirds of a decision's time, paid by
 * each process's first access to each file.
 */
struct ezn_scratch {
	char path[PATH_MAX];
	struct ezn_sproc self;
	struct ezn_sproc anc[EZN_MAX_ANCESTORS];
	struct ezn_proc anc_procs[EZN_MAX_ANCESTORS];
	unsigned int nr_anc;
	struct ezn_rule rule;
	struct ezn_fp fp;
	u8 sha[EZN_FINGERPRINT_SIZE];
};

static void ezn_sproc_fill(struct ezn_sproc *p, struct file *exe)
{
	p->exe = exe;
	p->script = NULL;
	p->script_path[0] = '\0';
	if (!exe) {
		strscpy(p->exe_path, "?", sizeof(p->exe_path));
		return;
	}
	ezn_file_path(exe, p->exe_path, sizeof(p->exe_path));
	p->script = ezn_exe_script(exe);
	if (p->script)
		ezn_file_path(p->script, p->script_path, sizeof(p->script_path));
}

static void ezn_sproc_put(struct ezn_sproc *p)
{
	if (p->exe)
		fput(p->exe);
	if (p->script)
		fput(p->script);
	p->exe = NULL;
	p->script = NULL;
}

static void ezn_proc_of(const struct ezn_sproc *sp, struct ezn_proc *p)
{
	p->exe = sp->exe ? sp->exe_path : NULL;
	p->script = sp->script ? sp->script_path : NULL;
}

/* Ancestors of current, nearest first, up to EZN_MAX_ANCESTORS. */
static void ezn_collect_ancestors(struct ezn_scratch *s)
{
	struct task_struct *tasks[EZN_MAX_ANCESTORS];
	struct task_struct *t, *p;
	unsigned int i, n = 0;

	rcu_read_lock();
	t = current;
	while (n < EZN_MAX_ANCESTORS) {
		p = rcu_dereference(t->real_parent);
		if (!p || p == t || (p->flags & PF_KTHREAD) || !p->pid)
			break;
		get_task_struct(p);
		tasks[n++] = p;
		t = p;
	}
	rcu_read_unlock();

	for (i = 0; i < n; i++) {
		ezn_sproc_fill(&s->anc[i], ezn_task_exe(tasks[i]));
		ezn_proc_of(&s->anc[i], &s->anc_procs[i]);
		put_task_struct(tasks[i]);
	}
	s->nr_anc = n;
}

/* file's content is still the pinned one (sha: scratch for its hash). */
static bool ezn_pin_holds(struct file *file, const u8 *pinned, u8 *sha)
{
	return file && !ezn_file_sha256(file, sha) &&
	       !crypto_memneq(sha, pinned, EZN_FINGERPRINT_SIZE);
}

/*
 * Every file the ALLOW in s->rule rests on still has its pinned content:
 * the --children executables from current up the chain of ancestors, and
 * the executable (or script) of the process the chain leads to, which the
 * rule names. The chain is walked as ezn_rule_applies() matched it.
 */
static bool ezn_rule_pins_hold(struct ezn_scratch *s, const struct ezn_subject *subj)
{
	struct ezn_subject one = { .nr_ancestors = 0 };
	struct ezn_sproc *sp = &s->self;
	unsigned int i = 0;
	int child;

	one.self = subj->self;
	for (;;) {
		if (ezn_rule_applies(&s->rule, &one))
			return ezn_pin_holds(s->rule.shell[0] ? sp->script : sp->exe, s->fp.sha,
					     s->sha);
		child = ezn_rule_child_index(&s->rule, one.self.exe);
		if (child < 0 || !ezn_pin_holds(sp->exe, s->fp.child[child], s->sha))
			return false;
		if (i == subj->nr_ancestors)
			return false;
		one.self = subj->ancestors[i];
		sp = &s->anc[i++];
	}
}

/*
 * Path of dentry relative to its superblock's root ("" for the root), and in
 * *@settled whether the path was read while the dentry and its ancestors
 * stood where their lower dentries do (ezn_dentry_settled()), all of it in
 * one read section of rename_lock: a decision on a path that a rename under
 * way is changing is made, but not cached (ezn_rename()). A rename anywhere
 * during the read also leaves it unsettled, which only costs a cache miss.
 * The parent's below key and id (NULL for the root), read in the same
 * section, are those of the directory the path ends in.
 */
static char *ezn_rel_path(struct dentry *dentry, char *buf, int size, bool *settled,
			  const void **parent_key, u64 *parent_id)
{
	struct dentry *parent;
	unsigned int seq;
	char *p;

	rcu_read_lock();
	seq = read_seqbegin(&rename_lock);
	p = dentry_path_raw(dentry, buf, size);
	parent = READ_ONCE(dentry->d_parent);
	*parent_key = parent == dentry ? NULL : ezn_below_key(parent);
	*parent_id = ezn_dentry_id(parent);
	*settled = ezn_dentry_settled(dentry) && !read_seqretry(&rename_lock, seq);
	rcu_read_unlock();
	if (IS_ERR(p))
		return NULL;
	while (*p == '/')
		p++;
	return p;
}

struct ezn_verdict {
	bool allowed;
	bool cacheable;
	bool bounded;	/* rests on a script or an ancestor: cache for EZN_CACHE_TTL */
	int cat;
	const void *below_key;	/* when cacheable: the parent's, if it holds too */
	u64 below_id;
};

/*
 * Whether the rule at @idx, which allows @rel, allows everything in the
 * directory @rel is in, at any depth, for @subj. @rel is the scratch path,
 * cut at its last '/' for the call and restored.
 */
static bool ezn_parent_covered(const struct ezn_policy *pol, const char *category, char *rel,
			       const struct ezn_subject *subj, int idx)
{
	char *slash = strrchr(rel, '/');
	bool covered;

	if (!slash)
		return ezn_policy_covers_below(pol->rules, pol->nr, category, "", subj, idx);
	*slash = '\0';
	covered = ezn_policy_covers_below(pol->rules, pol->nr, category, rel, subj, idx);
	*slash = '/';
	return covered;
}

static bool ezn_is_traverse(enum ezn_acl_op op)
{
	return op == EZN_OP_LOOKUP || op == EZN_OP_READDIR || op == EZN_OP_WALK;
}

/*
 * The slow path: identifies current, decides, audits and counts. Sleeps.
 * Sets v->cacheable only for a policy ALLOW without any degradation.
 */
static void ezn_decide(struct dentry *dentry, enum ezn_acl_op op, bool traverse,
		       struct ezn_verdict *v)
{
	const char *category = EZN_SB(dentry->d_sb)->category ?: "";
	struct ezn_subject subj = { };
	struct ezn_audit_rec rec = { };
	enum ezn_deny_type type = EZN_DENY_ACL;
	struct ezn_scratch *s;
	struct ezn_policy *pol;
	const void *parent_key;
	bool allowed = false, with_ancestors = false, settled, covered = false;
	u64 parent_id;
	char *rel;
	int res, idx = -1;
	unsigned int i, nofs;
	enum ezn_mode mode = ezn_acl_mode();

	v->allowed = false;
	v->cacheable = false;
	v->bounded = true;
	v->below_key = NULL;
	/*
	 * This runs under the filesystem's locks (directory i_rwsem, ...):
	 * no allocation here or in the hashing below may recurse into
	 * filesystem reclaim, which could write back our own pages.
	 */
	nofs = memalloc_nofs_save();
	v->cat = ezn_cat_get(category);
	s = kmem_cache_alloc(ezn_scratch_cache, GFP_KERNEL);
	if (!s) {
		/* Fail closed. */
		ezn_count(v->cat, false);
		memalloc_nofs_restore(nofs);
		return;
	}
	s->nr_anc = 0;
	/*
	 * A kernel thread has no exe ("?"), and no rule names it: what comes
	 * here from one is I/O it does for someone else (a loop device, nfsd,
	 * ksmbd) on a descriptor that an allowed process let go of.
	 */
	ezn_sproc_fill(&s->self, ezn_task_exe(current));
	ezn_proc_of(&s->self, &subj.self);
	rel = ezn_rel_path(dentry, s->path, sizeof(s->path), &settled, &parent_key, &parent_id);

	if (current->ptrace) {
		type = EZN_DENY_PTRACE;
		goto decided;
	}
	if (!rel)
		goto decided;

	rcu_read_lock();
	pol = ezn_policy_rcu();
	if (pol && pol->has_children) {
		rcu_read_unlock();
		with_ancestors = true;
		ezn_collect_ancestors(s);
		subj.ancestors = s->anc_procs;
		subj.nr_ancestors = s->nr_anc;
		rcu_read_lock();
		pol = ezn_policy_rcu();
	}
	res = pol ? ezn_policy_decide(pol->rules, pol->nr, category, rel, &subj,
				      traverse ? EZN_MATCH_TRAVERSE : 0, &idx) : EZN_DENY;
	if (res == EZN_ALLOW && idx >= 0) {
		s->rule = pol->rules[idx];
		s->fp = pol->fps[idx];
		covered = parent_key && ezn_parent_covered(pol, category, rel, &subj, idx);
	}
	rcu_read_unlock();

	if (res == EZN_ALLOW && idx >= 0) {
		if (ezn_rule_pins_hold(s, &subj)) {
			allowed = true;
			/* The same rule, the same pins: its siblings need no decision. */
			if (covered) {
				v->below_key = parent_key;
				v->below_id = parent_id;
			}
		} else {
			type = EZN_DENY_FINGERPRINT;
		}
		/* Only a decision on current's own pinned exe lasts to the next change. */
		v->bounded = with_ancestors || s->rule.shell[0] || s->self.script;
	}
	v->cacheable = allowed;

decided:
	if (!allowed && type != EZN_DENY_PTRACE && ezn_grant_covers(category))
		allowed = true;
	if (!allowed) {
		rec.type = type;
		rec.op = op;
		rec.exe = s->self.exe_path;
		rec.script = s->self.script ? s->self.script_path : NULL;
		rec.path = !rel ? "?" : *rel ? rel : ".";
		rec.category = category;
		/* Mode changes bump the generation: permissive allows may be cached. */
		if (mode == EZN_MODE_PERMISSIVE) {
			allowed = true;
			v->cacheable = true;
		} else if (mode == EZN_MODE_ADMIN && uid_eq(current_uid(), GLOBAL_ROOT_UID)) {
			allowed = true;
		}
		rec.allowed = allowed;
		ezn_audit(&rec);
	}
	/* Decided on a path that a rename under way is changing (ezn_rename()). */
	if (!settled)
		v->cacheable = false;
	v->allowed = allowed;
	ezn_count(v->cat, allowed);

	ezn_sproc_put(&s->self);
	for (i = 0; i < s->nr_anc; i++)
		ezn_sproc_put(&s->anc[i]);
	kmem_cache_free(ezn_scratch_cache, s);
	memalloc_nofs_restore(nofs);
}

static inline bool ezn_acl_engaged(void)
{
	return ezn_auth_bound();
}

/*
 * Whether @dentry is still in @parent, standing where its lower dentry does,
 * read after the generation of a hit on @parent's below key. A rename between
 * its lower rename and the move of the dentry (ezn_rename()) has already
 * bumped the generation that hit was read in: the hit is served, as any
 * access that ends before the rename, but a copy to the dentry's own key
 * would carry the old directory's decision to the new name.
 */
static bool ezn_still_below(struct dentry *dentry, struct dentry *parent)
{
	unsigned int seq;
	bool ok;

	rcu_read_lock();
	seq = read_seqbegin(&rename_lock);
	ok = READ_ONCE(dentry->d_parent) == parent && ezn_dentry_settled(dentry) &&
	     !read_seqretry(&rename_lock, seq);
	rcu_read_unlock();
	return ok;
}

/*
 * A miss for @dentry's own key (@key, @id): the below decision of the
 * directory it is in serves it, and is copied to its key when it lasts to the
 * next change. The parent is read before the generation: a rename bumps the
 * generation before it moves the dentry (ezn_rename()), so a new parent is
 * looked up only in the generation of the move or later. Dentries are freed
 * after an RCU grace period, so a parent the dentry has just left can still
 * be read.
 */
static int ezn_cache_lookup_below(struct dentry *dentry, const void *key, u64 id)
{
	struct dentry *parent;
	const void *pkey;
	bool bounded;
	u64 pid;
	s64 gen;
	int cat;

	rcu_read_lock();
	parent = READ_ONCE(dentry->d_parent);
	pkey = ezn_below_key(parent);
	pid = ezn_dentry_id(parent);
	rcu_read_unlock();
	if (parent == dentry)
		return -2;
	smp_rmb();	/* the parent, then the generation */
	cat = ezn_cache_lookup(pkey, pid, &gen, &bounded);
	if (cat != -2 && !bounded && ezn_still_below(dentry, parent))
		ezn_cache_store(key, id, gen, cat, false);
	return cat;
}

/*
 * Whether the subject may reach @dentry (as a traverse or not): from the
 * cache, else decided and, when the decision may be, cached. A create's
 * decision, made while the dentry was negative, serves the open that follows.
 */
static bool ezn_allowed_cached(struct dentry *dentry, enum ezn_acl_op op, bool traverse)
{
	const void *key = ezn_dentry_key(dentry, traverse);
	u64 id = ezn_dentry_id(dentry);
	struct ezn_verdict v;
	bool bounded;
	s64 gen;
	int cat;

	if (likely(!current->ptrace)) {
		cat = ezn_cache_lookup(key, id, &gen, &bounded);
		if (cat == -2)
			cat = ezn_cache_lookup_below(dentry, key, id);
		if (cat != -2) {
			ezn_count(cat, true);
			return true;
		}
	}
	gen = atomic64_read(&ezn_gen);
	ezn_decide(dentry, op, traverse, &v);
	if (v.cacheable) {
		ezn_cache_store(key, id, gen, v.cat, v.bounded);
		if (v.below_key)
			ezn_cache_store(v.below_key, v.below_id, gen, v.cat, v.bounded);
	}
	return v.allowed;
}

int ezn_acl_check(struct dentry *dentry, enum ezn_acl_op op)
{
	bool traverse, allowed;

	if (!ezn_acl_engaged())
		return 0;
	traverse = ezn_is_traverse(op) || (op == EZN_OP_GETATTR && d_is_dir(dentry));
	allowed = ezn_allowed_cached(dentry, op, traverse);
	return allowed ? 0 : -EACCES;
}

int ezn_acl_file(struct file *file, enum ezn_acl_op op)
{
	struct inode *inode = file_inode(file);

	if (!ezn_acl_engaged())
		return 0;
	/* An open directory is for listing: walked through, as in lookups. */
	return ezn_allowed_cached(file->f_path.dentry, op, S_ISDIR(inode->i_mode)) ? 0 : -EACCES;
}

static int __init ezn_acl_init(void)
{
	struct ezn_rule *rules;
	int i, err;

	ezn_cache = kvcalloc(1 << EZN_CACHE_SET_BITS, sizeof(*ezn_cache), GFP_KERNEL);
	if (!ezn_cache)
		return -ENOMEM;
	for (i = 0; i < 1 << EZN_CACHE_SET_BITS; i++)
		seqlock_init(&ezn_cache[i].lock);
	ezn_scratch_cache = ezn_uncleared_cache_create("ezn_decide", sizeof(struct ezn_scratch));
	if (!ezn_scratch_cache) {
		err = -ENOMEM;
		goto free_cache;
	}

	/* An empty policy: nothing is allowed once engaged. */
	rules = kvcalloc(1, sizeof(*rules), GFP_KERNEL);
	if (!rules) {
		err = -ENOMEM;
		goto destroy_scratch;
	}
	mutex_lock(&ezn_admin_mutex);
	err = ezn_policy_publish(rules, NULL, 0);
	mutex_unlock(&ezn_admin_mutex);
	if (err)
		goto destroy_scratch;
	return 0;

destroy_scratch:
	kmem_cache_destroy(ezn_scratch_cache);
free_cache:
	kvfree(ezn_cache);
	return err;
}

static void ezn_acl_exit(void)
{
	unsigned int i;

	ezn_policy_free(rcu_dereference_protected(ezn_cur_policy, true));
	RCU_INIT_POINTER(ezn_cur_policy, NULL);
	for (i = 0; i < ezn_nr_cats; i++)
		free_percpu(ezn_cats[i].cnt);
	ezn_nr_cats = 0;
	kmem_cache_destroy(ezn_scratch_cache);
	kvfree(ezn_cache);
}

int __init ezn_access_init(void)
{
	int err;

	err = ezn_acl_init();
	if (err)
		return err;
	err = ezn_ident_init();
	if (err)
		goto exit_acl;
	err = ezn_grant_init();
	if (err)
		goto exit_ident;
	err = ezn_auth_init();
	if (err)
		goto exit_grant;
	return 0;

exit_grant:
	ezn_grant_exit();
exit_ident:
	ezn_ident_exit();
exit_acl:
	ezn_acl_exit();
	return err;
}

void ezn_access_exit(void)
{
	ezn_auth_exit();
	ezn_grant_exit();
	ezn_ident_exit();
	ezn_acl_exit();
}
