/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where things live, and the configuration file.
 *
 * The configuration directory is --config-dir DIR, else $EZN_CONFIG_DIR,
 * else /etc/ezncrypt. It holds:
 *	keystore	the wrapped keys (keystore.h)
 *	ezncrypt.conf	the categories, one a line (below)
 *	acl		the access list, authenticated with the admin key (acl.h)
 *
 * State (journals, safety copies) lives under $EZN_STATE_DIR, else
 * /var/lib/ezncrypt; logs under $EZN_LOG_DIR, else /var/log/ezncrypt.
 *
 * ezncrypt.conf, '#' starts a comment, fields are separated by blanks:
 *	category NAME LOWER MOUNTPOINT	a category: its lower (ciphertext)
 *					directory and where it is mounted
 *	safety-dir PATH			where ezn-encrypt keeps safety copies
 *					(default STATE/safety)
 * NAME is 1-31 characters of [A-Za-z0-9._-] (a leading '@' is allowed);
 * paths are absolute and may not contain blanks. Errors name the file and
 * the line.
 */
#ifndef EZN_CONFIG_H
#define EZN_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "ezn_rule.h"

#define EZN_CONFIG_DEFAULT_DIR	"/etc/ezncrypt"
#define EZN_STATE_DEFAULT_DIR	"/var/lib/ezncrypt"
#define EZN_CONFIG_FILE		"ezncrypt.conf"
#define EZN_CONFIG_MAX_CATS	32

struct ezn_category_conf {
	char name[EZN_CATEGORY_MAX + 1];
	char lower[PATH_MAX];
	char mnt[PATH_MAX];
};

struct ezn_config {
	unsigned int nr;
	struct ezn_category_conf cat[EZN_CONFIG_MAX_CATS];
	char safety_dir[PATH_MAX];
};

/* --config-dir given on the command line (NULL: none). */
void ezn_set_config_dir(const char *dir);
const char *ezn_config_dir(void);
const char *ezn_state_dir(void);
/* DIR/file into buf; -ENAMETOOLONG when it does not fit. */
int ezn_config_path(char *buf, size_t size, const char *file);

/* Parses the text of a configuration; name is used in errors. */
int ezn_config_parse(const char *text, size_t len, const char *name, struct ezn_config *c,
		     char *err, size_t errsz);
/* Reads CONFIG_DIR/ezncrypt.conf; -ENOENT with a message when it is missing. */
int ezn_config_load(struct ezn_config *c, char *err, size_t errsz);
const struct ezn_category_conf *ezn_config_find(const struct ezn_config *c, const char *name);

/*
 * "@NAME" on the command line to NAME; 0 or -EINVAL with a message through
 * ezn_err() naming arg.
 */
int ezn_parse_category_arg(const char *arg, char name[EZN_CATEGORY_MAX + 1]);
/* Every one of args (at least one) with it; usage names the command. */
int ezn_parse_category_args(int nargs, char **args, const char *usage);

/* Writes a file atomically (temporary, fsync, rename, directory fsync). */
int ezn_write_atomic(const char *path, const void *data, size_t len, unsigned int mode);
/* Reads a whole regular file of at most max bytes into malloc() memory, NUL-terminated. */
int ezn_read_file(const char *path, char **out, size_t *len, size_t max);

#endif /* EZN_CONFIG_H */
