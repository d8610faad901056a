// SPDX-License-Identifier: GPL-2.0
/*
 * Who is asking: a process is identified by the file the kernel runs for it
 * (mm->exe_file), never by argv or comm, and by the script that file was
 * started for when it is an interpreter named by a script's "#!".
 *
 * Scripts. Out-of-tree modules cannot register an LSM, so the script is
 * recorded by a binary format handler inserted at the head of the list. Its
 * load_binary() sees every file an execve() tries, in order, and always
 * returns -ENOEXEC so the real handlers run:
 *   - the first call of an execve() (bprm->interp == bprm->filename, the
 *     interpreter name is only changed by binfmt_script/binfmt_misc) stashes
 *     the file being executed in a per-task pending slot, unless it is an
 *     ELF binary (then it is no script, and the task's slot is emptied);
 *   - a later call of the same execve() (same task and bprm) is for the
 *     interpreter the script named: it records (interpreter file -> script
 *     file) keyed by the struct file pointer of the interpreter, and empties
 *     the slot once that interpreter is an ELF binary (the last file).
 * On success, begin_new_exec() makes that very struct file the new mm's
 * exe_file, so at decision time a process's script is found by looking up its
 * exe_file pointer: forks (which share the struct file) inherit it, any new
 * execve() produces a new struct file and a new answer. argv, comm and
 * /proc/self/exe games cannot change what was recorded. Each record holds a
 * reference on both files, so the pointer key cannot be reused while the
 * record exists; a record is dropped once its interpreter file has no other
 * user (file_count() == 1: the process and every fork of it are gone), by
 * the next record or by a sweep every EZN_PENDING_TTL (ezn_ident_sweep()).
 *
 * Fingerprints: SHA-256 of a file's content, cached per version of the inode
 * (device, inode number, generation, size, ctime, mtime, i_version) in a
 * small direct-mapped table, so a binary is hashed once per change.
 */
#include <linux/binfmts.h>
#include <linux/dcache.h>
#include <linux/elf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/iversion.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <crypto/hash.h>

#include "ezncryptfs.h"
#include "acl.h"

/* ---- pending first files of execve() calls in progress ---- */

#define EZN_PENDING_SLOTS	64
/* An execve() goes from the script to its interpreter within this time. */
#define EZN_PENDING_TTL		(5 * HZ)

/*
 * task and start_time identify the exec'ing task; bprm is that execve()'s
 * binprm; first is referenced. All fields under ezn_pending_lock.
 */
struct ezn_pending {
	struct task_struct *task;
	u64 start_time;
	const struct linux_binprm *bprm;
	struct file *first;
	unsigned long stamp;
};

static struct ezn_pending ezn_pending[EZN_PENDING_SLOTS];
static DEFINE_SPINLOCK(ezn_pending_lock);

/* ---- exec records: interpreter exe_file -> script ---- */

#define EZN_REC_BITS	6
/* exe and script are referenced; the record is freed after a grace period. */
struct ezn_exec_rec {
	struct hlist_node node;
	struct rcu_head rcu;
	struct file *exe;
	struct file *script;
};

static DEFINE_HASHTABLE(ezn_recs, EZN_REC_BITS);
/* Guards ezn_recs and ezn_nr_recs for writers; readers use RCU. */
static DEFINE_SPINLOCK(ezn_recs_lock);
static unsigned int ezn_nr_recs;
#define EZN_RECS_MAX	4096

/*
 * Both tables hold files, and a held file keeps its mount busy (umount says
 * EBUSY): a sweep runs every EZN_PENDING_TTL while either holds one, and
 * drops the pending files of execve() calls that have ended and the records
 * of scripts whose processes are gone.
 */
static void ezn_ident_sweep(struct work_struct *work);
static DECLARE_DELAYED_WORK(ezn_sweep_work, ezn_ident_sweep);

/* ---- fingerprint cache ---- */

#define EZN_HCACHE_BITS		8
struct ezn_hkey {
	dev_t dev;
	unsigned long ino;
	u32 igen;
	loff_t size;
	struct timespec64 ctime, mtime;
	u64 iversion;
};

struct ezn_hent {
	bool valid;
	struct ezn_hkey key;
	u8 sha[EZN_FINGERPRINT_SIZE];
};

static struct ezn_hent ezn_hcache[1 << EZN_HCACHE_BITS];
static DEFINE_SPINLOCK(ezn_hcache_lock);
static struct crypto_shash *ezn_sha256;

/* Files bigger than this are not hashed (and rules for them refused). */
#define EZN_HASH_MAX_SIZE	BIT_ULL(30)
#define EZN_HASH_CHUNK		(16 * 1024)

static void ezn_rec_free_rcu(struct rcu_head *head)
{
	struct ezn_exec_rec *rec = container_of(head, struct ezn_exec_rec, rcu);

	fput(rec->exe);
	fput(rec->script);
	kfree(rec);
}

/* Under ezn_recs_lock: unhashes rec and frees it after a grace period. */
static void ezn_rec_drop(struct ezn_exec_rec *rec)
{
	hash_del_rcu(&rec->node);
	ezn_nr_recs--;
	call_rcu(&rec->rcu, ezn_rec_free_rcu);
}

/*
 * Under ezn_recs_lock: drops records whose interpreter file only we hold
 * (every process that ran it has exited or exec'd something else). Nobody can
 * take a new reference to such a file: its pointer is known only to us.
 */
static void ezn_recs_gc(bool all_buckets, unsigned int bkt_only)
{
	struct ezn_exec_rec *rec;
	struct hlist_node *tmp;
	unsigned int bkt;

	if (all_buckets) {
		hash_for_each_safe(ezn_recs, bkt, tmp, rec, node)
			if (file_count(rec->exe) == 1)
				ezn_rec_drop(rec);
		return;
	}
	hlist_for_each_entry_safe(rec, tmp, &ezn_recs[bkt_only], node)
		if (file_count(rec->exe) == 1)
			ezn_rec_drop(rec);
}

static void ezn_rec_add(struct file *exe, struct file *script)
{
	struct ezn_exec_rec *rec, *old;
	unsigned int bkt = hash_ptr(exe, EZN_REC_BITS);

	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return;	/* the script goes unrecognised: --shell rules deny */
	rec->exe = get_file(exe);
	rec->script = get_file(script);

	spin_lock(&ezn_recs_lock);
	hlist_for_each_entry(old, &ezn_recs[bkt], node) {
		if (old->exe == exe) {
			ezn_rec_drop(old);
			break;
		}
	}
	ezn_recs_gc(ezn_nr_recs >= EZN_RECS_MAX / 2, bkt);
	if (ezn_nr_recs >= EZN_RECS_MAX) {
		spin_unlock(&ezn_recs_lock);
		pr_warn_ratelimited("too many running scripts tracked; not recording another\n");
		fput(rec->exe);
		fput(rec->script);
		kfree(rec);
		return;
	}
	hash_add_rcu(ezn_recs, &rec->node, (unsigned long)exe);
	ezn_nr_recs++;
	spin_unlock(&ezn_recs_lock);
	schedule_delayed_work(&ezn_sweep_work, EZN_PENDING_TTL);
}

struct file *ezn_exe_script(struct file *exe_file)
{
	struct ezn_exec_rec *rec;
	struct file *script = NULL;

	if (!exe_file)
		return NULL;
	rcu_read_lock();
	hash_for_each_possible_rcu(ezn_recs, rec, node, (unsigned long)exe_file) {
		if (rec->exe == exe_file) {
			/* The record holds a reference until a grace period ends. */
			script = get_file(rec->script);
			break;
		}
	}
	rcu_read_unlock();
	return script;
}

/* First call of an execve(): remember the file, replacing this task's slot. */
static void ezn_pending_set(struct linux_binprm *bprm)
{
	struct file *drop = NULL;
	struct ezn_pending *slot = NULL, *p;
	unsigned long now = jiffies;
	int i;

	spin_lock(&ezn_pending_lock);
	for (i = 0; i < EZN_PENDING_SLOTS; i++) {
		p = &ezn_pending[i];
		if (p->task == current && p->start_time == current->start_time) {
			slot = p;
			break;
		}
		if (!slot && (!p->first || time_after(now, p->stamp + EZN_PENDING_TTL)))
			slot = p;
	}
	if (!slot) {
		/* All slots busy with live execs: take the oldest. */
		slot = &ezn_pending[0];
		for (i = 1; i < EZN_PENDING_SLOTS; i++)
			if (time_before(ezn_pending[i].stamp, slot->stamp))
				slot = &ezn_pending[i];
	}
	drop = slot->first;
	slot->task = current;
	slot->start_time = current->start_time;
	slot->bprm = bprm;
	slot->first = get_file(bprm->file);
	slot->stamp = now;
	spin_unlock(&ezn_pending_lock);
	if (drop)
		fput(drop);
	schedule_delayed_work(&ezn_sweep_work, EZN_PENDING_TTL);
}

/*
 * Drops this task's pending file (@expired_only false), or the first one
 * whose execve() is over by now (true); whether it dropped one.
 */
static bool ezn_pending_drop(bool expired_only)
{
	struct file *drop = NULL;
	int i;

	spin_lock(&ezn_pending_lock);
	for (i = 0; i < EZN_PENDING_SLOTS; i++) {
		struct ezn_pending *p = &ezn_pending[i];

		if (!p->first)
			continue;
		if (expired_only ? time_after(jiffies, p->stamp + EZN_PENDING_TTL) :
		    p->task == current && p->start_time == current->start_time) {
			drop = p->first;
			p->first = NULL;
			break;
		}
	}
	spin_unlock(&ezn_pending_lock);
	if (drop)
		fput(drop);
	return drop;
}

static bool ezn_pending_any(void)
{
	bool any = false;
	int i;

	spin_lock(&ezn_pending_lock);
	for (i = 0; i < EZN_PENDING_SLOTS && !any; i++)
		any = ezn_pending[i].first;
	spin_unlock(&ezn_pending_lock);
	return any;
}

static void ezn_ident_sweep(struct work_struct *work)
{
	bool more;

	while (ezn_pending_drop(true))
		;
	spin_lock(&ezn_recs_lock);
	ezn_recs_gc(true, 0);
	more = ezn_nr_recs;
	spin_unlock(&ezn_recs_lock);
	if (more || ezn_pending_any())
		schedule_delayed_work(&ezn_sweep_work, EZN_PENDING_TTL);
}

/* A later call of the same execve(): the first file, referenced, or NULL. */
static struct file *ezn_pending_get(struct linux_binprm *bprm)
{
	struct file *first = NULL;
	int i;

	spin_lock(&ezn_pending_lock);
	for (i = 0; i < EZN_PENDING_SLOTS; i++) {
		struct ezn_pending *p = &ezn_pending[i];

		if (p->task == current && p->start_time == current->start_time &&
		    p->bprm == bprm && p->first) {
			first = get_file(p->first);
			break;
		}
	}
	spin_unlock(&ezn_pending_lock);
	return first;
}

static int ezn_binfmt_load(struct linux_binprm *bprm)
{
	struct file *first;
	bool native;

	if (!bprm->file)
		return -ENOEXEC;
	/* bprm->buf holds the start of bprm->file (prepare_binprm()). */
	native = !memcmp(bprm->buf, ELFMAG, SELFMAG);
	if (bprm->interp == bprm->filename) {
		/* A binary is no script: nothing to keep, not even an older file. */
		if (native)
			ezn_pending_drop(false);
		else
			ezn_pending_set(bprm);
		return -ENOEXEC;
	}
	first = ezn_pending_get(bprm);
	if (first) {
		if (file_inode(first) != file_inode(bprm->file))
			ezn_rec_add(bprm->file, first);
		fput(first);
	}
	/* A binary interpreter is the execve()'s last file: the script is recorded. */
	if (native)
		ezn_pending_drop(false);
	return -ENOEXEC;
}

static struct linux_binfmt ezn_binfmt = {
	.module		= THIS_MODULE,
	.load_binary	= ezn_binfmt_load,
};

struct file *ezn_task_exe(struct task_struct *task)
{
	struct file *exe = NULL;
	struct mm_struct *mm;

	task_lock(task);
	mm = task->mm;
	if (mm && !(task->flags & PF_KTHREAD)) {
		rcu_read_lock();
		exe = rcu_dereference(mm->exe_file);
		if (exe && !get_file_rcu(exe))
			exe = NULL;
		rcu_read_unlock();
	}
	task_unlock(task);
	/*
	 * Only a file that execve() opened (__FMODE_EXEC, which open(2) cannot
	 * set) says who the process is: prctl(PR_SET_MM) can make any open
	 * file the exe_file without running it.
	 */
	if (exe && !(exe->f_flags & __FMODE_EXEC)) {
		fput(exe);
		exe = NULL;
	}
	return exe;
}

int ezn_file_path(struct file *file, char *buf, int size)
{
	char *p;
	int len;

	p = d_path(&file->f_path, buf, size);
	if (IS_ERR(p)) {
		strscpy(buf, "?", size);
		return PTR_ERR(p);
	}
	len = strlen(p);
	memmove(buf, p, len + 1);
	return 0;
}

static void ezn_hkey_of(struct inode *inode, struct ezn_hkey *key)
{
	memset(key, 0, sizeof(*key));
	key->dev = inode->i_sb->s_dev;
	key->ino = inode->i_ino;
	key->igen = inode->i_generation;
	key->size = i_size_read(inode);
	key->ctime = inode->i_ctime;
	key->mtime = inode->i_mtime;
	key->iversion = inode_peek_iversion_raw(inode);
}

static bool ezn_hkey_eq(const struct ezn_hkey *a, const struct ezn_hkey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->igen == b->igen &&
	       a->size == b->size && timespec64_equal(&a->ctime, &b->ctime) &&
	       timespec64_equal(&a->mtime, &b->mtime) && a->iversion == b->iversion;
}

static unsigned int ezn_hkey_slot(const struct ezn_hkey *key)
{
	return hash_64((u64)key->dev << 32 ^ key->ino, EZN_HCACHE_BITS);
}

static int ezn_hash_content(struct file *file, loff_t size, u8 out[EZN_FINGERPRINT_SIZE])
{
	SHASH_DESC_ON_STACK(desc, ezn_sha256);
	loff_t pos = 0;
	ssize_t n;
	void *buf;
	int err;

	buf = kmalloc(EZN_HASH_CHUNK, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	desc->tfm = ezn_sha256;
	err = crypto_shash_init(desc);
	while (!err) {
		n = kernel_read(file, buf, EZN_HASH_CHUNK, &pos);
		if (n < 0) {
			err = n;
			break;
		}
		if (n == 0)
			break;
		if (pos > EZN_HASH_MAX_SIZE) {
			err = -EFBIG;
			break;
		}
		err = crypto_shash_update(desc, buf, n);
		cond_resched();
	}
	if (!err)
		err = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	kfree(buf);
	return err;
}

int ezn_file_sha256(struct file *file, u8 out[EZN_FINGERPRINT_SIZE])
{
	struct inode *inode = file_inode(file);
	struct ezn_hkey key, after;
	struct ezn_hent *ent;
	unsigned int slot;
	int err;

	/* Reading our own files would recurse into the access checks. */
	if (inode->i_sb->s_type == &ezn_fs_type)
		return -EXDEV;
	if (!S_ISREG(inode->i_mode))
		return -EACCES;
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;

	ezn_hkey_of(inode, &key);
	slot = ezn_hkey_slot(&key);
	ent = &ezn_hcache[slot];
	spin_lock(&ezn_hcache_lock);
	if (ent->valid && ezn_hkey_eq(&ent->key, &key)) {
		memcpy(out, ent->sha, EZN_FINGERPRINT_SIZE);
		spin_unlock(&ezn_hcache_lock);
		return 0;
	}
	spin_unlock(&ezn_hcache_lock);

	if (key.size > EZN_HASH_MAX_SIZE)
		return -EFBIG;
	err = ezn_hash_content(file, key.size, out);
	if (err)
		return err;
	/* Only a hash of one unchanged version of the file is cached. */
	ezn_hkey_of(inode, &after);
	if (!ezn_hkey_eq(&key, &after))
		return -EAGAIN;
	spin_lock(&ezn_hcache_lock);
	ent->key = key;
	memcpy(ent->sha, out, EZN_FINGERPRINT_SIZE);
	ent->valid = true;
	spin_unlock(&ezn_hcache_lock);
	return 0;
}

int ezn_path_sha256(const char *path, u8 out[EZN_FINGERPRINT_SIZE], char *real, int real_size)
{
	struct file *file;
	int err;

	file = filp_open(path, O_RDONLY | O_LARGEFILE, 0);
	if (IS_ERR(file))
		return PTR_ERR(file);
	/* Rules match the exe's real path: one naming a symlink never would. */
	err = ezn_file_path(file, real, real_size);
	if (!err && strcmp(real, path))
		err = -ENOTUNIQ;
	if (!err)
		err = ezn_file_sha256(file, out);
	fput(file);
	return err;
}

int __init ezn_ident_init(void)
{
	ezn_sha256 = crypto_alloc_shash("sha256", 0, 0);
	if (IS_ERR(ezn_sha256))
		return PTR_ERR(ezn_sha256);
	insert_binfmt(&ezn_binfmt);
	return 0;
}

void ezn_ident_exit(void)
{
	struct ezn_exec_rec *rec;
	struct hlist_node *tmp;
	unsigned int bkt;
	int i;

	unregister_binfmt(&ezn_binfmt);
	cancel_delayed_work_sync(&ezn_sweep_work);
	spin_lock(&ezn_recs_lock);
	hash_for_each_safe(ezn_recs, bkt, tmp, rec, node)
		ezn_rec_drop(rec);
	spin_unlock(&ezn_recs_lock);
	for (i = 0; i < EZN_PENDING_SLOTS; i++) {
		if (ezn_pending[i].first)
			fput(ezn_pending[i].first);
		ezn_pending[i].first = NULL;
	}
	rcu_barrier();
	crypto_free_shash(ezn_sha256);
}
