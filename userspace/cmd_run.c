// SPDX-License-Identifier: GPL-2.0
/*
 * ezn run: one command with access to the encrypted data.
 *
 *   ezn run [--passfile FILE] [--category @CAT] [--timeout S] "COMMAND LINE"
 *   ezn run [...] -- PROGRAM ARGS...
 *
 * Asks for the passphrase, forks the command (held before exec), asks the
 * kernel for a grant covering the command's process tree (one category or
 * all), lets it run, and returns its exit status (128 + N when killed by
 * signal N). The grant ends when the command exits. The keys are wiped
 * before the command starts. "COMMAND LINE" is run by /bin/sh -c.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ezn.h"
#include "config.h"
#include "log.h"
#include "session.h"

static void ezn_run_usage(FILE *out)
{
	fprintf(out,
		"usage: ezn run [--passfile FILE] [--category @CAT] [--timeout S] \"COMMAND LINE\"\n"
		"       ezn run [--passfile FILE] [--category @CAT] [--timeout S] -- PROGRAM ARGS...\n");
}

int ezn_cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		EZN_OPT_CONFIG_DIR,
		EZN_OPT_PASSFILE,
		{ "category", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		EZN_OPT_HELP,
		{}
	};
	struct ezn_cmdline cl = { .name = "run", .usage = ezn_run_usage };
	char cat[EZN_CATEGORY_MAX + 1], **cmd, go = 'g', *end;
	const char *passfile = NULL, *category = NULL;
	unsigned long timeout = EZN_GRANT_TIMEOUT_MAX;
	const char *shell[4] = { "/bin/sh", "-c" };
	struct ezn_session s;
	int opt, ret, status, pipefd[2];
	uint32_t grant;
	bool dashdash;
	pid_t pid;

	/* stop at the first non-option: the command's own options are its own */
	while ((opt = ezn_getopt(&cl, argc, argv, "+h", longopts)) >= 0) {
		switch (opt) {
		case 'c':
			if (ezn_parse_category_arg(optarg, cat))
				return EZN_EXIT_USAGE;
			category = cat;
			break;
		case 't':
			errno = 0;
			timeout = strtoul(optarg, &end, 10);
			if (errno || *end || timeout < 1 || timeout > EZN_GRANT_TIMEOUT_MAX) {
				ezn_err("--timeout: '%s' is not 1..%d seconds", optarg,
					EZN_GRANT_TIMEOUT_MAX);
				return EZN_EXIT_USAGE;
			}
			break;
		}
	}
	if (opt == EZN_OPT_EXIT)
		return cl.status;
	passfile = cl.passfile;
	dashdash = optind > 1 && !strcmp(argv[optind - 1], "--");
	if (optind >= argc) {
		ezn_err("run: no command given");
		ezn_run_usage(stderr);
		return EZN_EXIT_USAGE;
	}
	if (dashdash) {
		cmd = argv + optind;
	} else {
		if (argc - optind != 1) {
			ezn_err("run: give the command line as one argument, or use -- PROGRAM ARGS... (got '%s' and more)",
				argv[optind]);
			return EZN_EXIT_USAGE;
		}
		shell[2] = argv[optind];
		cmd = (char **)shell;
	}
	ret = ezn_session_open(&s, passfile);
	if (ret)
		return ret;
	ezn_log_open("ezn-run");
	if (pipe2(pipefd, O_CLOEXEC)) {
		ezn_err("pipe: %s", strerror(errno));
		ezn_session_close(&s);
		return EZN_EXIT_FAIL;
	}
	pid = fork();
	if (pid < 0) {
		ezn_err("fork: %s", strerror(errno));
		ezn_session_close(&s);
		return EZN_EXIT_FAIL;
	}
	if (pid == 0) {
		char c = 0;

		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1 || c != 'g')
			_exit(126);
		execvp(cmd[0], cmd);
		fprintf(stderr, "ezn-run: cannot run '%s': %s\n", cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(pipefd[0]);
	ret = ezn_session_grant(&s, pid, category, timeout, &grant);
	if (!ret)
		ezn_log("grant %u for pid %d (%s): %s", grant, (int)pid,
			category ? category : "all categories", dashdash ? cmd[0] : shell[2]);
	ezn_session_close(&s);	/* wipes the keys before the command runs */
	if (ret) {
		close(pipefd[1]);
		waitpid(pid, &status, 0);
		return EZN_EXIT_FAIL;
	}
	if (write(pipefd[1], &go, 1) != 1)
		ezn_err("cannot start the command: %s", strerror(errno));
	close(pipefd[1]);
	signal(SIGINT, SIG_IGN);	/* the command gets ^C; we wait for it */
	signal(SIGQUIT, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ezn_err("waitpid: %s", strerror(errno));
			return EZN_EXIT_FAIL;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
