// SPDX-License-Identifier: GPL-2.0
/*
 * ezn multi-call entry: `ezn SUBCOMMAND ARGS...`, or a link named
 * `ezn-SUBCOMMAND` (argv[0] dispatch).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libgen.h>

#include "ezn.h"
#include "config.h"

struct ezn_subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct ezn_subcommand ezn_subcommands[] = {
	{ "version", ezn_cmd_version, "print the tool's and the loaded module's versions" },
	{ "key", ezn_cmd_key, "the keystore: init, add, list, change-passphrase, export, import" },
	{ "service", ezn_cmd_service, "start, stop, restart or show the status of ezncrypt" },
	{ "encrypt", ezn_cmd_encrypt, "move a directory into a category (@CATEGORY DIR)" },
	{ "decrypt", ezn_cmd_decrypt, "move an encrypted directory back to cleartext" },
	{ "acl", ezn_cmd_acl, "the access list: -a, -d, -L, --update, --import, --export, --mode" },
	{ "run", ezn_cmd_run, "run one command with access to the encrypted data" },
	{ "audit", ezn_cmd_audit, "record the kernel's denials; --summary reports them" },
};

static const char *ezn_prog = "ezn";

void ezn_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ezn_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ezn_getopt(struct ezn_cmdline *cl, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	int opt;

	opterr = 0;
	for (;;) {
		opt = getopt_long(argc, argv, shortopts, longopts, NULL);
		switch (opt) {
		case 'C':
			ezn_set_config_dir(optarg);
			continue;
		case 'p':
			cl->passfile = optarg;
			continue;
		case 'h':
			cl->usage(stdout);
			cl->status = EZN_EXIT_OK;
			return EZN_OPT_EXIT;
		case '?':
		case ':':
			ezn_err("%s: unknown option or missing argument: '%s'", cl->name,
				argv[optind - 1]);
			cl->usage(stderr);
			cl->status = EZN_EXIT_USAGE;
			return EZN_OPT_EXIT;
		default:
			return opt;
		}
	}
}

static void ezn_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: ezn SUBCOMMAND [ARGS...]  (or ezn-SUBCOMMAND ARGS...)\n\n");
	for (i = 0; i < ARRAY_SIZE(ezn_subcommands); i++)
		fprintf(out, "  %-10s %s\n", ezn_subcommands[i].name, ezn_subcommands[i].summary);
}

static const struct ezn_subcommand *ezn_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ezn_subcommands); i++)
		if (!strcmp(ezn_subcommands[i].name, name))
			return &ezn_subcommands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct ezn_subcommand *sub;
	char *base = basename(argv[0]);

	if (!strncmp(base, "ezn-", 4)) {
		ezn_prog = base;
		sub = ezn_find(base + 4);
		if (!sub) {
			ezn_err("unknown command name '%s'", base);
			return EZN_EXIT_USAGE;
		}
		return sub->run(argc, argv);
	}
	if (argc < 2) {
		ezn_usage(stderr);
		return EZN_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		ezn_usage(stdout);
		return EZN_EXIT_OK;
	}
	sub = ezn_find(argv[1]);
	if (!sub) {
		ezn_err("unknown subcommand '%s' (see 'ezn --help')", argv[1]);
		return EZN_EXIT_USAGE;
	}
	return sub->run(argc - 1, argv + 1);
}
