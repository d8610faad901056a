// SPDX-License-Identifier: GPL-2.0
/*
 * ezn key: the keystore.
 *
 *   ezn key init [--dual] [--kdf interactive|moderate|sensitive] [@CAT...]
 *   ezn key add @CAT
 *   ezn key list
 *   ezn key change-passphrase [--dual|--single] [--new-passfile FILE]
 *   ezn key export FILE [--export-passfile FILE] [@CAT...]
 *   ezn key import FILE [--import-passfile FILE] [--with-admin]
 *   ezn key rotate @CAT...		(key_rotate.c)
 *
 * Every form takes --config-dir DIR and --passfile FILE. init also creates a
 * master key for every category of ezncrypt.conf. export writes the chosen
 * keys (default: all, with the admin key) in the keystore format under a
 * separate export passphrase; import adds the categories it does not have
 * (and the admin key with --with-admin) and refuses a category whose key
 * differs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "config.h"
#include "keystore.h"
#include "log.h"
#include "prompt.h"

struct ezn_key_opts {
	const char *passfile;
	const char *new_passfile;
	enum ezn_kdf_level kdf;
	int dual;		/* -1 keep, 0 single, 1 dual */
	bool with_admin;
};

static void ezn_key_usage(FILE *out)
{
	fprintf(out,
		"usage: ezn key init [--dual] [--kdf interactive|moderate|sensitive] [@CATEGORY...]\n"
		"       ezn key add @CATEGORY\n"
		"       ezn key list\n"
		"       ezn key rotate @CATEGORY...\n"
		"       ezn key change-passphrase [--dual|--single] [--new-passfile FILE]\n"
		"       ezn key export FILE [--export-passfile FILE] [@CATEGORY...]\n"
		"       ezn key import FILE [--import-passfile FILE] [--with-admin]\n"
		"options for all: --config-dir DIR, --passfile FILE (first line the passphrase,\n"
		"second line the salt in dual-passphrase mode)\n");
}

static void ezn_print_key_id(const char *what, const unsigned char *key)
{
	unsigned char id[EZN_KEY_ID_SIZE];
	char hex[2 * EZN_KEY_ID_SIZE + 1];

	ezn_key_id(key, id);
	sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
	printf("  %-34s key id %s\n", what, hex);
}

static void ezn_print_keys(struct ezn_keystore *ks)
{
	char name[EZN_CATEGORY_MAX + 2];
	unsigned int i;

	ezn_print_key_id("admin", ks->admin);
	for (i = 0; i < ks->nr; i++) {
		snprintf(name, sizeof(name), "@%s", ks->e[i].name);
		ezn_print_key_id(name, ks->e[i].key);
	}
}

static int ezn_key_save(struct ezn_keystore *ks, const struct ezn_creds *c)
{
	char path[PATH_MAX], why[PATH_MAX + 256];

	ezn_ks_path(path, sizeof(path));
	if (ezn_ks_save(path, c, ks, why, sizeof(why))) {
		ezn_err("%s", why);
		return EZN_EXIT_FAIL;
	}
	return EZN_EXIT_OK;
}

static int ezn_exit_for(int err)
{
	return err == EZN_KS_EWRONGPASS ? EZN_EXIT_AUTH : EZN_EXIT_FAIL;
}

static int ezn_key_init(struct ezn_key_opts *o, int nargs, char **args)
{
	char path[PATH_MAX], name[EZN_CATEGORY_MAX + 1], why[PATH_MAX + 256];
	struct ezn_config *conf = NULL;
	struct ezn_keystore *ks = NULL;
	struct ezn_creds *c = NULL;
	struct stat st;
	int i, err, ret = EZN_EXIT_FAIL, lock;

	for (i = 0; i < nargs; i++)
		if (ezn_parse_category_arg(args[i], name))
			return EZN_EXIT_USAGE;
	if (ezn_ks_path(path, sizeof(path))) {
		ezn_err("configuration directory name too long");
		return EZN_EXIT_USAGE;
	}
	err = ezn_mkdir_p(ezn_config_dir(), 0700);
	if (err) {
		ezn_err("cannot create '%s': %s", ezn_config_dir(), strerror(-err));
		return EZN_EXIT_FAIL;
	}
	lock = ezn_ks_lock();
	if (lock < 0)
		return EZN_EXIT_FAIL;
	if (!lstat(path, &st)) {
		ezn_err("a keystore already exists at '%s': refusing to overwrite it (its keys would be lost)",
			path);
		goto unlock;
	}
	conf = calloc(1, sizeof(*conf));
	ks = ezn_ks_new();
	c = ezn_creds_new();
	if (!conf || !ks || !c) {
		ezn_err("out of memory");
		goto free_all;
	}
	err = ezn_config_load(conf, why, sizeof(why));
	if (err && err != -ENOENT) {
		ezn_err("%s", why);
		goto free_all;
	}
	ezn_ks_create(ks, o->kdf, o->dual == 1);
	for (i = 0; i < nargs; i++) {
		ezn_parse_category_arg(args[i], name);
		err = ezn_ks_add(ks, name);
		if (err && err != -EEXIST) {
			ezn_err("cannot add @%s: %s", name, strerror(-err));
			goto free_all;
		}
	}
	for (i = 0; i < (int)conf->nr; i++) {
		err = ezn_ks_add(ks, conf->cat[i].name);
		if (err && err != -EEXIST) {
			ezn_err("cannot add @%s: %s", conf->cat[i].name, strerror(-err));
			goto free_all;
		}
	}
	if (ezn_creds_get_new(c, o->passfile, "", o->dual == 1))
		goto free_all;
	ret = ezn_key_save(ks, c);
	if (ret)
		goto free_all;
	ezn_log_open("ezn-key");
	ezn_log("keystore created at %s with %u category key(s)", path, ks->nr);
	printf("keystore created: %s (%s mode, Argon2id %llu MiB, %llu passes)\n", path,
	       o->dual == 1 ? "dual-passphrase" : "single-passphrase",
	       (unsigned long long)(ks->memlimit >> 20), (unsigned long long)ks->opslimit);
	ezn_print_keys(ks);
	printf("keep the passphrase%s safe: without it the data cannot be recovered\n",
	       o->dual == 1 ? " and the salt" : "");
free_all:
	ezn_creds_free(c);
	ezn_ks_free(ks);
	free(conf);
unlock:
	ezn_ks_unlock_file(lock);
	return ret;
}

/* Unlocks under the lock, runs change(), saves with the same secrets. */
/* A keystore opened for a change, under keystore.lock. */
struct ezn_key_change {
	int lock;
	struct ezn_keystore *ks;
	struct ezn_creds *c;
};

/* 0, or the exit status (everything reported, everything released). */
static int ezn_key_change_begin(const char *passfile, struct ezn_key_change *k)
{
	int err;

	k->ks = NULL;
	k->c = NULL;
	k->lock = ezn_ks_lock();
	if (k->lock < 0)
		return EZN_EXIT_FAIL;
	k->ks = ezn_ks_new();
	k->c = ezn_creds_new();
	if (!k->ks || !k->c) {
		ezn_err("out of locked memory");
		err = -ENOMEM;
	} else {
		err = ezn_ks_unlock_creds(passfile, k->ks, k->c);
	}
	if (!err)
		return 0;
	ezn_creds_free(k->c);
	ezn_ks_free(k->ks);
	ezn_ks_unlock_file(k->lock);
	return ezn_exit_for(err);
}

static void ezn_key_change_end(struct ezn_key_change *k)
{
	ezn_creds_free(k->c);
	ezn_ks_free(k->ks);
	ezn_ks_unlock_file(k->lock);
}

static int ezn_key_add(struct ezn_key_opts *o, int nargs, char **args)
{
	char name[EZN_CATEGORY_MAX + 1];
	struct ezn_key_change k;
	int i, err, ret;

	if (ezn_parse_category_args(nargs, args, "ezn key add @CATEGORY"))
		return EZN_EXIT_USAGE;
	ret = ezn_key_change_begin(o->passfile, &k);
	if (ret)
		return ret;
	ret = EZN_EXIT_FAIL;
	for (i = 0; i < nargs; i++) {
		ezn_parse_category_arg(args[i], name);
		err = ezn_ks_add(k.ks, name);
		if (err == -EEXIST) {
			ezn_err("category @%s already has a master key; nothing changed", name);
			goto end;
		} else if (err) {
			ezn_err("cannot add @%s: %s", name, strerror(-err));
			goto end;
		}
	}
	ret = ezn_key_save(k.ks, k.c);
	if (ret)
		goto end;
	ezn_log_open("ezn-key");
	for (i = 0; i < nargs; i++) {
		ezn_log("master key added for %s", args[i]);
		ezn_print_key_id(args[i], ezn_ks_find(k.ks, args[i] + 1)->key);
	}
end:
	ezn_key_change_end(&k);
	return ret;
}

static int ezn_key_rotate_cmd(struct ezn_key_opts *o, int nargs, char **args)
{
	struct ezn_key_change k;
	int ret;

	if (ezn_parse_category_args(nargs, args, "ezn key rotate @CATEGORY"))
		return EZN_EXIT_USAGE;
	ret = ezn_key_change_begin(o->passfile, &k);
	if (ret)
		return ret;
	ezn_log_open("ezn-key");
	ret = ezn_key_rotate(k.ks, k.c, nargs, args) ? EZN_EXIT_FAIL : EZN_EXIT_OK;
	ezn_key_change_end(&k);
	return ret;
}

static int ezn_key_list(struct ezn_key_opts *o, int nargs, char **args)
{
	struct ezn_keystore *ks;
	char path[PATH_MAX];
	int err;

	if (nargs) {
		ezn_err("key list takes no arguments (got '%s')", args[0]);
		return EZN_EXIT_USAGE;
	}
	ks = ezn_ks_new();
	if (!ks) {
		ezn_err("out of locked memory");
		return EZN_EXIT_FAIL;
	}
	err = ezn_ks_unlock(o->passfile, ks);
	if (err) {
		ezn_ks_free(ks);
		return ezn_exit_for(err);
	}
	ezn_ks_path(path, sizeof(path));
	printf("keystore %s: %s mode, Argon2id %llu MiB, %llu passes, %u category key(s)\n", path,
	       ks->flags & EZN_KS_FLAG_DUAL ? "dual-passphrase" : "single-passphrase",
	       (unsigned long long)(ks->memlimit >> 20), (unsigned long long)ks->opslimit, ks->nr);
	ezn_print_keys(ks);
	ezn_ks_free(ks);
	return EZN_EXIT_OK;
}

static int ezn_key_change(struct ezn_key_opts *o, int nargs, char **args)
{
	struct ezn_keystore *ks;
	struct ezn_creds *c;
	bool dual;
	int err, ret = EZN_EXIT_FAIL, lock;

	if (nargs) {
		ezn_err("key change-passphrase takes no arguments (got '%s')", args[0]);
		return EZN_EXIT_USAGE;
	}
	lock = ezn_ks_lock();
	if (lock < 0)
		return EZN_EXIT_FAIL;
	ks = ezn_ks_new();
	c = ezn_creds_new();
	if (!ks || !c) {
		ezn_err("out of locked memory");
		goto free_all;
	}
	err = ezn_ks_unlock(o->passfile, ks);
	if (err) {
		ret = ezn_exit_for(err);
		goto free_all;
	}
	dual = o->dual == -1 ? ks->flags & EZN_KS_FLAG_DUAL : o->dual == 1;
	if (ezn_creds_get_new(c, o->new_passfile, "new ", dual))
		goto free_all;
	ks->flags = dual ? ks->flags | EZN_KS_FLAG_DUAL : ks->flags & ~EZN_KS_FLAG_DUAL;
	ret = ezn_key_save(ks, c);
	if (ret)
		goto free_all;
	ezn_log_open("ezn-key");
	ezn_log("keystore passphrase changed (%s mode)", dual ? "dual" : "single");
	printf("passphrase changed (%s mode)\n", dual ? "dual-passphrase" : "single-passphrase");
free_all:
	ezn_creds_free(c);
	ezn_ks_free(ks);
	ezn_ks_unlock_file(lock);
	return ret;
}

static int ezn_key_export(struct ezn_key_opts *o, int nargs, char **args)
{
	char name[EZN_CATEGORY_MAX + 1], why[PATH_MAX + 256];
	struct ezn_keystore *ks, *out;
	struct ezn_ks_entry *e;
	struct ezn_creds *c;
	struct stat st;
	int i, err, ret = EZN_EXIT_FAIL;

	if (nargs < 1) {
		ezn_err("key export: missing the FILE to write");
		return EZN_EXIT_USAGE;
	}
	for (i = 1; i < nargs; i++)
		if (ezn_parse_category_arg(args[i], name))
			return EZN_EXIT_USAGE;
	if (!lstat(args[0], &st)) {
		ezn_err("'%s' exists: refusing to overwrite it", args[0]);
		return EZN_EXIT_FAIL;
	}
	ks = ezn_ks_new();
	out = ezn_ks_new();
	c = ezn_creds_new();
	if (!ks || !out || !c) {
		ezn_err("out of locked memory");
		goto free_all;
	}
	err = ezn_ks_unlock(o->passfile, ks);
	if (err) {
		ret = ezn_exit_for(err);
		goto free_all;
	}
	out->flags = 0;
	out->opslimit = ks->opslimit;
	out->memlimit = ks->memlimit;
	memcpy(out->admin, ks->admin, EZN_KEY_SIZE);
	for (i = 1; i < nargs; i++) {
		ezn_parse_category_arg(args[i], name);
		e = ezn_ks_find(ks, name);
		if (!e) {
			ezn_err("no key for @%s in the keystore", name);
			goto free_all;
		}
		if (!ezn_ks_find(out, name))
			out->e[out->nr++] = *e;
	}
	if (nargs == 1) {
		memcpy(out->e, ks->e, sizeof(ks->e[0]) * ks->nr);
		out->nr = ks->nr;
	}
	printf("the export file is protected by its own passphrase\n");
	if (ezn_creds_get_new(c, o->new_passfile, "export ", false))
		goto free_all;
	if (ezn_ks_save(args[0], c, out, why, sizeof(why))) {
		ezn_err("%s", why);
		goto free_all;
	}
	ezn_log_open("ezn-key");
	ezn_log("exported %u category key(s) and the admin key to %s", out->nr, args[0]);
	printf("exported to %s:\n", args[0]);
	ezn_print_keys(out);
	ret = EZN_EXIT_OK;
free_all:
	ezn_creds_free(c);
	ezn_ks_free(out);
	ezn_ks_free(ks);
	return ret;
}

static int ezn_key_import(struct ezn_key_opts *o, int nargs, char **args)
{
	char why[PATH_MAX + 256];
	struct ezn_keystore *ks, *in;
	struct ezn_ks_entry *e;
	struct ezn_creds *c, *ic;
	unsigned int i, added = 0;
	int err, ret = EZN_EXIT_FAIL, lock;

	if (nargs != 1) {
		ezn_err("key import: expected one FILE, got %d argument(s)", nargs);
		return EZN_EXIT_USAGE;
	}
	lock = ezn_ks_lock();
	if (lock < 0)
		return EZN_EXIT_FAIL;
	ks = ezn_ks_new();
	in = ezn_ks_new();
	c = ezn_creds_new();
	ic = ezn_creds_new();
	if (!ks || !in || !c || !ic) {
		ezn_err("out of locked memory");
		goto free_all;
	}
	printf("the passphrase of the export file '%s'\n", args[0]);
	if (ezn_creds_get(ic, o->new_passfile, "export ", false))
		goto free_all;
	err = ezn_ks_load(args[0], ic, in, why, sizeof(why));
	if (err) {
		ezn_err("%s", why);
		ret = ezn_exit_for(err);
		goto free_all;
	}
	{
		char path[PATH_MAX];
		uint32_t flags;

		ezn_ks_path(path, sizeof(path));
		err = ezn_ks_peek(path, &flags, why, sizeof(why));
		if (err) {
			ezn_err("%s", err == -ENOENT ?
				"no keystore (create one with 'ezn key init' first)" : why);
			goto free_all;
		}
		printf("the keystore's passphrase\n");
		if (ezn_creds_get(c, o->passfile, "", flags & EZN_KS_FLAG_DUAL))
			goto free_all;
		err = ezn_ks_load(path, c, ks, why, sizeof(why));
		if (err) {
			ezn_err("%s", why);
			ret = ezn_exit_for(err);
			goto free_all;
		}
	}
	for (i = 0; i < in->nr; i++) {
		e = ezn_ks_find(ks, in->e[i].name);
		if (e && sodium_memcmp(e->key, in->e[i].key, EZN_KEY_SIZE)) {
			ezn_err("@%s: the keystore already has a different key for this category; nothing imported",
				in->e[i].name);
			goto free_all;
		}
		if (e)
			continue;
		if (ks->nr >= EZN_KS_MAX_KEYS) {
			ezn_err("the keystore is full (%d keys)", EZN_KS_MAX_KEYS);
			goto free_all;
		}
		ks->e[ks->nr++] = in->e[i];
		added++;
	}
	if (o->with_admin)
		memcpy(ks->admin, in->admin, EZN_KEY_SIZE);
	ret = ezn_key_save(ks, c);
	if (ret)
		goto free_all;
	ezn_log_open("ezn-key");
	ezn_log("imported %u category key(s)%s from %s", added,
		o->with_admin ? " and the admin key" : "", args[0]);
	printf("imported %u category key(s)%s\n", added, o->with_admin ? " and the admin key" : "");
	ezn_print_keys(ks);
free_all:
	ezn_creds_free(ic);
	ezn_creds_free(c);
	ezn_ks_free(in);
	ezn_ks_free(ks);
	ezn_ks_unlock_file(lock);
	return ret;
}

int ezn_cmd_key(int argc, char **argv)
{
	static const struct option longopts[] = {
		EZN_OPT_CONFIG_DIR,
		EZN_OPT_PASSFILE,
		{ "new-passfile", required_argument, NULL, 'n' },
		{ "export-passfile", required_argument, NULL, 'n' },
		{ "import-passfile", required_argument, NULL, 'n' },
		{ "kdf", required_argument, NULL, 'k' },
		{ "dual", no_argument, NULL, 'd' },
		{ "single", no_argument, NULL, 's' },
		{ "with-admin", no_argument, NULL, 'A' },
		EZN_OPT_HELP,
		{}
	};
	struct ezn_key_opts o = { .kdf = EZN_KDF_MODERATE, .dual = -1 };
	struct ezn_cmdline cl = { .name = "key", .usage = ezn_key_usage };
	const char *action;
	int opt;

	while ((opt = ezn_getopt(&cl, argc, argv, "h", longopts)) >= 0) {
		switch (opt) {
		case 'n':
			o.new_passfile = optarg;
			break;
		case 'k':
			if (!strcmp(optarg, "interactive")) {
				o.kdf = EZN_KDF_INTERACTIVE;
			} else if (!strcmp(optarg, "moderate")) {
				o.kdf = EZN_KDF_MODERATE;
			} else if (!strcmp(optarg, "sensitive")) {
				o.kdf = EZN_KDF_SENSITIVE;
			} else {
				ezn_err("--kdf: '%s' is not one of interactive, moderate, sensitive",
					optarg);
				return EZN_EXIT_USAGE;
			}
			break;
		case 'd':
			o.dual = 1;
			break;
		case 's':
			o.dual = 0;
			break;
		case 'A':
			o.with_admin = true;
			break;
		}
	}
	if (opt == EZN_OPT_EXIT)
		return cl.status;
	o.passfile = cl.passfile;
	if (optind >= argc) {
		ezn_key_usage(stderr);
		return EZN_EXIT_USAGE;
	}
	action = argv[optind++];
	if (!strcmp(action, "init"))
		return ezn_key_init(&o, argc - optind, argv + optind);
	if (o.dual == 0 && strcmp(action, "change-passphrase")) {
		ezn_err("--single only goes with change-passphrase");
		return EZN_EXIT_USAGE;
	}
	if (!strcmp(action, "add"))
		return ezn_key_add(&o, argc - optind, argv + optind);
	if (!strcmp(action, "list"))
		return ezn_key_list(&o, argc - optind, argv + optind);
	if (!strcmp(action, "change-passphrase"))
		return ezn_key_change(&o, argc - optind, argv + optind);
	if (!strcmp(action, "export"))
		return ezn_key_export(&o, argc - optind, argv + optind);
	if (!strcmp(action, "import"))
		return ezn_key_import(&o, argc - optind, argv + optind);
	if (!strcmp(action, "rotate"))
		return ezn_key_rotate_cmd(&o, argc - optind, argv + optind);
	ezn_err("key: unknown action '%s' (init, add, list, change-passphrase, export, import, rotate)",
		action);
	return EZN_EXIT_USAGE;
}
