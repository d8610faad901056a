// SPDX-License-Identifier: GPL-2.0
/*
 * ezncryptfs dentry operations. Every upper dentry holds a reference to the
 * lower dentry it stands for in d_fsdata (the lower vfsmount is the mount's
 * one, in ezn_sb_info). The pointer is set once, before the dentry becomes
 * visible (lookup, create, d_make_root), and dropped in d_release; lower
 * renames move the lower dentry along with the upper one, so the pairing
 * stays right across rename, and an upper dentry whose lower dentry was
 * unhashed behind our back (or changed from negative to positive) is
 * invalidated by d_revalidate and looked up again. d_time holds the dentry's
 * access-cache id, set when it is allocated (kmod/acl.c, "Cache").
 */
#include <linux/dcache.h>
#include <linux/namei.h>

#include "ezncryptfs.h"
#include "acl.h"

void ezn_set_lower_dentry(struct dentry *dentry, struct dentry *lower)
{
	WRITE_ONCE(dentry->d_fsdata, lower);
}

/*
 * At allocation, before the dentry can be seen: a lookup is decided on the
 * new dentry before it has a lower one, and must not find the decisions
 * made for a freed dentry that had the same address.
 */
static int ezn_d_init(struct dentry *dentry)
{
	dentry->d_time = ezn_acl_new_id();
	return 0;
}

static int ezn_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct dentry *lower = READ_ONCE(dentry->d_fsdata);

	if (!lower)
		return 1;
	if (d_unhashed(lower))
		return 0;
	if (d_really_is_negative(dentry) != d_really_is_negative(lower))
		return 0;
	if (lower->d_flags & DCACHE_OP_REVALIDATE) {
		if (flags & LOOKUP_RCU)
			return -ECHILD;
		return lower->d_op->d_revalidate(lower, flags);
	}
	return 1;
}

/*
 * Whether two dentry names, read with no lock, are equal. Either may be
 * changing under a d_move() (the caller's rename_lock sequence rejects what
 * it read then): each is read only up to its NUL, which the name's storage
 * always holds, so a length and a pointer from two different names cannot
 * take the read past the end.
 */
static bool ezn_names_equal(const struct dentry *a, const struct dentry *b)
{
	const unsigned char *na = READ_ONCE(a->d_name.name);
	const unsigned char *nb = READ_ONCE(b->d_name.name);
	unsigned int i;

	for (i = 0; ; i++) {
		unsigned char ca = READ_ONCE(na[i]), cb = READ_ONCE(nb[i]);

		if (ca != cb)
			return false;
		if (!ca)
			return true;
	}
}

/*
 * Whether @dentry and each of its ancestors stand where their lower dentries
 * do: the same name, under the lower dentry of the upper parent. Not while a
 * rename is between its lower rename and the VFS's move of the upper dentry
 * (ezn_rename()), nor in a tree renamed in the lower filesystem behind the
 * mount. A new dentry without a lower one yet is judged by its ancestors.
 * Called under rcu_read_lock(), inside the caller's read section of
 * rename_lock (acl.c, ezn_rel_path()), which decides whether what it read
 * holds.
 */
bool ezn_dentry_settled(struct dentry *dentry)
{
	struct dentry *d, *parent, *lower;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "dentry pairing read outside RCU");
	for (d = dentry; ; d = parent) {
		parent = READ_ONCE(d->d_parent);
		if (parent == d)	/* the root */
			break;
		lower = READ_ONCE(d->d_fsdata);
		if (!lower)
			continue;
		if (READ_ONCE(lower->d_parent) != READ_ONCE(parent->d_fsdata) ||
		    !ezn_names_equal(lower, d))
			return false;
	}
	return true;
}

static void ezn_d_release(struct dentry *dentry)
{
	struct dentry *lower = dentry->d_fsdata;

	WRITE_ONCE(dentry->d_fsdata, NULL);
	dput(lower);
}

const struct dentry_operations ezn_dops = {
	.d_init		= ezn_d_init,
	.d_revalidate	= ezn_d_revalidate,
	.d_release	= ezn_d_release,
};
