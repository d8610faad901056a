/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ezn: the multi-call administration tool. Each subcommand lives in its own
 * file as `int ezn_cmd_NAME(int argc, char **argv)` (argv[0] is the
 * subcommand's name) and is listed in ezn.c's table.
 */
#ifndef EZN_H
#define EZN_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#define EZN_TOOL_VERSION "0.1.0"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif

/* Exit statuses shared by all subcommands. */
enum ezn_exit {
	EZN_EXIT_OK = 0,
	EZN_EXIT_FAIL = 1,	/* the operation failed; the message says why */
	EZN_EXIT_USAGE = 2,	/* bad command line */
	EZN_EXIT_NOT_RUNNING = 3,	/* the module is not loaded / service down */
	EZN_EXIT_DENIALS = 4,	/* ezn audit --summary: there were denials */
	EZN_EXIT_AUTH = 5,	/* wrong passphrase (or salt); nothing changed */
};

void ezn_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A subcommand's command line. ezn_getopt() wraps getopt_long() and itself handles what
 * every subcommand spells the same way: --config-dir, --passfile, --help, and an unknown
 * option or a missing argument (named, usage on stderr). It returns the next option for
 * the caller, -1 after the last one, or EZN_OPT_EXIT when the caller is to return
 * cl->status.
 */
struct ezn_cmdline {
	const char *name;		/* the subcommand, for messages */
	void (*usage)(FILE *out);
	const char *passfile;		/* --passfile FILE, NULL if not given */
	int status;			/* the exit status, once EZN_OPT_EXIT was returned */
};

#define EZN_OPT_CONFIG_DIR	{ "config-dir", required_argument, NULL, 'C' }
#define EZN_OPT_PASSFILE	{ "passfile", required_argument, NULL, 'p' }
#define EZN_OPT_HELP		{ "help", no_argument, NULL, 'h' }
#define EZN_OPT_EXIT		(-2)

int ezn_getopt(struct ezn_cmdline *cl, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

int ezn_cmd_version(int argc, char **argv);
int ezn_cmd_key(int argc, char **argv);
int ezn_cmd_service(int argc, char **argv);
int ezn_cmd_encrypt(int argc, char **argv);
int ezn_cmd_decrypt(int argc, char **argv);
int ezn_cmd_acl(int argc, char **argv);
int ezn_cmd_run(int argc, char **argv);
int ezn_cmd_audit(int argc, char **argv);

/*
 * Logon keys "ezncrypt:NAME" (cmd_service.c): add (or update) one with a
 * 32-byte payload, or revoke every one we can find (returns how many).
 * During a key rotation the keys are "ezncrypt:CAT" EZN_ROTATE_NEW / _OLD.
 */
#define EZN_ROTATE_NEW	"#new"
#define EZN_ROTATE_OLD	"#old"
int ezn_add_logon(const char *name, const unsigned char *key);
int ezn_revoke_logon(const char *name);

/*
 * ezn key rotate (key_rotate.c) of the categories args ("@CATEGORY", checked)
 * with the keystore ks opened with c under keystore.lock. 0 or -errno.
 */
struct ezn_keystore;
struct ezn_creds;
int ezn_key_rotate(struct ezn_keystore *ks, const struct ezn_creds *c, int nargs, char **args);

#endif /* EZN_H */
