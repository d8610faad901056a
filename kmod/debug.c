// SPDX-License-Identifier: GPL-2.0
/*
 * Fault knobs for the test harness, built only in the EZN_DEBUG=1 flavour.
 *
 * /sys/module/ezncryptfs/parameters/debug_warn (write-only, root): writing 1
 * raises a WARN so the harness can prove that it fails a run whose kernel log
 * shows a warning.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/bug.h>

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

void __init ezn_debug_loaded(void)
{
	pr_info("test build: debug knobs enabled\n");
}
