// SPDX-License-Identifier: GPL-2.0
/*
 * Fault knobs for the test harness, built only in the EZN_DEBUG=1 flavour.
 *
 * Write-only (root) parameters under /sys/module/ezncryptfs/parameters/, each
 * planting one bug so the harness can prove it fails a run that shows it:
 *
 *	debug_warn	writing 1 raises a WARN;
 *	debug_uaf	writing 1 reads a byte of a kmalloc'ed object after
 *			kfree() (KASAN reports it on the debug kernel);
 *	debug_leak	writing 1 leaks a kmalloc'ed object (kmemleak reports
 *			it, its backtrace naming ezn_debug_leak_set()).
 *
 * and read-write parameters that hold a background job or a window still, so
 * a test can show what waits for it or what happens inside it:
 *
 *	debug_release_hold  while 1, the lower files of deleted files wait
 *			for a flush (release.c) instead of being released by
 *			the work item.
 *	debug_rename_hold_ms  a rename waits that long between the lower
 *			rename and the move of the upper dentry (inode.c), so a
 *			test can decide access inside that window.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/bug.h>
#include <linux/slab.h>

#include "ezncryptfs.h"

static int ezn_debug_warn_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err;

	err = kstrtobool(val, &on);
	if (err)
		return err;
	WARN(on, "debug_warn knob written: deliberate warning for the harness self-test\n");
	return 0;
}

static const struct kernel_param_ops ezn_debug_warn_ops = {
	.set = ezn_debug_warn_set,
};
module_param_cb(debug_warn, &ezn_debug_warn_ops, NULL, 0200);
MODULE_PARM_DESC(debug_warn, "write 1 to raise a deliberate WARN (test builds only)");

static int ezn_debug_uaf_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	u8 *p;
	int err;

	err = kstrtobool(val, &on);
	if (err || !on)
		return err;
	p = kmalloc(64, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memset(p, 0x5a, 64);
	kfree(p);
	pr_info("debug_uaf knob written: deliberate use after free for the harness self-test\n");
	/* The bug itself: the object is back in the allocator (KASAN's quarantine). */
	pr_info("debug_uaf read %#x\n", READ_ONCE(p[8]));
	return 0;
}

static const struct kernel_param_ops ezn_debug_uaf_ops = {
	.set = ezn_debug_uaf_set,
};
module_param_cb(debug_uaf, &ezn_debug_uaf_ops, NULL, 0200);
MODULE_PARM_DESC(debug_uaf, "write 1 to read freed memory (test builds only)");

static noinline int ezn_debug_leak_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	void *p;
	int err;

	err = kstrtobool(val, &on);
	if (err || !on)
		return err;
	/* The bug itself: nothing keeps this pointer, nothing frees the object. */
	p = kmalloc(128, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memset(p, 0xa5, 128);
	barrier_data(p);	/* the pattern the harness looks for in the report */
	pr_info("debug_leak knob written: deliberate leak of 128 bytes for the harness self-test\n");
	return 0;
}

static const struct kernel_param_ops ezn_debug_leak_ops = {
	.set = ezn_debug_leak_set,
};
module_param_cb(debug_leak, &ezn_debug_leak_ops, NULL, 0200);
MODULE_PARM_DESC(debug_leak, "write 1 to leak 128 bytes (test builds only)");

bool ezn_debug_release_hold;
module_param_named(debug_release_hold, ezn_debug_release_hold, bool, 0600);
MODULE_PARM_DESC(debug_release_hold,
		 "1: deleted files' lower files wait for a flush (test builds only)");

unsigned int ezn_debug_rename_hold_ms;
module_param_named(debug_rename_hold_ms, ezn_debug_rename_hold_ms, uint, 0600);
MODULE_PARM_DESC(debug_rename_hold_ms,
		 "a rename waits this long before moving the upper dentry (test builds only)");

void __init ezn_debug_loaded(void)
{
	pr_info("test build: debug knobs enabled\n");
}
