// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-kstest: test-only. Writes the raw 32-byte master key of a category
 * from the keystore of $EZN_CONFIG_DIR (the current one, or the pending one of
 * a rotation) to a file, for ezn-recover in the VM cases (64-tools-rotate).
 *
 *   ezn-kstest PASSFILE CATEGORY current|pending OUTFILE
 *
 * Exit 0, 1 on error, 3 when there is no such key.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "keystore.h"

void ezn_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	struct ezn_keystore *ks;
	struct ezn_ks_entry *e;
	int fd, ret = 1;

	if (argc != 5 || sodium_init() < 0) {
		fprintf(stderr, "usage: ezn-kstest PASSFILE CATEGORY current|pending OUTFILE\n");
		return 1;
	}
	ks = ezn_ks_new();
	if (!ks || ezn_ks_unlock(argv[1], ks))
		goto free_ks;
	e = !strcmp(argv[3], "pending") ? ezn_ks_find_pending(ks, argv[2]) :
	    ezn_ks_find(ks, argv[2]);
	if (!e) {
		ret = 3;
		goto free_ks;
	}
	fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write(fd, e->key, EZN_KEY_SIZE) == EZN_KEY_SIZE && !close(fd))
		ret = 0;
free_ks:
	ezn_ks_free(ks);
	return ret;
}
