// SPDX-License-Identifier: GPL-2.0
/*
 * Extended attributes for ezn encrypt/decrypt; see encrypt_xattr.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include "ezn.h"
#include "encrypt_xattr.h"

bool ezn_xattr_carried(const char *name)
{
	return (!strncmp(name, "user.", 5) && name[5]) ||
	       !strcmp(name, "system.posix_acl_access") ||
	       !strcmp(name, "system.posix_acl_default");
}

/* *out: path's NUL-separated names (NULL, 0 when it has none or no support). */
static int ezn_xattr_list(const char *path, char **out, ssize_t *len)
{
	ssize_t n;
	char *buf;

	*out = NULL;
	*len = 0;
	for (;;) {
		n = llistxattr(path, NULL, 0);
		if (n < 0)
			return errno == ENOTSUP ? 0 : -errno;
		if (n == 0)
			return 0;
		buf = malloc(n);
		if (!buf)
			return -ENOMEM;
		*len = llistxattr(path, buf, n);
		if (*len >= 0) {
			*out = buf;
			return 0;
		}
		free(buf);
		if (errno != ERANGE)	/* ERANGE: it grew meanwhile */
			return -errno;
	}
}

static int ezn_xattr_get(const char *path, const char *name, char **out, ssize_t *len)
{
	ssize_t n;
	char *buf;

	*out = NULL;
	for (;;) {
		n = lgetxattr(path, name, NULL, 0);
		if (n < 0)
			return -errno;
		buf = malloc(n ? n : 1);
		if (!buf)
			return -ENOMEM;
		*len = lgetxattr(path, name, buf, n);
		if (*len >= 0) {
			*out = buf;
			return 0;
		}
		free(buf);
		if (errno != ERANGE)
			return -errno;
	}
}

unsigned int ezn_xattr_copy(const char *from, const char *to)
{
	unsigned int warnings = 0;
	char *names, *name, *val;
	ssize_t len, vlen;
	int err;

	err = ezn_xattr_list(from, &names, &len);
	if (err) {
		ezn_err("warning: %s: cannot list its extended attributes: %s", from,
			strerror(-err));
		return 1;
	}
	for (name = names; name && name < names + len; name += strlen(name) + 1) {
		if (!ezn_xattr_carried(name))
			continue;
		err = ezn_xattr_get(from, name, &val, &vlen);
		if (!err) {
			if (lsetxattr(to, name, val, vlen, 0))
				err = -errno;
			free(val);
		}
		if (err) {
			ezn_err("warning: %s: extended attribute %s not carried to %s: %s", from,
				name, to, strerror(-err));
			warnings++;
		}
	}
	free(names);
	return warnings;
}

int ezn_xattr_compare(const char *a, const char *b, char *bad, unsigned int badsz)
{
	char *names, *name, *va, *vb;
	ssize_t len, la, lb;
	int err;

	err = ezn_xattr_list(a, &names, &len);
	if (err)
		return 0;	/* the copy warned */
	for (name = names; !err && name && name < names + len; name += strlen(name) + 1) {
		if (!ezn_xattr_carried(name) || ezn_xattr_get(a, name, &va, &la))
			continue;
		err = ezn_xattr_get(b, name, &vb, &lb);
		if (err == -ENODATA || err == -ENOTSUP) {
			err = 0;	/* not carried: the copy warned */
		} else if (!err) {
			err = la != lb || memcmp(va, vb, la) ? -EBADMSG : 0;
			free(vb);
		} else {
			err = -EBADMSG;
		}
		if (err)
			snprintf(bad, badsz, "%s: extended attribute %s differs from %s's", b,
				 name, a);
		free(va);
	}
	free(names);
	return err;
}
