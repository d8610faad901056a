// SPDX-License-Identifier: GPL-2.0
/*
 * Paths and ezncrypt.conf; see config.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "ezn.h"
#include "config.h"
#include "keystore.h"

static const char *ezn_config_dir_opt;

void ezn_set_config_dir(const char *dir)
{
	ezn_config_dir_opt = dir;
}

const char *ezn_config_dir(void)
{
	const char *env = getenv("EZN_CONFIG_DIR");

	if (ezn_config_dir_opt)
		return ezn_config_dir_opt;
	return env && *env ? env : EZN_CONFIG_DEFAULT_DIR;
}

const char *ezn_state_dir(void)
{
	const char *env = getenv("EZN_STATE_DIR");

	return env && *env ? env : EZN_STATE_DEFAULT_DIR;
}

int ezn_config_path(char *buf, size_t size, const char *file)
{
	if (snprintf(buf, size, "%s/%s", ezn_config_dir(), file) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int ezn_parse_category_arg(const char *arg, char name[EZN_CATEGORY_MAX + 1])
{
	if (arg[0] != '@') {
		ezn_err("'%s' is not a category: categories are written @NAME", arg);
		return -EINVAL;
	}
	if (!ezn_category_name_ok(arg + 1) || !strcmp(arg + 1, "admin")) {
		ezn_err("'%s' is not a valid category name (1-%d characters of [A-Za-z0-9._-], not 'admin')",
			arg, EZN_CATEGORY_MAX);
		return -EINVAL;
	}
	snprintf(name, EZN_CATEGORY_MAX + 1, "%s", arg + 1);
	return 0;
}

int ezn_parse_category_args(int nargs, char **args, const char *usage)
{
	int i;

	if (nargs < 1) {
		ezn_err("which category? (%s)", usage);
		return -EINVAL;
	}
	for (i = 0; i < nargs; i++) {
		char name[EZN_CATEGORY_MAX + 1];

		if (ezn_parse_category_arg(args[i], name))
			return -EINVAL;
	}
	return 0;
}

const struct ezn_category_conf *ezn_config_find(const struct ezn_config *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->cat[i].name, name))
			return &c->cat[i];
	return NULL;
}

/* Splits line into at most max blank-separated fields (in place). */
static int ezn_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max)
			return max + 1;
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '#')
			p++;
		if (*p == '#') {
			*p = 0;
			break;
		}
		if (*p)
			*p++ = 0;
	}
	return n;
}

static int ezn_path_ok(const char *p)
{
	return p[0] == '/' && strlen(p) < PATH_MAX - 64;
}

/* a is b or below b */
static int ezn_path_within(const char *a, const char *b)
{
	size_t lb = strlen(b);

	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return !strncmp(a, b, lb) && (a[lb] == 0 || a[lb] == '/' || lb == 1);
}

int ezn_config_parse(const char *text, size_t len, const char *name, struct ezn_config *c,
		     char *err, size_t errsz)
{
	char line[2 * PATH_MAX + 128];
	unsigned int lineno = 0, i;
	const char *p = text, *end = text + len, *nl;
	struct ezn_category_conf *cat;
	char *f[5];
	size_t ll;
	int n;

	memset(c, 0, sizeof(*c));
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', end - p);
		ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll >= sizeof(line)) {
			snprintf(err, errsz, "%s line %u: line too long", name, lineno);
			return -EINVAL;
		}
		memcpy(line, p, ll);
		line[ll] = 0;
		p += ll + 1;
		if (ll && line[ll - 1] == '\r')
			line[ll - 1] = 0;
		if (strlen(line) != ll && strlen(line) != ll - 1) {
			snprintf(err, errsz, "%s line %u: NUL byte in line", name, lineno);
			return -EINVAL;
		}
		n = ezn_split(line, f, 4);
		if (n == 0)
			continue;
		if (!strcmp(f[0], "category")) {
			const char *cname;

			if (n != 4) {
				snprintf(err, errsz,
					 "%s line %u: expected 'category NAME LOWER MOUNTPOINT', got %d field(s)",
					 name, lineno, n > 4 ? 5 : n);
				return -EINVAL;
			}
			cname = f[1][0] == '@' ? f[1] + 1 : f[1];
			if (!ezn_category_name_ok(cname) || !strcmp(cname, "admin")) {
				snprintf(err, errsz,
					 "%s line %u: '%s' is not a valid category name (1-%d of [A-Za-z0-9._-])",
					 name, lineno, f[1], EZN_CATEGORY_MAX);
				return -EINVAL;
			}
			if (ezn_config_find(c, cname)) {
				snprintf(err, errsz, "%s line %u: category '%s' defined twice",
					 name, lineno, cname);
				return -EINVAL;
			}
			for (i = 2; i < 4; i++) {
				if (!ezn_path_ok(f[i])) {
					snprintf(err, errsz,
						 "%s line %u: '%s' is not an absolute path", name,
						 lineno, f[i]);
					return -EINVAL;
				}
			}
			if (ezn_path_within(f[2], f[3]) || ezn_path_within(f[3], f[2])) {
				snprintf(err, errsz,
					 "%s line %u: the lower directory '%s' and the mount point '%s' must not contain each other",
					 name, lineno, f[2], f[3]);
				return -EINVAL;
			}
			for (i = 0; i < c->nr; i++) {
				const char *o[2] = { c->cat[i].lower, c->cat[i].mnt };
				int j, k, hit = 0;

				for (j = 0; j < 2; j++)
					for (k = 2; k < 4; k++)
						hit |= ezn_path_within(f[k], o[j]) ||
						       ezn_path_within(o[j], f[k]);
				if (hit) {
					snprintf(err, errsz,
						 "%s line %u: category '%s' overlaps category '%s'",
						 name, lineno, cname, c->cat[i].name);
					return -EINVAL;
				}
			}
			if (c->nr == EZN_CONFIG_MAX_CATS) {
				snprintf(err, errsz, "%s line %u: more than %d categories", name,
					 lineno, EZN_CONFIG_MAX_CATS);
				return -EINVAL;
			}
			cat = &c->cat[c->nr++];
			snprintf(cat->name, sizeof(cat->name), "%s", cname);
			snprintf(cat->lower, sizeof(cat->lower), "%s", f[2]);
			snprintf(cat->mnt, sizeof(cat->mnt), "%s", f[3]);
		} else if (!strcmp(f[0], "safety-dir")) {
			if (n != 2 || !ezn_path_ok(f[1])) {
				snprintf(err, errsz,
					 "%s line %u: expected 'safety-dir ABSOLUTE-PATH'", name,
					 lineno);
				return -EINVAL;
			}
			snprintf(c->safety_dir, sizeof(c->safety_dir), "%s", f[1]);
		} else {
			snprintf(err, errsz,
				 "%s line %u: unknown keyword '%s' (expected 'category' or 'safety-dir')",
				 name, lineno, f[0]);
			return -EINVAL;
		}
	}
	if (!c->safety_dir[0])
		snprintf(c->safety_dir, sizeof(c->safety_dir), "%s/safety", ezn_state_dir());
	return 0;
}

int ezn_read_file(const char *path, char **out, size_t *len, size_t max)
{
	struct stat st;
	size_t total = 0;
	ssize_t n = 0;
	char *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto close_file;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto close_file;
	}
	if ((size_t)st.st_size > max) {
		err = -EFBIG;
		goto close_file;
	}
	buf = malloc(max + 1);
	if (!buf) {
		err = -ENOMEM;
		goto close_file;
	}
	while (total < max + 1) {
		n = ezn_read_retry(fd, buf + total, max + 1 - total);
		if (n <= 0)
			break;
		total += n;
	}
	if (n < 0 || total > max) {
		err = n < 0 ? n : -EFBIG;
		free(buf);
		goto close_file;
	}
	buf[total] = 0;
	*out = buf;
	*len = total;
	err = 0;
close_file:
	close(fd);
	return err;
}

int ezn_config_load(struct ezn_config *c, char *err, size_t errsz)
{
	char path[PATH_MAX];
	size_t len;
	char *text;
	int ret;

	if (ezn_config_path(path, sizeof(path), EZN_CONFIG_FILE)) {
		snprintf(err, errsz, "configuration directory name too long");
		return -ENAMETOOLONG;
	}
	ret = ezn_read_file(path, &text, &len, 1 << 20);
	if (ret) {
		snprintf(err, errsz, "cannot read configuration '%s': %s", path, strerror(-ret));
		return ret;
	}
	ret = ezn_config_parse(text, len, path, c, err, errsz);
	free(text);
	return ret;
}
