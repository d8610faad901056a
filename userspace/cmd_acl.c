// SPDX-License-Identifier: GPL-2.0
/*
 * ezn acl: the access list.
 *
 *   ezn acl -a|--add "RULE"		add a rule (docs/RULES.md)
 *   ezn acl -d|--delete "RULE"|N	delete a rule, by text or by its number in -L
 *   ezn acl -L|--list			the rules the kernel enforces
 *   ezn acl --update			re-approve the executables' fingerprints
 *   ezn acl --import FILE		replace the list with FILE's rules
 *   ezn acl --export FILE		write the rules to FILE
 *   ezn acl --mode enforcing|permissive|admin
 *
 * Changes need the passphrase: the tool answers the kernel's challenge with
 * the admin key, then stores the list in CONFIG_DIR/acl, authenticated with
 * the same key, for the next service start. Executable paths are made
 * canonical (realpath) when a rule is added, because the kernel identifies a
 * process by its real executable: Debian's /usr/bin/mysqldump is a symlink
 * to mariadb-dump, so the rule must name /usr/bin/mariadb-dump.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "ezn.h"
#include "acl_file.h"
#include "config.h"
#include "log.h"
#include "session.h"

static void ezn_acl_usage(FILE *out)
{
	fprintf(out,
		"usage: ezn acl -a \"RULE\" | -d \"RULE\"|N | -L | --update | --import FILE |\n"
		"               --export FILE | --mode enforcing|permissive|admin\n"
		"               [--passfile FILE] [--config-dir DIR]\n"
		"RULE: ALLOW|DENY @CATEGORY PATTERN EXECUTABLE [--shell=PATH] [--children=PATH,...]\n");
}

/* realpath() of one path field; notes a change. */
static int ezn_canon_path(char *field, size_t size, const char *what, bool quiet)
{
	char real[PATH_MAX];

	if (!realpath(field, real)) {
		ezn_err("%s '%s': %s", what, field, strerror(errno));
		return -errno;
	}
	if (strcmp(real, field)) {
		if (strlen(real) >= size) {
			ezn_err("%s '%s' resolves to a path too long for a rule", what, field);
			return -ENAMETOOLONG;
		}
		if (!quiet)
			printf("note: %s %s is a link to %s, the file the kernel sees:\n"
			       "      the rule names %s\n", what, field, real, real);
		snprintf(field, size, "%s", real);
	}
	return 0;
}

/*
 * Parses text into canonical form in out->text (with executable paths
 * resolved when resolve), and with pin, the fingerprints of the files the
 * kernel will check.
 */
static int ezn_rule_prepare(const char *text, bool resolve, bool quiet, struct ezn_admin_rule *out,
			    bool pin)
{
	const char *what;
	struct ezn_parse_error perr;
	struct ezn_rule *r;
	int err, i;

	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = ezn_rule_parse(text, strlen(text), r, &perr);
	if (err == EZN_PARSE_BLANK) {
		ezn_err("empty rule");
		err = -EINVAL;
		goto free_rule;
	}
	if (err) {
		ezn_err("bad rule '%s': %s", text, perr.msg);
		err = -EINVAL;
		goto free_rule;
	}
	if (resolve) {
		err = ezn_canon_path(r->exe, sizeof(r->exe), r->shell[0] ? "script" : "executable",
				     quiet);
		if (!err && r->shell[0])
			err = ezn_canon_path(r->shell, sizeof(r->shell), "shell", quiet);
		for (i = 0; !err && i < r->nr_children; i++)
			err = ezn_canon_path(r->children[i], sizeof(r->children[i]), "child",
					     quiet);
		if (err)
			goto free_rule;
	}
	ezn_rule_print(r, out->text, sizeof(out->text));
	if (pin) {
		err = ezn_admin_rule_pin(r, out, &what);
		if (err)
			ezn_err("cannot fingerprint '%s': %s", what, strerror(-err));
	}
free_rule:
	free(r);
	return err;
}

struct ezn_list_ctx {
	unsigned int n;
};

static int ezn_list_one(const struct ezn_admin_rule *ar, void *arg)
{
	struct ezn_list_ctx *c = arg;
	struct ezn_parse_error perr;
	char opts[EZN_RULE_TEXT_MAX] = "";
	struct ezn_rule r;
	int i;

	if (ezn_rule_parse(ar->text, strlen(ar->text), &r, &perr))
		return 0;
	if (r.shell[0])
		snprintf(opts, sizeof(opts), "--shell=%s", r.shell);
	for (i = 0; i < r.nr_children; i++)
		snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), "%s%s%s",
			 i ? "," : opts[0] ? " --children=" : "--children=", "", r.children[i]);
	printf("%-4u %-6s @%-14s %-20s %-36s %s\n", ++c->n, ezn_rule_type_name(r.type),
	       r.category, r.pattern, r.exe, opts);
	return 0;
}

static int ezn_acl_list(void)
{
	struct ezn_admin_status *st;
	struct ezn_list_ctx c = { 0 };
	struct ezn_admin *a;
	int err;

	err = ezn_admin_open(&a);
	if (err == -ENOENT) {
		ezn_err("the ezncryptfs module is not loaded (ezn service start)");
		return EZN_EXIT_NOT_RUNNING;
	} else if (err) {
		ezn_err("cannot talk to the module: %s", strerror(-err));
		return EZN_EXIT_FAIL;
	}
	st = calloc(1, sizeof(*st));
	if (st && !ezn_admin_status(a, st))
		printf("mode: %s, %u rule(s)\n", ezn_admin_mode_name(st->mode), st->nr_rules);
	free(st);
	printf("%-4s %-6s %-15s %-20s %-36s %s\n", "#", "TYPE", "CATEGORY", "PATH", "PROCESS",
	       "OPTIONS");
	err = ezn_admin_policy_dump(a, ezn_list_one, &c);
	ezn_admin_close(a);
	if (err) {
		ezn_err("cannot read the policy: %s", strerror(-err));
		return EZN_EXIT_FAIL;
	}
	return EZN_EXIT_OK;
}

static int ezn_collect(const struct ezn_admin_rule *r, void *arg)
{
	struct ezn_acl_list *dst = arg;

	if (dst->nr < EZN_POLICY_MAX_RULES)
		dst->rules[dst->nr++] = *r;
	return 0;
}

static int ezn_acl_export(const char *path)
{
	struct ezn_acl_list l;
	struct ezn_admin *a;
	size_t len = 0, cap, i;
	char *text;
	int err;

	if (ezn_acl_list_init(&l))
		return EZN_EXIT_FAIL;
	err = ezn_admin_open(&a);
	if (err) {
		ezn_err("the ezncryptfs module is not loaded or unreachable: %s", strerror(-err));
		ezn_acl_list_free(&l);
		return EZN_EXIT_NOT_RUNNING;
	}
	err = ezn_admin_policy_dump(a, ezn_collect, &l);
	ezn_admin_close(a);
	cap = 128 + l.nr * EZN_RULE_TEXT_MAX;
	text = malloc(cap);
	if (err || !text) {
		ezn_err("cannot read the policy: %s", strerror(err ? -err : ENOMEM));
		free(text);
		ezn_acl_list_free(&l);
		return EZN_EXIT_FAIL;
	}
	len = snprintf(text, cap, "# ezncrypt rules (ezn acl --export), one per line\n");
	for (i = 0; i < l.nr; i++)
		len += snprintf(text + len, cap - len, "%s\n", l.rules[i].text);
	err = ezn_write_atomic(path, text, len, 0644);
	free(text);
	ezn_acl_list_free(&l);
	if (err) {
		ezn_err("cannot write '%s': %s", path, strerror(-err));
		return EZN_EXIT_FAIL;
	}
	printf("%zu rule(s) written to %s\n", i, path);
	return EZN_EXIT_OK;
}

enum ezn_acl_action { EZN_ACL_NONE, EZN_ACL_ADD, EZN_ACL_DEL, EZN_ACL_LIST, EZN_ACL_UPDATE,
		      EZN_ACL_IMPORT, EZN_ACL_EXPORT, EZN_ACL_MODE };

static int ezn_acl_change(enum ezn_acl_action act, const char *arg, const char *passfile)
{
	char why[PATH_MAX + 256];
	struct ezn_admin_rule ar, now;
	struct ezn_acl_list l = { 0 }, nl = { 0 };
	struct ezn_session s;
	enum ezn_mode mode;
	size_t i;
	int err, ret, idx;

	/* everything that can be checked without the passphrase is checked first */
	if (act == EZN_ACL_ADD && ezn_rule_prepare(arg, true, false, &ar, true))
		return EZN_EXIT_USAGE;
	if (act == EZN_ACL_MODE && ezn_admin_mode_parse(arg, &mode)) {
		ezn_err("--mode: '%s' is not enforcing, permissive or admin", arg);
		return EZN_EXIT_USAGE;
	}
	if (ezn_acl_list_init(&l) || ezn_acl_list_init(&nl)) {
		ezn_err("out of memory");
		ret = EZN_EXIT_FAIL;
		goto free_lists;
	}
	if (act == EZN_ACL_IMPORT) {
		char *data, *line, *save;
		size_t len;

		err = ezn_read_file(arg, &data, &len, 16 << 20);
		if (err) {
			ezn_err("cannot read '%s': %s", arg, strerror(-err));
			ret = EZN_EXIT_FAIL;
			goto free_lists;
		}
		i = 0;
		for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			struct ezn_parse_error perr;
			struct ezn_rule r;

			i++;
			if (ezn_rule_parse(line, strlen(line), &r, &perr) == EZN_PARSE_BLANK)
				continue;
			if (nl.nr == EZN_POLICY_MAX_RULES ||
			    ezn_rule_prepare(line, true, true, &nl.rules[nl.nr], true)) {
				ezn_err("%s line %zu: rule not imported (see above)", arg, i);
				free(data);
				ret = EZN_EXIT_FAIL;
				goto free_lists;
			}
			if (ezn_acl_find(&nl, nl.rules[nl.nr].text) < 0)
				nl.nr++;
		}
		free(data);
	}
	ret = ezn_session_open(&s, passfile);
	if (ret)
		goto free_lists;
	ret = EZN_EXIT_FAIL;
	ezn_log_open("ezn-acl");
	err = ezn_acl_load(s.ks->admin, &l, why, sizeof(why));
	if (err < 0) {
		ezn_err("%s", why);
		ezn_err("refusing to change a list that may have been tampered with; restore it or remove it and re-import");
		goto close_session;
	}
	switch (act) {
	case EZN_ACL_ADD:
		if (ezn_acl_find(&l, ar.text) >= 0) {
			ezn_err("the rule is already in the list: %s", ar.text);
			goto close_session;
		}
		err = ezn_admin_policy_add(s.adm, s.ks->admin, &ar);
		if (err && err != -EEXIST) {
			ezn_admin_report(s.adm, "the kernel refused the rule", err);
			goto close_session;
		}
		ar.index = l.nr;
		l.rules[l.nr++] = ar;
		printf("added: %s\n", ar.text);
		ezn_log("rule added: %s", ar.text);
		break;
	case EZN_ACL_DEL: {
		char *end;
		unsigned long n = strtoul(arg, &end, 10);

		if (*arg && !*end) {
			if (n < 1 || n > l.nr) {
				ezn_err("no rule number %s (there are %zu)", arg, l.nr);
				goto close_session;
			}
			idx = n - 1;
		} else {
			if (ezn_rule_prepare(arg, false, true, &ar, false))
				goto close_session;
			idx = ezn_acl_find(&l, ar.text);
			if (idx < 0 && !ezn_rule_prepare(arg, true, true, &ar, false))
				idx = ezn_acl_find(&l, ar.text);
			if (idx < 0) {
				ezn_err("no such rule in the list: %s", arg);
				goto close_session;
			}
		}
		err = ezn_admin_policy_delete(s.adm, s.ks->admin, l.rules[idx].text, 0);
		if (err && err != -ENOENT) {
			ezn_admin_report(s.adm, "the kernel refused the deletion", err);
			goto close_session;
		}
		printf("deleted: %s\n", l.rules[idx].text);
		ezn_log("rule deleted: %s", l.rules[idx].text);
		memmove(&l.rules[idx], &l.rules[idx + 1], (l.nr - idx - 1) * sizeof(l.rules[0]));
		l.nr--;
		break;
	}
	case EZN_ACL_UPDATE:
		for (i = 0; i < l.nr; i++) {
			struct ezn_parse_error perr;
			struct ezn_rule r;
			const char *what;

			ezn_rule_parse(l.rules[i].text, strlen(l.rules[i].text), &r, &perr);
			err = ezn_admin_rule_pin(&r, &now, &what);
			if (err) {
				ezn_err("rule %zu: cannot fingerprint '%s': %s (delete the rule?)",
					i + 1, what, strerror(-err));
				goto close_session;
			}
			what = ezn_admin_pin_changed(&r, &l.rules[i], &now);
			if (what) {
				printf("re-approved: %s (%s changed)\n", l.rules[i].text, what);
				ezn_log("rule re-approved: %s (%s changed)", l.rules[i].text, what);
				now.index = l.rules[i].index;
				memcpy(now.text, l.rules[i].text, sizeof(now.text));
				l.rules[i] = now;
			}
		}
		fallthrough;	/* load the whole list */
	case EZN_ACL_IMPORT:
		if (act == EZN_ACL_IMPORT) {
			memcpy(l.rules, nl.rules, nl.nr * sizeof(nl.rules[0]));
			l.nr = nl.nr;
		}
		err = ezn_admin_policy_replace(s.adm, s.ks->admin, l.rules, l.nr);
		if (err) {
			ezn_admin_report(s.adm, "the kernel refused the list", err);
			goto close_session;
		}
		printf("%zu rule(s) loaded\n", l.nr);
		ezn_log("%s: %zu rule(s) loaded", act == EZN_ACL_IMPORT ? "import" : "update",
			l.nr);
		break;
	case EZN_ACL_MODE:
		err = ezn_admin_set_mode(s.adm, s.ks->admin, mode);
		if (err) {
			ezn_admin_report(s.adm, "the kernel refused the mode", err);
			goto close_session;
		}
		l.mode = mode;
		printf("mode: %s\n", ezn_admin_mode_name(mode));
		ezn_log("mode set to %s", ezn_admin_mode_name(mode));
		break;
	default:
		break;
	}
	err = ezn_acl_save(s.ks->admin, &l, why, sizeof(why));
	if (err) {
		ezn_err("%s (the kernel has the change; it is lost at the next start)", why);
		goto close_session;
	}
	ret = EZN_EXIT_OK;
close_session:
	ezn_session_close(&s);
free_lists:
	ezn_acl_list_free(&nl);
	ezn_acl_list_free(&l);
	return ret;
}

int ezn_cmd_acl(int argc, char **argv)
{
	static const struct option longopts[] = {
		EZN_OPT_CONFIG_DIR,
		EZN_OPT_PASSFILE,
		{ "add", required_argument, NULL, 'a' },
		{ "delete", required_argument, NULL, 'd' },
		{ "list", no_argument, NULL, 'L' },
		{ "update", no_argument, NULL, 'u' },
		{ "import", required_argument, NULL, 'i' },
		{ "export", required_argument, NULL, 'e' },
		{ "mode", required_argument, NULL, 'm' },
		EZN_OPT_HELP,
		{}
	};
	struct ezn_cmdline cl = { .name = "acl", .usage = ezn_acl_usage };
	enum ezn_acl_action act = EZN_ACL_NONE, next;
	const char *arg = NULL;
	int opt;

	while ((opt = ezn_getopt(&cl, argc, argv, "a:d:Lh", longopts)) >= 0) {
		switch (opt) {
		case 'a':
			next = EZN_ACL_ADD;
			break;
		case 'd':
			next = EZN_ACL_DEL;
			break;
		case 'L':
			next = EZN_ACL_LIST;
			break;
		case 'u':
			next = EZN_ACL_UPDATE;
			break;
		case 'i':
			next = EZN_ACL_IMPORT;
			break;
		case 'e':
			next = EZN_ACL_EXPORT;
			break;
		case 'm':
			next = EZN_ACL_MODE;
			break;
		default:
			next = EZN_ACL_NONE;
			break;
		}
		if (act != EZN_ACL_NONE) {
			ezn_err("acl: one action at a time ('%s' after another action)",
				argv[optind - 1]);
			return EZN_EXIT_USAGE;
		}
		act = next;
		arg = optarg;
	}
	if (opt == EZN_OPT_EXIT)
		return cl.status;
	if (optind < argc) {
		ezn_err("acl: unexpected argument '%s' (quote the rule: -a \"ALLOW @cat * /usr/bin/x\")",
			argv[optind]);
		return EZN_EXIT_USAGE;
	}
	switch (act) {
	case EZN_ACL_NONE:
		ezn_acl_usage(stderr);
		return EZN_EXIT_USAGE;
	case EZN_ACL_LIST:
		return ezn_acl_list();
	case EZN_ACL_EXPORT:
		return ezn_acl_export(arg);
	default:
		return ezn_acl_change(act, arg, cl.passfile);
	}
}
