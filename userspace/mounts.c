// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/self/mountinfo; see mounts.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mounts.h"

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void ezn_unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

/* Calls cb(mountpoint, fstype, arg) for each mount, in order. */
static int ezn_mounts_each(void (*cb)(const char *mp, const char *type, void *arg), void *arg)
{
	char *line = NULL, *f[10], *save, *dash;
	size_t cap = 0;
	FILE *fp;
	int i;

	fp = fopen("/proc/self/mountinfo", "re");
	if (!fp)
		return -errno;
	while (getline(&line, &cap, fp) > 0) {
		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = 0;
		f[0] = strtok_r(line, " ", &save);
		for (i = 1; i < 5 && f[i - 1]; i++)
			f[i] = strtok_r(NULL, " ", &save);
		if (i < 5 || !f[4])
			continue;
		f[5] = strtok_r(dash + 3, "\n ", &save);
		if (!f[5])
			continue;
		ezn_unescape(f[4]);
		cb(f[4], f[5], arg);
	}
	free(line);
	fclose(fp);
	return 0;
}

struct ezn_at {
	const char *path;
	char *fstype;
	size_t size;
	int found;
	const char *want;
	char *mnt;
};

static void ezn_at_cb(const char *mp, const char *type, void *arg)
{
	struct ezn_at *a = arg;

	if (strcmp(mp, a->path))
		return;
	a->found = 1;
	snprintf(a->fstype, a->size, "%s", type);
}

int ezn_mount_at(const char *path, char *fstype, size_t size)
{
	struct ezn_at a = { .path = path, .fstype = fstype, .size = size };
	int err;

	fstype[0] = 0;
	err = ezn_mounts_each(ezn_at_cb, &a);
	return err ? err : a.found;
}

static void ezn_cover_cb(const char *mp, const char *type, void *arg)
{
	struct ezn_at *a = arg;
	size_t n = strlen(mp);

	if (strcmp(type, a->want))
		return;
	if (strncmp(a->path, mp, n) || (a->path[n] && a->path[n] != '/' && n > 1))
		return;
	a->found = 1;
	snprintf(a->mnt, a->size, "%s", mp);
}

int ezn_mount_covering(const char *path, const char *fstype, char *mnt, size_t size)
{
	struct ezn_at a = { .path = path, .want = fstype, .mnt = mnt, .size = size };
	int err;

	err = ezn_mounts_each(ezn_cover_cb, &a);
	return err ? err : a.found;
}
