// SPDX-License-Identifier: GPL-2.0
/*
 * ezn service start|stop|restart|status: bring ezncrypt up or down.
 *
 * start: check dependencies, load the module (modprobe ezncryptfs, or insmod
 * of --module PATH / $EZN_MODULE), unlock the keystore and load each master
 * key as the logon key "ezncrypt:CATEGORY" and the admin key as
 * "ezncrypt:admin" (in the user keyring, linked into the session keyring so
 * that mount(2) finds them under systemd too), mount each category of
 * ezncrypt.conf, bind the admin key and load the stored access list, start
 * the audit daemon. stop: stop the daemon, unmount, revoke the keys (the
 * module keeps nothing once unmounted). status: UP when the module is loaded
 * and every category is mounted; exits EZN_EXIT_NOT_RUNNING otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <keyutils.h>
#include <sodium.h>

#include "ezn.h"
#include "acl_file.h"
#include "admin.h"
#include "config.h"
#include "keystore.h"
#include "log.h"
#include "mounts.h"
#include "session.h"

extern char **environ;

struct ezn_service_opts {
	const char *passfile;
	const char *module;
	bool no_audit;
	bool unload;
};

static void ezn_service_usage(FILE *out)
{
	fprintf(out,
		"usage: ezn service start|stop|restart|status [--config-dir DIR] [--passfile FILE]\n"
		"                  [--module PATH.ko] [--no-audit] [--unload]\n");
}

static bool ezn_module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/ezncryptfs", &st);
}

/* Runs argv, output to the log's stderr; returns its exit status or -errno. */
static int ezn_run_wait(const char *const *cargv)
{
	char *const *argv = (char *const *)cargv;
	int status, err;
	pid_t pid;

	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err)
		return -err;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int ezn_key_desc(char *buf, size_t size, const char *name)
{
	return snprintf(buf, size, "ezncrypt:%s", name) >= (int)size ? -ENAMETOOLONG : 0;
}

int ezn_add_logon(const char *name, const unsigned char *key)
{
	char desc[64];
	key_serial_t id;

	ezn_key_desc(desc, sizeof(desc), name);
	id = add_key("logon", desc, key, EZN_KEY_SIZE, KEY_SPEC_USER_KEYRING);
	if (id < 0)
		return -errno;
	/*
	 * mount(2) looks the key up in our keyrings. A session keyring without
	 * the user keyring in it (systemd's KeyringMode=private) hides it: put
	 * the key in the session keyring too.
	 */
	if (request_key("logon", desc, NULL, 0) < 0 &&
	    add_key("logon", desc, key, EZN_KEY_SIZE, KEY_SPEC_SESSION_KEYRING) < 0)
		return -errno;
	return 0;
}

/* Revokes every ezncrypt:name key we can find; returns how many. */
int ezn_revoke_logon(const char *name)
{
	static const int rings[] = { KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING };
	char desc[64];
	key_serial_t id;
	int n = 0, i, tries;

	ezn_key_desc(desc, sizeof(desc), name);
	for (i = 0; i < (int)ARRAY_SIZE(rings); i++) {
		for (tries = 0; tries < 8; tries++) {
			id = keyctl_search(rings[i], "logon", desc, 0);
			if (id < 0)
				break;
			keyctl_revoke(id);
			keyctl_unlink(id, rings[i]);
			n++;
		}
	}
	return n;
}

static int ezn_check_deps(const struct ezn_config *conf, const struct ezn_service_opts *o)
{
	char path[PATH_MAX];
	unsigned int i;
	int err;

	ezn_step_begin("Checking dependencies");
	if (geteuid() != 0) {
		ezn_step_fail("must be run as root");
		return -EPERM;
	}
	if (conf->nr == 0) {
		ezn_step_fail("no category in %s/%s (add 'category NAME LOWER MOUNTPOINT')",
			      ezn_config_dir(), EZN_CONFIG_FILE);
		return -ENOENT;
	}
	ezn_ks_path(path, sizeof(path));
	if (access(path, R_OK)) {
		ezn_step_fail("no keystore at %s (ezn key init)", path);
		return -ENOENT;
	}
	if (o->module && access(o->module, R_OK)) {
		ezn_step_fail("module '%s': %s", o->module, strerror(errno));
		return -ENOENT;
	}
	for (i = 0; i < conf->nr; i++) {
		err = ezn_mkdir_p(conf->cat[i].lower, 0700);
		if (!err)
			err = ezn_mkdir_p(conf->cat[i].mnt, 0755);
		if (err) {
			ezn_step_fail("@%s: cannot create '%s' or '%s': %s", conf->cat[i].name,
				      conf->cat[i].lower, conf->cat[i].mnt, strerror(-err));
			return err;
		}
	}
	ezn_step_done();
	return 0;
}

static int ezn_load_module(const struct ezn_service_opts *o)
{
	const char *const insmod[] = { "insmod", o->module, NULL };
	const char *const modprobe[] = { "modprobe", "ezncryptfs", NULL };
	int ret;

	ezn_step_begin("Loading the ezncryptfs module");
	if (ezn_module_loaded()) {
		ezn_step_done();
		return 0;
	}
	ret = ezn_run_wait(o->module ? insmod : modprobe);
	if (ret || !ezn_module_loaded()) {
		ezn_step_fail("%s %s failed (exit %d; see dmesg)",
			      o->module ? "insmod" : "modprobe",
			      o->module ? o->module : "ezncryptfs", ret);
		return -EIO;
	}
	ezn_step_done();
	return 0;
}

static int ezn_retrieve_keys(const struct ezn_config *conf, struct ezn_keystore *ks)
{
	char old[EZN_CATEGORY_MAX + sizeof(EZN_ROTATE_OLD)];
	struct ezn_ks_entry *e, *p;
	unsigned int i;
	int err;

	ezn_step_begin("Retrieving keys");
	for (i = 0; i < conf->nr; i++) {
		if (!ezn_ks_find(ks, conf->cat[i].name)) {
			ezn_step_fail("no master key for @%s in the keystore (ezn key add @%s)",
				      conf->cat[i].name, conf->cat[i].name);
			return -ENOKEY;
		}
	}
	for (i = 0; i < conf->nr; i++) {
		e = ezn_ks_find(ks, conf->cat[i].name);
		p = ezn_ks_find_pending(ks, conf->cat[i].name);
		/* Mid-rotation: the new key is current, the old one opens the rest. */
		err = ezn_add_logon(e->name, p ? p->key : e->key);
		if (!err && p) {
			snprintf(old, sizeof(old), "%s" EZN_ROTATE_OLD, e->name);
			err = ezn_add_logon(old, e->key);
		}
		if (err) {
			ezn_step_fail("adding the logon key ezncrypt:%s: %s", e->name,
				      strerror(-err));
			return err;
		}
	}
	err = ezn_add_logon("admin", ks->admin);
	if (err) {
		ezn_step_fail("adding the logon key %s: %s", EZN_ADMIN_KEY_DESC, strerror(-err));
		return err;
	}
	ezn_step_done();
	return 0;
}

static int ezn_mount_one(const struct ezn_category_conf *cat, bool rotating)
{
	char fstype[64], opts[192];
	int ret;

	ezn_step_begin("Mounting @%s on %s", cat->name, cat->mnt);
	ret = ezn_mount_at(cat->mnt, fstype, sizeof(fstype));
	if (ret == 1 && !strcmp(fstype, EZN_FSTYPE)) {
		ezn_step_done();
		return 0;
	}
	if (ret == 1) {
		ezn_step_fail("a %s file system is already mounted on %s", fstype, cat->mnt);
		return -EBUSY;
	}
	snprintf(opts, sizeof(opts), "key=ezncrypt:%s,category=%s", cat->name, cat->name);
	if (rotating)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts),
			 ",oldkey=ezncrypt:%s" EZN_ROTATE_OLD, cat->name);
	if (mount(cat->lower, cat->mnt, EZN_FSTYPE, 0, opts)) {
		ret = -errno;
		ezn_step_fail("mount -t %s -o %s %s %s: %s%s", EZN_FSTYPE, opts, cat->lower,
			      cat->mnt, strerror(errno),
			      errno == EKEYREJECTED || errno == EUCLEAN ?
			      " (the lower directory was made with another key)" : " (see dmesg)");
		return ret;
	}
	ezn_step_done();
	return 0;
}

/* Binds the admin key if needed and loads the stored access list. */
static int ezn_load_acl(struct ezn_keystore *ks)
{
	struct ezn_admin_status *st = NULL;
	struct ezn_acl_list l = { 0 };
	struct ezn_admin *adm = NULL;
	struct ezn_admin_rule *now = NULL;
	char why[PATH_MAX + 256], skipped[512] = "";
	struct ezn_rule *rule = NULL;
	size_t i, j;
	int err;

	ezn_step_begin("Loading the access list");
	err = ezn_admin_open(&adm);
	if (err) {
		ezn_step_fail("cannot talk to the module: %s", strerror(-err));
		return err;
	}
	st = calloc(1, sizeof(*st));
	rule = calloc(1, sizeof(*rule));
	now = calloc(1, sizeof(*now));
	if (!st || !rule || !now || ezn_acl_list_init(&l)) {
		ezn_step_fail("out of memory");
		err = -ENOMEM;
		goto free_all;
	}
	err = ezn_admin_status(adm, st);
	if (err) {
		ezn_step_fail("status: %s", strerror(-err));
		goto free_all;
	}
	if (!st->admin_bound) {
		err = ezn_admin_bind_key(adm, ks->admin, NULL);
		if (err) {
			ezn_step_fail("binding the admin key: %s %s", strerror(-err),
				      ezn_admin_errmsg(adm));
			goto free_all;
		}
	}
	err = ezn_acl_load(ks->admin, &l, why, sizeof(why));
	if (err < 0) {
		ezn_step_fail("%s", why);
		goto free_all;
	}
	/*
	 * A rule whose executable or --children executable changed since it
	 * was approved (or whose children were never pinned) waits for
	 * ezn-acl --update.
	 */
	for (i = 0, j = 0; i < l.nr; i++) {
		struct ezn_parse_error perr;
		const char *changed = NULL;

		ezn_rule_parse(l.rules[i].text, strlen(l.rules[i].text), rule, &perr);
		if (!ezn_admin_rule_pin(rule, now, &changed))
			changed = ezn_admin_pin_changed(rule, &l.rules[i], now);
		if (changed) {
			size_t used = strlen(skipped);

			snprintf(skipped + used, sizeof(skipped) - used, "%s#%zu %s",
				 used ? ", " : "", i + 1, changed);
			ezn_log("rule %zu '%s' not loaded: %s changed since it was approved", i + 1,
				l.rules[i].text, changed);
			continue;
		}
		l.rules[j++] = l.rules[i];
	}
	l.nr = j;
	err = ezn_admin_policy_replace(adm, ks->admin, l.rules, l.nr);
	if (!err)
		err = ezn_admin_set_mode(adm, ks->admin, l.mode);
	if (err) {
		ezn_step_fail("%s%s%s", strerror(-err), *ezn_admin_errmsg(adm) ? ": " : "",
			      ezn_admin_errmsg(adm));
		goto free_all;
	}
	if (skipped[0]) {
		ezn_step_fail("%zu rule(s) loaded, %s mode; executable changed, NOT loaded: %s",
			      l.nr, ezn_admin_mode_name(l.mode), skipped);
		printf("approve the new executables with: ezn-acl --update\n");
		err = 0;	/* the service runs; the message says what is missing */
		goto free_all;
	}
	ezn_step_done();
	ezn_log("%zu rule(s) loaded, %s mode", l.nr, ezn_admin_mode_name(l.mode));
free_all:
	ezn_acl_list_free(&l);
	free(now);
	free(rule);
	free(st);
	ezn_admin_close(adm);
	return err;
}

static int ezn_audit_pidfile(char *buf, size_t size)
{
	return snprintf(buf, size, "%s/ezn-audit.pid", ezn_state_dir()) >= (int)size ?
	       -ENAMETOOLONG : 0;
}

/* The audit daemon's pid when it runs, else 0. */
static pid_t ezn_audit_pid(void)
{
	char path[PATH_MAX], exe[PATH_MAX], proc[64];
	long pid = 0;
	ssize_t n;
	FILE *fp;

	if (ezn_audit_pidfile(path, sizeof(path)))
		return 0;
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	if (fscanf(fp, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(fp);
	if (!pid)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%ld/exe", pid);
	n = readlink(proc, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = 0;
	if (strcmp(exe, ezn_self_exe()))
		return 0;
	return pid;
}

static int ezn_start_audit(void)
{
	const char *const argv[] = { ezn_self_exe(), "audit", "--daemon", "--config-dir",
				     ezn_config_dir(), NULL };
	int ret;

	ezn_step_begin("Starting the audit daemon");
	if (ezn_audit_pid()) {
		ezn_step_done();
		return 0;
	}
	ret = ezn_run_wait(argv);
	if (ret) {
		ezn_step_fail("ezn audit --daemon exited with %d (see %s/ezncrypt.log)", ret,
			      ezn_log_dir());
		return -EIO;
	}
	ezn_step_done();
	return 0;
}

static int ezn_stop_audit(void)
{
	char path[PATH_MAX];
	pid_t pid = ezn_audit_pid();
	int i;

	if (!pid)
		return 0;
	ezn_step_begin("Stopping the audit daemon");
	kill(pid, SIGTERM);
	for (i = 0; i < 50 && !kill(pid, 0); i++)
		usleep(100000);
	if (!kill(pid, 0)) {
		ezn_step_fail("pid %d did not exit", (int)pid);
		return -EBUSY;
	}
	if (!ezn_audit_pidfile(path, sizeof(path)))
		unlink(path);
	ezn_step_done();
	return 0;
}

static int ezn_service_start(const struct ezn_config *conf, const struct ezn_service_opts *o)
{
	struct ezn_keystore *ks;
	unsigned int i;
	int err;

	ezn_log("starting (config %s)", ezn_config_dir());
	err = ezn_check_deps(conf, o);
	if (err)
		return EZN_EXIT_FAIL;
	err = ezn_load_module(o);
	if (err)
		return EZN_EXIT_FAIL;
	ks = ezn_ks_new();
	if (!ks) {
		ezn_err("out of locked memory");
		return EZN_EXIT_FAIL;
	}
	err = ezn_ks_unlock(o->passfile, ks);
	if (err) {
		ezn_log("keystore not unlocked: %s", err == EZN_KS_EWRONGPASS ?
			"wrong passphrase" : strerror(-err));
		ezn_ks_free(ks);
		return err == EZN_KS_EWRONGPASS ? EZN_EXIT_AUTH : EZN_EXIT_FAIL;
	}
	err = ezn_retrieve_keys(conf, ks);
	for (i = 0; !err && i < conf->nr; i++)
		err = ezn_mount_one(&conf->cat[i], ezn_ks_find_pending(ks, conf->cat[i].name));
	if (!err)
		err = ezn_load_acl(ks);
	ezn_ks_free(ks);
	if (!err && !o->no_audit)
		err = ezn_start_audit();
	if (err) {
		printf("ezncrypt is NOT running: the step above failed\n");
		ezn_log("start failed");
		return EZN_EXIT_FAIL;
	}
	printf("ezncrypt is UP and running\n");
	ezn_log("started");
	return EZN_EXIT_OK;
}

static int ezn_service_stop(const struct ezn_config *conf, const struct ezn_service_opts *o)
{
	char fstype[64];
	unsigned int i;
	int ret = EZN_EXIT_OK, n = 0;

	ezn_log("stopping");
	if (ezn_stop_audit())
		ret = EZN_EXIT_FAIL;
	for (i = 0; i < conf->nr; i++) {
		if (ezn_mount_at(conf->cat[i].mnt, fstype, sizeof(fstype)) != 1 ||
		    strcmp(fstype, EZN_FSTYPE))
			continue;
		ezn_step_begin("Unmounting @%s from %s", conf->cat[i].name, conf->cat[i].mnt);
		if (umount2(conf->cat[i].mnt, 0)) {
			ezn_step_fail("%s%s", strerror(errno), errno == EBUSY ?
				      " (in use: see fuser -vm on it)" : "");
			ret = EZN_EXIT_FAIL;
			continue;
		}
		ezn_step_done();
	}
	ezn_step_begin("Removing keys");
	for (i = 0; i < conf->nr; i++) {
		char name[EZN_CATEGORY_MAX + sizeof(EZN_ROTATE_OLD)];

		n += ezn_revoke_logon(conf->cat[i].name);
		snprintf(name, sizeof(name), "%s" EZN_ROTATE_OLD, conf->cat[i].name);
		n += ezn_revoke_logon(name);
		snprintf(name, sizeof(name), "%s" EZN_ROTATE_NEW, conf->cat[i].name);
		n += ezn_revoke_logon(name);
	}
	n += ezn_revoke_logon("admin");
	ezn_step_done();
	ezn_log("%d key(s) revoked", n);
	if (o->unload && ezn_module_loaded()) {
		const char *const rmmod[] = { "rmmod", "ezncryptfs", NULL };

		ezn_step_begin("Unloading the ezncryptfs module");
		if (ezn_run_wait(rmmod)) {
			ezn_step_fail("rmmod failed");
			ret = EZN_EXIT_FAIL;
		} else {
			ezn_step_done();
		}
	}
	printf("ezncrypt is %s\n", ret ? "partly stopped: see above" : "stopped");
	return ret;
}

static int ezn_service_status(const struct ezn_config *conf)
{
	struct ezn_admin_status *st;
	struct ezn_admin *adm = NULL;
	char fstype[64];
	unsigned int i, up = 0;
	pid_t audit;
	bool loaded = ezn_module_loaded();

	printf("module:     %s\n", loaded ? "loaded" : "not loaded");
	for (i = 0; i < conf->nr; i++) {
		bool m = ezn_mount_at(conf->cat[i].mnt, fstype, sizeof(fstype)) == 1 &&
			 !strcmp(fstype, EZN_FSTYPE);

		up += m;
		printf("@%-10s %s on %s: %s\n", conf->cat[i].name, conf->cat[i].lower,
		       conf->cat[i].mnt, m ? "mounted" : "NOT mounted");
	}
	st = calloc(1, sizeof(*st));
	if (loaded && st && !ezn_admin_open(&adm) && !ezn_admin_status(adm, st)) {
		printf("policy:     %u rule(s), %s mode, admin key %s, %u grant(s)\n", st->nr_rules,
		       ezn_admin_mode_name(st->mode), st->admin_bound ? "bound" : "NOT bound",
		       st->nr_grants);
		for (i = 0; i < st->nr_cats; i++)
			printf("counters:   @%s allowed %llu, denied %llu\n", st->cats[i].name,
			       (unsigned long long)st->cats[i].allowed,
			       (unsigned long long)st->cats[i].denied);
	}
	if (adm)
		ezn_admin_close(adm);
	free(st);
	audit = ezn_audit_pid();
	if (audit)
		printf("audit:      running (pid %d)\n", (int)audit);
	else
		printf("audit:      not running\n");
	if (loaded && conf->nr && up == conf->nr) {
		printf("ezncrypt is UP and running\n");
		return EZN_EXIT_OK;
	}
	printf("ezncrypt is NOT running\n");
	return EZN_EXIT_NOT_RUNNING;
}

int ezn_cmd_service(int argc, char **argv)
{
	static const struct option longopts[] = {
		EZN_OPT_CONFIG_DIR,
		EZN_OPT_PASSFILE,
		{ "module", required_argument, NULL, 'm' },
		{ "no-audit", no_argument, NULL, 'N' },
		{ "unload", no_argument, NULL, 'U' },
		EZN_OPT_HELP,
		{}
	};
	struct ezn_cmdline cl = { .name = "service", .usage = ezn_service_usage };
	struct ezn_service_opts o = { 0 };
	struct ezn_config *conf;
	char why[PATH_MAX + 256];
	const char *action, *env;
	int opt, ret, err;

	while ((opt = ezn_getopt(&cl, argc, argv, "h", longopts)) >= 0) {
		switch (opt) {
		case 'm':
			o.module = optarg;
			break;
		case 'N':
			o.no_audit = true;
			break;
		case 'U':
			o.unload = true;
			break;
		}
	}
	if (opt == EZN_OPT_EXIT)
		return cl.status;
	o.passfile = cl.passfile;
	if (optind != argc - 1) {
		if (optind < argc - 1)
			ezn_err("service: one action expected, got '%s' and '%s'", argv[optind],
				argv[optind + 1]);
		ezn_service_usage(stderr);
		return EZN_EXIT_USAGE;
	}
	action = argv[optind];
	if (strcmp(action, "start") && strcmp(action, "stop") && strcmp(action, "restart") &&
	    strcmp(action, "status")) {
		ezn_err("service: unknown action '%s' (start, stop, restart, status)", action);
		return EZN_EXIT_USAGE;
	}
	env = getenv("EZN_MODULE");
	if (!o.module && env && *env)
		o.module = env;
	conf = calloc(1, sizeof(*conf));
	if (!conf) {
		ezn_err("out of memory");
		return EZN_EXIT_FAIL;
	}
	ezn_log_open("ezn-service");
	err = ezn_config_load(conf, why, sizeof(why));
	if (err) {
		ezn_err("%s", why);
		ezn_log("%s", why);
		free(conf);
		return EZN_EXIT_FAIL;
	}
	if (!strcmp(action, "start")) {
		ret = ezn_service_start(conf, &o);
	} else if (!strcmp(action, "stop")) {
		ret = ezn_service_stop(conf, &o);
	} else if (!strcmp(action, "restart")) {
		ret = ezn_service_stop(conf, &o);
		if (!ret)
			ret = ezn_service_start(conf, &o);
	} else {
		ret = ezn_service_status(conf);
	}
	free(conf);
	ezn_log_close();
	return ret;
}
