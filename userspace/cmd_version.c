// SPDX-License-Identifier: GPL-2.0
/*
 * ezn version: the tool's version and, when the module is loaded, the
 * module's version and on-disk format as it reports them over netlink.
 * Exits EZN_EXIT_NOT_RUNNING when the module is not loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ezn.h"
#include "admin.h"

int ezn_cmd_version(int argc, char **argv)
{
	struct ezn_admin_status st;
	struct ezn_admin *a;
	int err;

	if (argc > 1) {
		ezn_err("version takes no arguments (got '%s')", argv[1]);
		return EZN_EXIT_USAGE;
	}
	printf("ezn tools %s\n", EZN_TOOL_VERSION);
	err = ezn_admin_open(&a);
	if (!err) {
		err = ezn_admin_status(a, &st);
		ezn_admin_close(a);
	}
	if (err == -ENOENT) {
		printf("ezncryptfs module: not loaded\n");
		return EZN_EXIT_NOT_RUNNING;
	}
	if (err) {
		ezn_err("cannot query the ezncryptfs module: %s", strerror(-err));
		return EZN_EXIT_FAIL;
	}
	printf("ezncryptfs module %s, on-disk format %u, %u mount(s)\n", st.version,
	       st.format_version, st.mounts);
	return EZN_EXIT_OK;
}
