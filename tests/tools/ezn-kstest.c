// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-kstest: test-only. Writes the raw 32-byte master keys of a category
 * from the keystore of $EZN_CONFIG_DIR to OUTDIR/current.key and, while a
 * rotation is pending, OUTDIR/pending.key (removed otherwise), for
 * ezn-recover in the VM case 64-tools-rotate. One keystore unlock per call.
 *
 *   ezn-kstest PASSFILE CATEGORY OUTDIR
 *
 * Exit 0, 1 on error, 3 when the category has no key.
 */
#include <errno.h>
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

static int write_key(const char *dir, const char *name, const struct ezn_ks_entry *e)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!e)
		return unlink(path) && errno != ENOENT ? 1 : 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	if (write(fd, e->key, EZN_KEY_SIZE) != EZN_KEY_SIZE) {
		close(fd);
		return 1;
	}
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct ezn_keystore *ks;
	struct ezn_ks_entry *e;
	int ret = 1;

	if (argc != 4 || sodium_init() < 0) {
		fprintf(stderr, "usage: ezn-kstest PASSFILE CATEGORY OUTDIR\n");
		return 1;
	}
	ks = ezn_ks_new();
	if (!ks || ezn_ks_unlock(argv[1], ks))
		goto free_ks;
	e = ezn_ks_find(ks, argv[2]);
	if (!e) {
		ret = 3;
		goto free_ks;
	}
	ret = write_key(argv[3], "current.key", e) ||
	      write_key(argv[3], "pending.key", ezn_ks_find_pending(ks, argv[2]));
free_ks:
	ezn_ks_free(ks);
	return ret;
}
