// SPDX-License-Identifier: GPL-2.0
/*
 * ezn audit: the kernel's denial events, recorded and summarised.
 *
 *   ezn audit --daemon		subscribe to the module's audit group, detach,
 *				append each event as a JSON line to
 *				LOGDIR/audit.log (pid in STATE/ezn-audit.pid)
 *   ezn audit [--follow]	the same in the foreground
 *   ezn audit --summary [--since T] [--log FILE]
 *				denials grouped by category, executable and
 *				path with counts and first/last times; exits
 *				EZN_EXIT_DENIALS (4) when there were any, so
 *				cron or a monitoring check can act on it.
 *				T: seconds since the epoch, "Nh", "Nm", "Nd"
 *				ago, or YYYY-MM-DD[THH:MM:SS] (local time).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "ezn.h"
#include "admin.h"
#include "config.h"
#include "log.h"

static _Atomic int ezn_audit_stop;

static void ezn_audit_on_signal(int sig)
{
	ezn_audit_stop = 1;
}

static void ezn_audit_usage(FILE *out)
{
	fprintf(out,
		"usage: ezn audit [--daemon | --follow] [--log FILE]\n"
		"       ezn audit --summary [--since T] [--log FILE]\n"
		"T: epoch seconds, Nm/Nh/Nd ago, or YYYY-MM-DD[THH:MM:SS]\n");
}

static void ezn_audit_log_path(char *buf, size_t size, const char *opt)
{
	if (opt)
		snprintf(buf, size, "%s", opt);
	else
		snprintf(buf, size, "%s/audit.log", ezn_log_dir());
}

static void ezn_iso_time(uint64_t ns, char *buf, size_t size)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf + strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm),
		 size - strlen(buf), ".%06lluZ",
		 (unsigned long long)(ns % 1000000000ULL / 1000));
}

struct ezn_audit_sink {
	FILE *out;
	bool echo;
};

static int ezn_audit_record(const struct ezn_audit_event *ev, void *arg)
{
	struct ezn_audit_sink *s = arg;
	struct json_object *o = json_object_new_object();
	char when[64] = "";

	ezn_iso_time(ev->time_ns, when, sizeof(when));
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "time_ns", json_object_new_int64((int64_t)ev->time_ns));
	json_object_object_add(o, "verdict", json_object_new_string(ev->allowed ?
				"allowed" : "denied"));
	json_object_object_add(o, "type", json_object_new_string(ev->type));
	json_object_object_add(o, "category", json_object_new_string(ev->category));
	json_object_object_add(o, "op", json_object_new_string(ev->op));
	json_object_object_add(o, "exec", json_object_new_string(ev->exec));
	if (ev->script[0])
		json_object_object_add(o, "script", json_object_new_string(ev->script));
	json_object_object_add(o, "comm", json_object_new_string(ev->comm));
	json_object_object_add(o, "path", json_object_new_string(ev->path));
	json_object_object_add(o, "pid", json_object_new_int(ev->pid));
	json_object_object_add(o, "uid", json_object_new_int(ev->uid));
	if (ev->lost)
		json_object_object_add(o, "lost_before", json_object_new_int(ev->lost));
	fprintf(s->out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(s->out);
	if (s->echo)
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return 0;
}

static int ezn_audit_run(const char *logopt, bool daemonize)
{
	struct ezn_audit_sink sink = { .echo = !daemonize };
	char path[PATH_MAX], pidfile[PATH_MAX];
	struct ezn_admin *a;
	struct sigaction sa;
	int err, fd;

	ezn_audit_log_path(path, sizeof(path), logopt);
	err = ezn_mkdir_p(ezn_log_dir(), 0700);
	if (err) {
		ezn_err("cannot create '%s': %s", ezn_log_dir(), strerror(-err));
		return EZN_EXIT_FAIL;
	}
	err = ezn_admin_audit_open(&a);
	if (err == -ENOENT) {
		ezn_err("the ezncryptfs module is not loaded");
		return EZN_EXIT_NOT_RUNNING;
	} else if (err) {
		ezn_err("cannot subscribe to the audit events: %s", strerror(-err));
		return EZN_EXIT_FAIL;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	sink.out = fd < 0 ? NULL : fdopen(fd, "a");
	if (!sink.out) {
		ezn_err("cannot open '%s': %s", path, strerror(errno));
		ezn_admin_close(a);
		return EZN_EXIT_FAIL;
	}
	ezn_log_open("ezn-audit");
	if (daemonize) {
		if (daemon(0, 0)) {
			ezn_err("cannot detach: %s", strerror(errno));
			goto close_all;
		}
		snprintf(pidfile, sizeof(pidfile), "%s/ezn-audit.pid", ezn_state_dir());
		if (!ezn_mkdir_p(ezn_state_dir(), 0700)) {
			char pid[32];
			int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());

			ezn_write_atomic(pidfile, pid, n, 0644);
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ezn_audit_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ezn_log("recording audit events into %s", path);
	while (!ezn_audit_stop) {
		err = ezn_admin_audit_recv(a, 500, ezn_audit_record, &sink);
		if (err < 0 && err != -EINTR && err != -EAGAIN && err != -ENOBUFS) {
			ezn_log("audit stream ended: %s", strerror(-err));
			break;
		}
		if (err == -ENOBUFS)
			ezn_log("audit events lost: the socket buffer overflowed");
	}
	ezn_log("audit daemon exiting");
	if (daemonize)
		unlink(pidfile);
close_all:
	fclose(sink.out);
	ezn_admin_close(a);
	return EZN_EXIT_OK;
}

/* ---- summary ---- */

struct ezn_group {
	char *category, *exec, *path;
	unsigned long count;
	uint64_t first, last;
};

static int ezn_parse_since(const char *s, uint64_t *ns)
{
	struct tm tm;
	char *end;
	long long v;
	time_t t;

	v = strtoll(s, &end, 10);
	if (end != s && v >= 0 && (*end == 'm' || *end == 'h' || *end == 'd') && !end[1]) {
		long long mul = *end == 'm' ? 60 : *end == 'h' ? 3600 : 86400;

		*ns = (uint64_t)(time(NULL) - v * mul) * 1000000000ULL;
		return 0;
	}
	if (end != s && !*end && v >= 0) {
		*ns = (uint64_t)v * 1000000000ULL;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (!end || *end)
		return -EINVAL;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ns = (uint64_t)t * 1000000000ULL;
	return 0;
}

static const char *ezn_jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static int ezn_group_cmp(const void *a, const void *b)
{
	const struct ezn_group *x = a, *y = b;
	int c = strcmp(x->category, y->category);

	if (!c)
		c = strcmp(x->exec, y->exec);
	if (!c)
		c = strcmp(x->path, y->path);
	return c;
}

static int ezn_audit_summary(const char *logopt, const char *since)
{
	struct ezn_group *g = NULL, *cur;
	size_t ng = 0, cap = 0, i, bad = 0, lineno = 0;
	char path[PATH_MAX], first[64], last[64];
	unsigned long total = 0;
	uint64_t from = 0, t;
	char *line = NULL;
	size_t lcap = 0;
	FILE *fp;

	if (since && ezn_parse_since(since, &from)) {
		ezn_err("--since: '%s' is not epoch seconds, Nm/Nh/Nd or YYYY-MM-DD[THH:MM:SS]",
			since);
		return EZN_EXIT_USAGE;
	}
	ezn_audit_log_path(path, sizeof(path), logopt);
	fp = fopen(path, "re");
	if (!fp && errno != ENOENT) {
		ezn_err("cannot read '%s': %s", path, strerror(errno));
		return EZN_EXIT_FAIL;
	}
	while (fp && getline(&line, &lcap, fp) > 0) {
		struct json_object *o, *tv;
		struct ezn_group key;

		lineno++;
		o = json_tokener_parse(line);
		if (!o || !json_object_is_type(o, json_type_object)) {
			bad++;
			json_object_put(o);
			continue;
		}
		if (strcmp(ezn_jstr(o, "verdict"), "denied") ||
		    !json_object_object_get_ex(o, "time_ns", &tv)) {
			json_object_put(o);
			continue;
		}
		t = (uint64_t)json_object_get_int64(tv);
		if (t < from) {
			json_object_put(o);
			continue;
		}
		key.category = (char *)ezn_jstr(o, "category");
		key.exec = (char *)ezn_jstr(o, "exec");
		key.path = (char *)ezn_jstr(o, "path");
		cur = NULL;
		for (i = 0; i < ng; i++)
			if (!ezn_group_cmp(&g[i], &key)) {
				cur = &g[i];
				break;
			}
		if (!cur) {
			if (ng == cap) {
				struct ezn_group *n;

				cap = cap ? 2 * cap : 64;
				n = realloc(g, cap * sizeof(*g));
				if (!n) {
					json_object_put(o);
					ezn_err("out of memory");
					break;
				}
				g = n;
			}
			cur = &g[ng++];
			cur->category = strdup(key.category);
			cur->exec = strdup(key.exec);
			cur->path = strdup(key.path);
			cur->count = 0;
			cur->first = t;
			cur->last = t;
		}
		cur->count++;
		total++;
		if (t < cur->first)
			cur->first = t;
		if (t > cur->last)
			cur->last = t;
		json_object_put(o);
	}
	free(line);
	if (fp)
		fclose(fp);
	qsort(g, ng, sizeof(*g), ezn_group_cmp);
	printf("audit log %s%s%s: %lu denial(s) in %zu group(s)\n", path, since ? " since " : "",
	       since ? since : "", total, ng);
	if (bad)
		printf("warning: %zu line(s) of the log are not JSON events (damaged?)\n", bad);
	if (ng)
		printf("%-10s %-6s %-27s %-27s %-30s %s\n", "CATEGORY", "COUNT", "FIRST", "LAST",
		       "EXECUTABLE", "PATH");
	for (i = 0; i < ng; i++) {
		ezn_iso_time(g[i].first, first, sizeof(first));
		ezn_iso_time(g[i].last, last, sizeof(last));
		printf("@%-9s %-6lu %-27s %-27s %-30s %s\n", g[i].category, g[i].count, first, last,
		       g[i].exec, g[i].path);
		free(g[i].category);
		free(g[i].exec);
		free(g[i].path);
	}
	free(g);
	return total ? EZN_EXIT_DENIALS : EZN_EXIT_OK;
}

int ezn_cmd_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		EZN_OPT_CONFIG_DIR,
		{ "daemon", no_argument, NULL, 'D' },
		{ "follow", no_argument, NULL, 'f' },
		{ "summary", no_argument, NULL, 's' },
		{ "since", required_argument, NULL, 'S' },
		{ "log", required_argument, NULL, 'l' },
		EZN_OPT_HELP,
		{}
	};
	struct ezn_cmdline cl = { .name = "audit", .usage = ezn_audit_usage };
	const char *since = NULL, *log = NULL;
	int opt, mode = 0;

	while ((opt = ezn_getopt(&cl, argc, argv, "h", longopts)) >= 0) {
		switch (opt) {
		case 'D':
		case 'f':
		case 's':
			if (mode && mode != opt) {
				ezn_err("audit: --daemon, --follow and --summary exclude each other");
				return EZN_EXIT_USAGE;
			}
			mode = opt;
			break;
		case 'S':
			since = optarg;
			break;
		case 'l':
			log = optarg;
			break;
		}
	}
	if (opt == EZN_OPT_EXIT)
		return cl.status;
	if (optind < argc) {
		ezn_err("audit: unexpected argument '%s'", argv[optind]);
		return EZN_EXIT_USAGE;
	}
	if (since && mode != 's') {
		ezn_err("audit: --since goes with --summary");
		return EZN_EXIT_USAGE;
	}
	if (mode == 's')
		return ezn_audit_summary(log, since);
	return ezn_audit_run(log, mode == 'D');
}
