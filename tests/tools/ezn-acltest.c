// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-acltest: a test-only driver of the access-control netlink interface
 * (userspace/admin.h), for the VM cases tests/vm/cases/4*-acl-*.sh. It reads
 * the 32-byte admin key from a file (-k FILE) instead of deriving it from a
 * passphrase, and can also send what a legitimate tool never would:
 * unauthenticated, forged, replayed and cross-socket requests, and random
 * malformed messages.
 *
 * Every command prints "OK ..." and exits 0, or prints "ERR <ERRNO NAME>
 * <kernel message>" and exits 1.
 *
 * With EZN_FAIL_NTH=N in the environment, the command runs with N written to
 * /proc/thread-self/fail-nth once the netlink socket is open, and "FAULT
 * injected" or "FAULT none" is printed on stderr before the result
 * (tests/vm/cases/90-fault-inject.sh sweeps N).
 *
 *   bind [-o OLDKEYFILE]		bind the key (loaded as logon ezncrypt:admin)
 *   add RULE [HEXFP [CHILDHEXFP]]	fingerprints taken from the rule's files, or
 *					the given ones (exe, first --children entry)
 *   replace FILE			a policy file (# comments, blank lines)
 *   delete RULE | delete-index N
 *   mode enforcing|permissive|admin
 *   grant PID TIMEOUT [CATEGORY]	prints OK <id>
 *   revoke ID
 *   run TIMEOUT CATEGORY|- -- CMD ARGS	grant for this process, run CMD, exit with its status
 *   dump | status
 *   audit COUNT TIMEOUT_MS		print up to COUNT events
 *   unauth | forge | replay | cross | stale | notlast	abuse: a SET_MODE enforcing request
 *   fuzz COUNT SEED			random malformed messages; all must be refused
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <sodium.h>

#include "admin.h"
#include "ezn_rule.h"

static uint8_t key[EZN_ADMIN_KEY_SIZE];
static struct ezn_admin *adm;
static int fail_nth_fd = -1;

static void fail_nth_arm(void)
{
	const char *n = getenv("EZN_FAIL_NTH");

	if (!n)
		return;
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fail_nth_fd < 0 || write(fail_nth_fd, n, strlen(n)) != (ssize_t)strlen(n)) {
		perror("ezn-acltest: /proc/thread-self/fail-nth");
		exit(2);
	}
}

static void fail_nth_report(void)
{
	char buf[16] = "";

	if (fail_nth_fd < 0)
		return;
	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) < 0 ||
	    pwrite(fail_nth_fd, "0", 1, 0) != 1) {
		perror("ezn-acltest: /proc/thread-self/fail-nth");
		exit(2);
	}
	fprintf(stderr, "FAULT %s\n", atoi(buf) ? "none" : "injected");
	close(fail_nth_fd);
	fail_nth_fd = -1;
}

static void print_usage(void)
{
	fputs("usage: ezn-acltest [-k KEYFILE] CMD ARGS... (see the source)\n", stderr);
	exit(2);
}

static int report(int err)
{
	const char *msg;

	fail_nth_report();
	msg = adm ? ezn_admin_errmsg(adm) : "";
	if (!err) {
		printf("OK\n");
		return 0;
	}
	printf("ERR %s %s\n", strerrorname_np(-err) ? strerrorname_np(-err) : "?", msg);
	return 1;
}

static void read_key(const char *path, uint8_t out[EZN_ADMIN_KEY_SIZE])
{
	FILE *f = fopen(path, "rb");

	if (!f || fread(out, 1, EZN_ADMIN_KEY_SIZE, f) != EZN_ADMIN_KEY_SIZE) {
		fprintf(stderr, "cannot read a 32-byte key from %s\n", path);
		exit(2);
	}
	fclose(f);
}

static int hex2bin(const char *hex, uint8_t *out, size_t n)
{
	size_t bin_len;

	return sodium_hex2bin(out, n, hex, strlen(hex), NULL, &bin_len, NULL) || bin_len != n;
}

/*
 * Canonical text of a rule line and, with pin, its fingerprints; hexfp and
 * child_hexfp (may be NULL) replace the executable's and the first
 * --children entry's.
 */
static int rule_prepare(const char *line, struct ezn_admin_rule *r, bool pin, const char *hexfp,
			const char *child_hexfp)
{
	struct ezn_parse_error perr;
	struct ezn_rule *rule = calloc(1, sizeof(*rule));
	int err;

	if (!rule)
		return -ENOMEM;
	err = ezn_rule_parse(line, strlen(line), rule, &perr);
	if (err) {
		fprintf(stderr, "bad rule '%s': %s\n", line, err < 0 ? perr.msg : "blank");
		free(rule);
		return -EINVAL;
	}
	ezn_rule_print(rule, r->text, sizeof(r->text));
	err = pin ? ezn_admin_rule_pin(rule, r, NULL) : 0;
	if (!err && hexfp)
		err = hex2bin(hexfp, r->fp, sizeof(r->fp)) ? -EINVAL : 0;
	if (!err && child_hexfp)
		err = hex2bin(child_hexfp, r->child_fp[0], sizeof(r->child_fp[0])) ? -EINVAL : 0;
	free(rule);
	return err;
}

static int cmd_replace(const char *path)
{
	struct ezn_admin_rule *rules = NULL;
	char *line = NULL;
	size_t cap = 0, n = 0;
	FILE *f = fopen(path, "r");
	ssize_t len;
	int err = 0;

	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) >= 0) {
		struct ezn_rule tmp;
		struct ezn_parse_error perr;

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (ezn_rule_parse(line, len, &tmp, &perr) == EZN_PARSE_BLANK)
			continue;
		rules = realloc(rules, (n + 1) * sizeof(*rules));
		if (!rules) {
			err = -ENOMEM;
			break;
		}
		err = rule_prepare(line, &rules[n++], true, NULL, NULL);
		if (err)
			break;
	}
	fclose(f);
	free(line);
	if (!err)
		err = ezn_admin_policy_replace(adm, key, rules, n);
	free(rules);
	return err;
}

static int print_rule(const struct ezn_admin_rule *r, void *arg)
{
	char hex[EZN_PINS_HEX_MAX];

	ezn_admin_pins_hex(r, hex);
	printf("%u %s %s\n", r->index, hex, r->text);
	return 0;
}

static int print_event(const struct ezn_audit_event *ev, void *arg)
{
	int *left = arg;

	printf("EVENT type=%s op=%s category=%s exec=%s script=%s comm=%s path=%s ", ev->type,
	       ev->op, ev->category, ev->exec, ev->script, ev->comm, ev->path);
	printf("pid=%u uid=%u allowed=%u lost=%u time=%llu\n", ev->pid, ev->uid, ev->allowed,
	       ev->lost, (unsigned long long)ev->time_ns);
	fflush(stdout);
	return --*left <= 0;
}

static struct nl_msg *mode_msg(struct ezn_admin *a)
{
	struct nl_msg *msg = ezn_admin_msg(a, EZN_CMD_SET_MODE, 0);

	if (!msg || nla_put_u32(msg, EZN_A_MODE, EZN_MODE_ENFORCING) < 0) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return msg;
}

/* The abuse cases: each must be refused by the kernel. */
static int cmd_abuse(const char *how)
{
	struct nl_msg *msg = mode_msg(adm);
	struct ezn_admin *other;
	uint8_t bad[EZN_ADMIN_KEY_SIZE];
	int err;

	if (!strcmp(how, "unauth")) {
		err = ezn_admin_transact(adm, msg, NULL, NULL);
	} else if (!strcmp(how, "forge")) {
		randombytes_buf(bad, sizeof(bad));
		err = ezn_admin_sign(adm, msg, bad) ?: ezn_admin_transact(adm, msg, NULL, NULL);
	} else if (!strcmp(how, "replay")) {
		/* The first send is genuine and must pass; the copy must not. */
		err = ezn_admin_sign(adm, msg, key) ?: ezn_admin_transact(adm, msg, NULL, NULL);
		if (err) {
			printf("genuine request failed: ");
			report(err);
			exit(3);
		}
		err = ezn_admin_transact(adm, msg, NULL, NULL);
	} else if (!strcmp(how, "cross")) {
		/* Signed against this socket's challenge, sent on another socket. */
		err = ezn_admin_open(&other);
		if (err)
			return err;
		err = ezn_admin_sign(adm, msg, key) ?: ezn_admin_transact(other, msg, NULL, NULL);
		ezn_admin_close(other);
	} else if (!strcmp(how, "stale")) {
		/* Signed against a challenge that expired before the request went out. */
		err = ezn_admin_sign(adm, msg, key);
		if (!err) {
			sleep(EZN_CHALLENGE_TIMEOUT_S + 2);
			err = ezn_admin_transact(adm, msg, NULL, NULL);
		}
	} else if (!strcmp(how, "notlast")) {
		err = ezn_admin_sign(adm, msg, key);
		if (!err && nla_put_u32(msg, EZN_A_MODE, EZN_MODE_PERMISSIVE) < 0)
			err = -EMSGSIZE;
		if (!err)
			err = ezn_admin_transact(adm, msg, NULL, NULL);
	} else {
		print_usage();
	}
	nlmsg_free(msg);
	return err;
}

/* Random malformed requests; any success is a failure of the test. */
static int cmd_fuzz(unsigned long count, unsigned int seed)
{
	static unsigned char buf[8192];
	unsigned long i, accepted = 0;
	int family = ezn_admin_family(adm);

	srandom(seed);
	for (i = 0; i < count; i++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		struct genlmsghdr *gh = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
		size_t len = NLMSG_HDRLEN + GENL_HDRLEN;
		int nattrs = random() % 6, j, err;
		uint8_t cmd = random() % 14;

		memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
		nlh->nlmsg_type = family;
		nlh->nlmsg_flags = (random() % 4 == 0) ? NLM_F_DUMP : 0;
		gh->cmd = cmd;
		gh->version = random() % 3;
		gh->reserved = random() % 8 == 0;
		/* Occasionally a live challenge, to reach the MAC check. */
		if (random() % 4 == 0) {
			uint8_t chal[EZN_CHALLENGE_SIZE];

			ezn_admin_challenge(adm, chal);
		}
		for (j = 0; j < nattrs; j++) {
			struct nlattr *nla = (struct nlattr *)(buf + len);
			size_t plen = random() % 5 == 0 ? random() % 4200 : random() % 40;
			size_t k;

			if (len + NLA_HDRLEN + plen + 4 > sizeof(buf))
				break;
			nla->nla_type = random() % (EZN_A_MAX + 4);
			if (random() % 3 == 0)
				nla->nla_type |= NLA_F_NESTED;
			nla->nla_len = NLA_HDRLEN + plen;
			if (random() % 10 == 0)
				nla->nla_len = random() % 0xffff;	/* a lie */
			for (k = 0; k < plen; k++)
				buf[len + NLA_HDRLEN + k] = random();
			/* Sometimes a nested attribute that looks plausible. */
			if (plen >= 8 && random() % 3 == 0) {
				struct nlattr *in = (struct nlattr *)(buf + len + NLA_HDRLEN);

				in->nla_len = NLA_HDRLEN + random() % (plen - 2);
				in->nla_type = random() % (EZN_A_MAX + 2);
			}
			len += NLA_ALIGN(NLA_HDRLEN + plen);
		}
		if (random() % 8 == 0 && len > NLMSG_HDRLEN + 1)
			len -= random() % 4 + 1;	/* a truncated message */
		nlh->nlmsg_len = len;
		err = ezn_admin_send_raw(adm, buf, len);
		/* Read-only commands may legitimately succeed. */
		if (!err && cmd != EZN_CMD_GET_STATUS && cmd != EZN_CMD_GET_CHALLENGE &&
		    cmd != EZN_CMD_POLICY_GET) {
			accepted++;
			fprintf(stderr, "fuzz %lu: cmd %u accepted\n", i, cmd);
		}
	}
	printf("fuzz: %lu messages, %lu mutating ones accepted\n", count, accepted);
	return accepted ? -EPROTO : 0;
}

static int cmd_run(int argc, char **argv)
{
	uint32_t id;
	int status, err;
	pid_t child;

	if (argc < 4 || strcmp(argv[2], "--"))
		print_usage();
	err = ezn_admin_grant_add(adm, key, getpid(), strcmp(argv[1], "-") ? argv[1] : NULL,
				  strtoul(argv[0], NULL, 10), &id);
	if (err)
		return report(err);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	const char *keyfile = NULL, *cmd;
	struct ezn_admin_status st;
	struct ezn_admin_rule r;
	unsigned int i;
	int opt, err;

	while ((opt = getopt(argc, argv, "+k:")) != -1) {
		if (opt == 'k')
			keyfile = optarg;
		else
			print_usage();
	}
	if (optind >= argc)
		print_usage();
	cmd = argv[optind];
	argc -= optind + 1;
	argv += optind + 1;
	if (keyfile)
		read_key(keyfile, key);
	if (!strcmp(cmd, "audit")) {
		int left;

		if (argc != 2)
			print_usage();
		left = atoi(argv[0]);
		err = ezn_admin_audit_open(&adm);
		if (err)
			return report(err);
		printf("LISTENING\n");
		fflush(stdout);
		err = ezn_admin_audit_recv(adm, atoi(argv[1]), print_event, &left);
		return err < 0 ? report(err) : 0;
	}
	err = ezn_admin_open(&adm);
	if (err)
		return report(err);
	fail_nth_arm();

	if (!strcmp(cmd, "bind")) {
		uint8_t old[EZN_ADMIN_KEY_SIZE];

		if (argc == 2 && !strcmp(argv[0], "-o")) {
			read_key(argv[1], old);
			return report(ezn_admin_bind_key(adm, key, old));
		}
		return report(ezn_admin_bind_key(adm, key, NULL));
	} else if (!strcmp(cmd, "add") && argc >= 1 && argc <= 3) {
		err = rule_prepare(argv[0], &r, true, argc >= 2 ? argv[1] : NULL,
				   argc == 3 ? argv[2] : NULL);
		return report(err ?: ezn_admin_policy_add(adm, key, &r));
	} else if (!strcmp(cmd, "replace") && argc == 1) {
		return report(cmd_replace(argv[0]));
	} else if (!strcmp(cmd, "delete") && argc == 1) {
		err = rule_prepare(argv[0], &r, false, NULL, NULL);
		return report(err ?: ezn_admin_policy_delete(adm, key, r.text, 0));
	} else if (!strcmp(cmd, "delete-index") && argc == 1) {
		return report(ezn_admin_policy_delete(adm, key, NULL, strtoul(argv[0], NULL, 10)));
	} else if (!strcmp(cmd, "mode") && argc == 1) {
		enum ezn_mode mode;

		if (ezn_admin_mode_parse(argv[0], &mode))
			print_usage();
		return report(ezn_admin_set_mode(adm, key, mode));
	} else if (!strcmp(cmd, "grant") && (argc == 2 || argc == 3)) {
		uint32_t id;

		err = ezn_admin_grant_add(adm, key, atoi(argv[0]), argc == 3 ? argv[2] : NULL,
					  strtoul(argv[1], NULL, 10), &id);
		if (!err)
			printf("OK %u\n", id);
		return err ? report(err) : 0;
	} else if (!strcmp(cmd, "revoke") && argc == 1) {
		return report(ezn_admin_grant_revoke(adm, key, strtoul(argv[0], NULL, 10)));
	} else if (!strcmp(cmd, "run")) {
		return cmd_run(argc, argv);
	} else if (!strcmp(cmd, "dump") && argc == 0) {
		return report(ezn_admin_policy_dump(adm, print_rule, NULL));
	} else if (!strcmp(cmd, "status") && argc == 0) {
		err = ezn_admin_status(adm, &st);
		if (err)
			return report(err);
		printf("version=%s mode=%s rules=%u gen=%llu bound=%d grants=%u mounts=%u\n",
		       st.version, ezn_admin_mode_name(st.mode), st.nr_rules,
		       (unsigned long long)st.policy_gen, st.admin_bound, st.nr_grants, st.mounts);
		for (i = 0; i < st.nr_cats; i++)
			printf("category=%s allowed=%llu denied=%llu\n", st.cats[i].name,
			       (unsigned long long)st.cats[i].allowed,
			       (unsigned long long)st.cats[i].denied);
		return 0;
	} else if (argc == 0 && (!strcmp(cmd, "unauth") || !strcmp(cmd, "forge") ||
				 !strcmp(cmd, "replay") || !strcmp(cmd, "cross") ||
				 !strcmp(cmd, "stale") ||
				 !strcmp(cmd, "notlast"))) {
		return report(cmd_abuse(cmd));
	} else if (!strcmp(cmd, "fuzz") && argc == 2) {
		return report(cmd_fuzz(strtoul(argv[0], NULL, 10), strtoul(argv[1], NULL, 10)));
	}
	print_usage();
	return 2;
}
