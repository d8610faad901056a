// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the rule language. One line per test:
 * "PASS policy:NAME" or "FAIL policy:NAME (reason)"; exit status 1 on any
 * failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ezn_rule.h"

#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int failures, cur_failed;
static char why[2 * EZN_RULE_TEXT_MAX + 256];

/* Records the first failed expectation of the running test; returns cond. */
static int __printf(2, 3) expect(int cond, const char *fmt, ...)
{
	va_list ap;

	if (!cond && !cur_failed) {
		cur_failed = 1;
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	return cond;
}

static void run(const char *name, int (*test)(void))
{
	cur_failed = 0;
	test();
	if (cur_failed)
		printf("FAIL policy:%s (%s)\n", name, why);
	else
		printf("PASS policy:%s\n", name);
	failures += cur_failed;
}

static struct ezn_rule r, r2;
static struct ezn_parse_error err;

static int parse(const char *line)
{
	return ezn_rule_parse(line, strlen(line), &r, &err);
}

/* ---- grammar ---- */

static int t_seed_rules(void)
{
	expect(parse("ALLOW @backup * /usr/bin/mysqldump") == 0, "%s", err.msg);
	expect(r.type == EZN_ALLOW && !strcmp(r.category, "backup") && !strcmp(r.pattern, "*") &&
	       !strcmp(r.exe, "/usr/bin/mysqldump") && !r.shell[0] && !r.nr_children, "fields");
	expect(parse("DENY @backup secret/* /usr/bin/cat") == 0, "%s", err.msg);
	expect(r.type == EZN_DENY && !strcmp(r.pattern, "secret/*"), "deny fields");
	expect(parse("ALLOW @restore * /usr/local/sbin/restore.sh --shell=/bin/bash") == 0,
	       "%s", err.msg);
	expect(!strcmp(r.exe, "/usr/local/sbin/restore.sh") && !strcmp(r.shell, "/bin/bash"),
	       "shell fields");
	expect(parse("ALLOW @backup * /usr/bin/mysqldump --children=/usr/bin/zstd,/bin/gzip") == 0,
	       "%s", err.msg);
	expect(r.nr_children == 2 && !strcmp(r.children[0], "/usr/bin/zstd") &&
	       !strcmp(r.children[1], "/bin/gzip"), "children fields");
	return 1;
}

static int t_whitespace_comments(void)
{
	expect(parse("\t ALLOW\t@a.b-c_9   x/**/y?\t/bin/x  --children=/a  --shell=/bin/sh  # hi\n")
	       == 0, "%s", err.msg);
	expect(!strcmp(r.category, "a.b-c_9") && !strcmp(r.pattern, "x/**/y?") &&
	       !strcmp(r.shell, "/bin/sh") && r.nr_children == 1, "fields");
	expect(parse("ALLOW @a * /bin/x\r\n") == 0, "crlf: %s", err.msg);
	expect(parse("") == EZN_PARSE_BLANK, "empty");
	expect(parse("  \t ") == EZN_PARSE_BLANK, "blanks");
	expect(parse("# ALLOW @a * /bin/x") == EZN_PARSE_BLANK, "comment");
	expect(parse("   #") == EZN_PARSE_BLANK, "indented comment");
	expect(parse("\n") == EZN_PARSE_BLANK, "newline");
	expect(parse("ALLOW @a a#b /bin/x#y") == 0 && !strcmp(r.pattern, "a#b") &&
	       !strcmp(r.exe, "/bin/x#y"), "'#' inside a field is literal");
	expect(parse("ALLOW @a my\\ file /bin/x") == 0 && !strcmp(r.pattern, "my\\ file"),
	       "escaped space: %s", err.msg);
	return 1;
}

static int t_limits(void)
{
	char line[EZN_LINE_MAX + 64], cat[40], exe[300];
	int i;

	memset(cat, 'c', 31);
	cat[31] = 0;
	snprintf(line, sizeof(line), "ALLOW @%s * /bin/x", cat);
	expect(parse(line) == 0, "31-char category: %s", err.msg);
	exe[0] = '/';
	memset(exe + 1, 'e', 254);
	exe[255] = 0;
	snprintf(line, sizeof(line), "ALLOW @a * %s", exe);
	expect(parse(line) == 0 && strlen(r.exe) == 255, "255-byte exe: %s", err.msg);
	strcpy(line, "ALLOW @a * /bin/x --children=/c0");
	for (i = 1; i < EZN_MAX_CHILDREN; i++)
		sprintf(line + strlen(line), ",/c%d", i);
	expect(parse(line) == 0 && r.nr_children == EZN_MAX_CHILDREN, "8 children: %s", err.msg);
	return 1;
}

/* Each malformed line with the column and reason it must produce. */
static const struct {
	const char *line;
	unsigned int column;
	const char *reason;
} bad[] = {
	{ "ALLOWED @a * /bin/x", 1, "expected ALLOW or DENY" },
	{ "allow @a * /bin/x", 1, "expected ALLOW or DENY" },
	{ "  PERMIT", 3, "expected ALLOW or DENY" },
	{ "ALLOW", 6, "missing category" },
	{ "ALLOW # c", 7, "missing category" },
	{ "ALLOW backup * /bin/x", 7, "category must start with '@'" },
	{ "ALLOW @ * /bin/x", 8, "empty category name" },
	{ "ALLOW @ba/d * /bin/x", 10,
	  "invalid character in category (allowed: A-Z a-z 0-9 _ . -)" },
	{ "ALLOW @.. * /bin/x", 8, "category cannot be '.' or '..'" },
	{ "ALLOW @a", 9, "missing path pattern" },
	{ "ALLOW @a /x /bin/x", 10, "path pattern must be relative (no leading '/')" },
	{ "ALLOW @a a//b /bin/x", 12, "empty path component ('//')" },
	{ "ALLOW @a a/ /bin/x", 11, "trailing '/' in pattern" },
	{ "ALLOW @a a/./b /bin/x", 12, "'.' or '..' component in pattern" },
	{ "ALLOW @a .. /bin/x", 10, "'.' or '..' component in pattern" },
	{ "ALLOW @a a/b** /bin/x", 13, "'**' must be a whole path component" },
	{ "ALLOW @a *** /bin/x", 10, "'**' must be a whole path component" },
	{ "ALLOW @a x[a-z /bin/x", 11, "unterminated character class" },
	{ "ALLOW @a [z-a] /bin/x", 11, "invalid range in character class" },
	{ "ALLOW @a [a/] /bin/x", 12, "'/' in character class" },
	{ "ALLOW @a [\\/] /bin/x", 12, "'/' in character class" },
	{ "ALLOW @a \\/x /bin/x", 10, "'/' cannot be escaped" },
	{ "ALLOW @a x\\", 11, "trailing backslash in pattern" },
	{ "ALLOW @a *", 11, "missing executable" },
	{ "ALLOW @a * bin/x", 12, "executable must be an absolute path" },
	{ "ALLOW @a * /usr//bin/x", 17, "empty component ('//') in path" },
	{ "ALLOW @a * /usr/bin/", 20, "trailing '/' in path" },
	{ "ALLOW @a * /", 12, "trailing '/' in path" },
	{ "ALLOW @a * /usr/../x", 17, "'.' or '..' component in path" },
	{ "ALLOW @a * /bin/x --shell=sh", 27, "--shell needs an absolute path" },
	{ "ALLOW @a * /bin/x --shell=", 27, "--shell needs an absolute path" },
	{ "ALLOW @a * /bin/x --shell=/a --shell=/b", 30, "--shell given twice" },
	{ "ALLOW @a * /bin/x --shell", 19, "--shell needs '=PATH'" },
	{ "ALLOW @a * /bin/x --children", 19, "--children needs '=PATH[,PATH...]'" },
	{ "ALLOW @a * /bin/x --children=/a,,/b", 33, "empty entry in --children" },
	{ "ALLOW @a * /bin/x --children=/a,", 33, "empty entry in --children" },
	{ "ALLOW @a * /bin/x --children=/a,b", 33,
	  "--children entries must be absolute paths" },
	{ "ALLOW @a * /bin/x --children=/a,/a", 33, "duplicate entry in --children" },
	{ "ALLOW @a * /bin/x --children=/a --children=/b", 33, "--children given twice" },
	{ "ALLOW @a * /bin/x --child=/a", 19,
	  "unknown option (known: --shell=, --children=)" },
	{ "ALLOW @a * /bin/x extra", 19, "unexpected field after the executable" },
	{ "ALLOW @a * /bin/\x01x", 17, "control character in line" },
	{ "ALLOW @a * /bin/x\n# more", 18, "control character in line" },
};

static int t_errors(void)
{
	size_t i;
	char msg[200];

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = parse(bad[i].line);

		expect(ret == -EZN_EINVAL, "accepted: %s", bad[i].line);
		expect(err.column == bad[i].column && !strcmp(err.reason, bad[i].reason),
		       "'%s': got '%s', want column %u: %s", bad[i].line, err.msg, bad[i].column,
		       bad[i].reason);
		snprintf(msg, sizeof(msg), "column %u: %s", bad[i].column, bad[i].reason);
		expect(!strcmp(err.msg, msg), "msg '%s' want '%s'", err.msg, msg);
		expect(r.type == 0 && !r.exe[0], "rule not zeroed after error");
	}
	return 1;
}

static int t_error_limits(void)
{
	char line[EZN_LINE_MAX + 64], long_exe[300];
	int i;

	snprintf(line, sizeof(line), "ALLOW @%s * /bin/x", "cccccccccccccccccccccccccccccccc");
	expect(parse(line) < 0 && err.column == 39 &&
	       !strcmp(err.reason, "category too long (max 31 characters)"), "%s", err.msg);
	long_exe[0] = '/';
	memset(long_exe + 1, 'e', 255);
	long_exe[256] = 0;
	snprintf(line, sizeof(line), "ALLOW @a * %s", long_exe);
	expect(parse(line) < 0 && err.column == 12 + 255 &&
	       !strcmp(err.reason, "path too long (max 255 bytes)"), "%s", err.msg);
	strcpy(line, "ALLOW @a ");
	memset(line + 9, 'p', 256);
	strcpy(line + 9 + 256, " /bin/x");
	expect(parse(line) < 0 && err.column == 10 + 255 &&
	       !strcmp(err.reason, "path pattern too long (max 255 bytes)"), "%s", err.msg);
	strcpy(line, "ALLOW @a * /bin/x --children=/c0");
	for (i = 1; i <= EZN_MAX_CHILDREN; i++)
		sprintf(line + strlen(line), ",/c%d", i);
	expect(parse(line) < 0 && err.column == strlen(line) - 2 &&
	       !strcmp(err.reason, "too many --children entries (max 8)"), "%s", err.msg);
	memset(line, ' ', EZN_LINE_MAX + 1);
	expect(ezn_rule_parse(line, EZN_LINE_MAX + 1, &r, &err) < 0 &&
	       err.column == EZN_LINE_MAX + 1, "%s", err.msg);
	expect(ezn_rule_parse("ALLOW @a * /b\0x", 15, &r, &err) < 0 && err.column == 14 &&
	       !strcmp(err.reason, "control character in line"), "NUL: %s", err.msg);
	return 1;
}

static int t_policy_file(void)
{
	static struct ezn_rule rules[4];
	const char *text = "# policy\n\nALLOW @backup * /usr/bin/mysqldump\r\n"
			   "  # indented comment\nDENY @backup secret/* /usr/bin/cat";
	const char *bad_text = "ALLOW @a * /bin/x\n\nDENY @a * bin/cat\n";
	size_t n;

	expect(ezn_policy_parse(text, strlen(text), rules, 4, &n, &err) == 0, "%s", err.msg);
	expect(n == 2 && rules[0].type == EZN_ALLOW && rules[1].type == EZN_DENY, "n=%zu", n);
	expect(ezn_policy_parse(bad_text, strlen(bad_text), rules, 4, &n, &err) < 0, "accepted");
	expect(err.line == 3 && err.column == 11 &&
	       !strcmp(err.msg, "line 3, column 11: executable must be an absolute path"),
	       "%s", err.msg);
	expect(ezn_policy_parse(text, strlen(text), rules, 1, &n, &err) < 0 && err.line == 5 &&
	       !strcmp(err.reason, "too many rules") && n == 1, "%s", err.msg);
	expect(ezn_policy_parse("", 0, rules, 0, &n, &err) == 0 && n == 0, "empty file");
	return 1;
}

/* ---- printer ---- */

static int t_print_roundtrip(void)
{
	static const char *const in[][2] = {
		{ "ALLOW @backup * /usr/bin/mysqldump", NULL },
		{ "  DENY\t@backup   secret/*  /usr/bin/cat # x",
		  "DENY @backup secret/* /usr/bin/cat" },
		{ "ALLOW @r * /x.sh --children=/a,/b --shell=/bin/bash",
		  "ALLOW @r * /x.sh --shell=/bin/bash --children=/a,/b" },
		{ "ALLOW @r a\\ b/[!a-c\\]]/** /x", NULL },
	};
	char buf[EZN_RULE_TEXT_MAX];
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(in); i++) {
		const char *want = in[i][1] ? in[i][1] : in[i][0];

		expect(parse(in[i][0]) == 0, "%s: %s", in[i][0], err.msg);
		len = ezn_rule_print(&r, buf, sizeof(buf));
		expect(len == strlen(want) && !strcmp(buf, want), "printed '%s' want '%s'", buf,
		       want);
		expect(ezn_rule_parse(buf, len, &r2, &err) == 0 && ezn_rule_equal(&r, &r2),
		       "reparse of '%s'", buf);
	}
	len = ezn_rule_print(&r, buf, 5);
	expect(len == strlen(in[3][0]) && !strcmp(buf, "ALLO"), "truncation: '%s' %zu", buf, len);
	r2.nr_children = 1;
	expect(!ezn_rule_equal(&r, &r2), "equal ignores children");
	return 1;
}

static int t_print_longest(void)
{
	char line[EZN_LINE_MAX], buf[EZN_RULE_TEXT_MAX], p[256], pat[256];
	size_t len;
	int i;

	memset(p, 'x', 255);
	p[255] = 0;
	memcpy(pat, p, sizeof(pat));
	p[0] = '/';
	snprintf(line, sizeof(line), "ALLOW @ccccccccccccccccccccccccccccccc %s %s --shell=%s", pat,
		 p, p);
	strcat(line, " --children=");
	for (i = 0; i < EZN_MAX_CHILDREN; i++) {
		p[1] = (char)('a' + i);
		strcat(line, i ? "," : "");
		strcat(line, p);
	}
	expect(parse(line) == 0, "%s", err.msg);
	len = ezn_rule_print(&r, buf, sizeof(buf));
	expect(len == 2873 && len < EZN_RULE_TEXT_MAX && !strcmp(buf, line), "len %zu", len);
	return 1;
}

/* ---- glob ---- */

static const struct {
	const char *pattern, *path;
	int match, traverse;
} globs[] = {
	{ "*", "", 1, 1 },
	{ "*", "a", 1, 1 },
	{ "*", "a/b/c", 1, 1 },
	{ "secret/*", "secret/a", 1, 1 },
	{ "secret/*", "secret/a/b", 1, 1 },	/* covers what is under a match */
	{ "secret/*", "secret", 0, 1 },		/* the directory itself is not matched */
	{ "secret/*", "secrets/a", 0, 0 },
	{ "secret/*", "other", 0, 0 },
	{ "secret", "secret/a/b", 1, 1 },
	{ "secret", "secretx", 0, 0 },
	{ "*.log", "x.log", 1, 1 },
	{ "*.log", "d/x.log", 0, 0 },		/* '*' never crosses '/' */
	{ "*.log", ".log", 1, 1 },		/* no dotfile rule */
	{ "**/*.log", "d/e/x.log", 1, 1 },
	{ "**/*.log", "x.log", 1, 1 },
	{ "**/*.log", "d/e/x.txt", 0, 1 },
	{ "a/**/b", "a/b", 1, 1 },
	{ "a/**/b", "a/x/y/b", 1, 1 },
	{ "a/**/b", "a/x/y/c", 0, 1 },
	{ "a/**/b", "c/b", 0, 0 },
	{ "a/**", "a", 1, 1 },
	{ "a/**", "ab", 0, 0 },
	{ "**", "", 1, 1 },
	{ "**", "x/y", 1, 1 },
	{ "a/*/c", "a/b/c/d", 1, 1 },
	{ "a/*/c", "a/b", 0, 1 },
	{ "a/*/c", "a", 0, 1 },
	{ "a/*/c", "", 0, 1 },
	{ "a/*/c", "b", 0, 0 },
	{ "f?o", "foo", 1, 1 },
	{ "f?o", "fo", 0, 0 },
	{ "[a-c]x", "bx", 1, 1 },
	{ "[a-c]x", "dx", 0, 0 },
	{ "[!a-c]x", "dx", 1, 1 },
	{ "[^a-c]x", "ax", 0, 0 },
	{ "[]]", "]", 1, 1 },
	{ "[!]]", "]", 0, 0 },
	{ "[a-]", "-", 1, 1 },
	{ "\\*", "*", 1, 1 },
	{ "\\*", "x", 0, 0 },
	{ "my\\ file", "my file", 1, 1 },
	{ "*a*b*c", "xaxbxcx", 0, 0 },
	{ "*a*b*c", "xaxbxc", 1, 1 },
	{ "**/x/**/y/*.z", "q/x/w/x/y/y/k.z", 1, 1 },
	{ "**/x/**/y/*.z", "q/x/w/y", 0, 1 },
	{ "*", "/a", 1, 1 },			/* leading '/' ignored */
};

static int t_glob(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(globs); i++) {
		int m = ezn_glob_match(globs[i].pattern, globs[i].path, 0);
		int t = ezn_glob_match(globs[i].pattern, globs[i].path, EZN_MATCH_TRAVERSE);

		expect(m == globs[i].match, "'%s' vs '%s': match %d", globs[i].pattern,
		       globs[i].path, m);
		expect(t == globs[i].traverse, "'%s' vs '%s': traverse %d", globs[i].pattern,
		       globs[i].path, t);
	}
	return 1;
}

static int t_glob_no_blowup(void)
{
	static char pat[256], path[4096];
	size_t i;

	/* "*a*a*...*b" against "aaa...a": exponential for naive recursion */
	for (i = 0; i < 120; i++)
		memcpy(pat + 2 * i, "*a", 2);
	strcpy(pat + 240, "*b");
	memset(path, 'a', 255);
	expect(!ezn_glob_match(pat, path, 0), "stars");
	/* "**" pieces against a deep path */
	strcpy(pat, "");
	for (i = 0; i < 40; i++)
		strcat(pat, "**/a/");
	strcat(pat, "b");
	for (i = 0; i < 2000; i++)
		memcpy(path + 2 * i, "a/", 2);
	path[3999] = 0;
	expect(!ezn_glob_match(pat, path, 0), "globstars");
	return 1;
}

/* ---- decision ---- */

static struct ezn_rule rules[16];

static size_t load(const char *text)
{
	size_t n = 0;

	if (ezn_policy_parse(text, strlen(text), rules, 16, &n, &err))
		printf("# policy error: %s\n", err.msg);
	return n;
}

static int decide(size_t n, const char *cat, const char *path, const struct ezn_subject *s,
		  unsigned int flags, int *idx)
{
	return ezn_policy_decide(rules, n, cat, path, s, flags, idx);
}

static int t_decide_seed(void)
{
	size_t n = load("ALLOW @backup * /usr/bin/mysqldump\n"
			"ALLOW @backup * /usr/bin/cat\n"
			"DENY @backup secret/* /usr/bin/cat\n");
	struct ezn_subject dump = { { "/usr/bin/mysqldump", NULL }, NULL, 0 };
	struct ezn_subject cat = { { "/usr/bin/cat", NULL }, NULL, 0 };
	struct ezn_subject bash = { { "/bin/bash", NULL }, NULL, 0 };
	struct ezn_subject copy = { { "/tmp/mysqldump", NULL }, NULL, 0 };
	int idx;

	expect(n == 3, "n=%zu", n);
	expect(decide(n, "backup", "db/x.sql", &dump, 0, &idx) == EZN_ALLOW && idx == 0, "dump");
	expect(decide(n, "backup", "", &dump, 0, &idx) == EZN_ALLOW && idx == 0, "dump root");
	expect(decide(n, "backup", "x", &cat, 0, &idx) == EZN_ALLOW && idx == 1, "cat allowed");
	expect(decide(n, "backup", "secret/k", &cat, 0, &idx) == EZN_DENY && idx == 2,
	       "DENY beats ALLOW (idx %d)", idx);
	expect(decide(n, "backup", "secret/k/l", &cat, 0, &idx) == EZN_DENY && idx == 2,
	       "DENY covers below");
	expect(decide(n, "backup", "secret", &cat, EZN_MATCH_TRAVERSE, &idx) == EZN_ALLOW,
	       "secret itself walkable");
	expect(decide(n, "backup", "secret/k", &dump, 0, &idx) == EZN_ALLOW, "deny is per exe");
	expect(decide(n, "backup", "x", &bash, 0, &idx) == EZN_DENY && idx == -1, "no match");
	expect(decide(n, "backup", "x", &copy, 0, &idx) == EZN_DENY && idx == -1, "copy");
	expect(decide(n, "other", "x", &dump, 0, &idx) == EZN_DENY && idx == -1, "category");
	expect(decide(0, "backup", "x", &dump, 0, &idx) == EZN_DENY && idx == -1, "empty set");
	expect(decide(n, "backup", "x", &dump, 0, NULL) == EZN_ALLOW, "NULL index");
	return 1;
}

static int t_decide_order(void)
{
	size_t n = load("ALLOW @c data/** /bin/x\nALLOW @c * /bin/x\nDENY @c **/*.key /bin/x\n"
			"DENY @c data/k* /bin/x\n");
	struct ezn_subject x = { { "/bin/x", NULL }, NULL, 0 };
	int idx;

	expect(decide(n, "c", "data/a", &x, 0, &idx) == EZN_ALLOW && idx == 0, "first allow");
	expect(decide(n, "c", "b", &x, 0, &idx) == EZN_ALLOW && idx == 1, "second allow");
	expect(decide(n, "c", "data/kx.key", &x, 0, &idx) == EZN_DENY && idx == 2,
	       "first deny %d", idx);
	expect(decide(n, "c", "data/kx", &x, 0, &idx) == EZN_DENY && idx == 3, "later deny");
	return 1;
}

static int t_decide_traverse(void)
{
	size_t n = load("ALLOW @c data/sub/file /bin/x\n");
	struct ezn_subject x = { { "/bin/x", NULL }, NULL, 0 };
	int idx;

	expect(decide(n, "c", "data", &x, 0, &idx) == EZN_DENY, "data itself");
	expect(decide(n, "c", "data", &x, EZN_MATCH_TRAVERSE, &idx) == EZN_ALLOW && idx == 0,
	       "walk data");
	expect(decide(n, "c", "", &x, EZN_MATCH_TRAVERSE, &idx) == EZN_ALLOW, "walk root");
	expect(decide(n, "c", "other", &x, EZN_MATCH_TRAVERSE, &idx) == EZN_DENY, "walk other");
	expect(decide(n, "c", "data/sub/file", &x, 0, &idx) == EZN_ALLOW, "file");
	return 1;
}

static int t_decide_shell(void)
{
	size_t n = load("ALLOW @r * /usr/local/sbin/restore.sh --shell=/bin/bash\n");
	struct ezn_subject ok = { { "/bin/bash", "/usr/local/sbin/restore.sh" }, NULL, 0 };
	struct ezn_subject plain = { { "/bin/bash", NULL }, NULL, 0 };
	struct ezn_subject other = { { "/bin/bash", "/tmp/evil.sh" }, NULL, 0 };
	struct ezn_subject sh = { { "/bin/sh", "/usr/local/sbin/restore.sh" }, NULL, 0 };
	struct ezn_subject direct = { { "/usr/local/sbin/restore.sh", NULL }, NULL, 0 };
	int idx;

	expect(decide(n, "r", "f", &ok, 0, &idx) == EZN_ALLOW && idx == 0, "script under bash");
	expect(decide(n, "r", "f", &plain, 0, &idx) == EZN_DENY, "bare bash");
	expect(decide(n, "r", "f", &other, 0, &idx) == EZN_DENY, "other script");
	expect(decide(n, "r", "f", &sh, 0, &idx) == EZN_DENY, "other interpreter");
	expect(decide(n, "r", "f", &direct, 0, &idx) == EZN_DENY, "script as exe");
	return 1;
}

static int t_decide_children(void)
{
	size_t n = load("ALLOW @b * /usr/bin/mysqldump --children=/usr/bin/zstd,/bin/gzip\n"
			"ALLOW @s * /x.sh --shell=/bin/sh --children=/bin/gzip\n");
	struct ezn_proc dump = { "/usr/bin/mysqldump", NULL };
	struct ezn_proc zstd = { "/usr/bin/zstd", NULL };
	struct ezn_proc bash = { "/bin/bash", NULL };
	struct ezn_proc script = { "/bin/sh", "/x.sh" };
	struct ezn_proc chain1[] = { dump };
	struct ezn_proc chain2[] = { zstd, dump, bash };
	struct ezn_proc chain3[] = { bash, dump };
	struct ezn_proc chain4[] = { script };
	struct ezn_subject s;
	int idx;

	s = (struct ezn_subject){ { "/bin/gzip", NULL }, chain1, 1 };
	expect(decide(n, "b", "f", &s, 0, &idx) == EZN_ALLOW && idx == 0, "gzip under dump");
	s = (struct ezn_subject){ { "/bin/gzip", NULL }, chain2, 3 };
	expect(decide(n, "b", "f", &s, 0, &idx) == EZN_ALLOW, "gzip under zstd under dump");
	s = (struct ezn_subject){ { "/bin/gzip", NULL }, chain3, 2 };
	expect(decide(n, "b", "f", &s, 0, &idx) == EZN_DENY, "unlisted link in the chain");
	s = (struct ezn_subject){ { "/bin/gzip", NULL }, NULL, 0 };
	expect(decide(n, "b", "f", &s, 0, &idx) == EZN_DENY, "gzip alone");
	s = (struct ezn_subject){ { "/bin/cat", NULL }, chain1, 1 };
	expect(decide(n, "b", "f", &s, 0, &idx) == EZN_DENY, "unlisted child");
	s = (struct ezn_subject){ { "/bin/gzip", NULL }, chain4, 1 };
	expect(decide(n, "s", "f", &s, 0, &idx) == EZN_ALLOW && idx == 1, "child of script");
	expect(decide(n, "b", "f", &s, 0, &idx) == EZN_DENY, "category still applies");
	return 1;
}

static int covers(size_t n, const char *cat, const char *path, const struct ezn_subject *s,
		  int idx)
{
	return ezn_policy_covers_below(rules, n, cat, path, s, idx);
}

static int t_covers_below(void)
{
	size_t n = load("ALLOW @c * /usr/bin/mysqldump\n"
			"ALLOW @c pub /bin/x\n"
			"DENY @c pub/sub/secret /bin/x\n"
			"ALLOW @c logs/?.log /bin/y\n"
			"ALLOW @c logs /bin/y\n"
			"ALLOW @c data/** /bin/z\n"
			"DENY @c **/*.key /bin/z\n");
	struct ezn_subject dump = { { "/usr/bin/mysqldump", NULL }, NULL, 0 };
	struct ezn_subject x = { { "/bin/x", NULL }, NULL, 0 };
	struct ezn_subject y = { { "/bin/y", NULL }, NULL, 0 };
	struct ezn_subject z = { { "/bin/z", NULL }, NULL, 0 };
	int idx;

	expect(n == 7, "n=%zu", n);
	expect(covers(n, "c", "", &dump, 0), "'*' covers everything below the root");
	expect(covers(n, "c", "db", &dump, 0), "and below any directory");
	expect(!covers(n, "c", "", &dump, 1), "not by a rule that does not apply");
	expect(!covers(n, "d", "", &dump, 0), "not in another category");
	expect(!covers(n, "c", "pub", &x, 1), "pub: a DENY reaches below it");
	expect(covers(n, "c", "pub/a", &x, 1), "pub/a");
	expect(!covers(n, "c", "pub/sub", &x, 1), "pub/sub: its secret is denied");
	expect(covers(n, "c", "pub/sub/secret2", &x, 1), "beside the denied name");
	expect(!covers(n, "c", "", &x, 1), "the rule does not match the root");
	expect(!covers(n, "c", "logs", &y, 4), "an ALLOW ahead of it decides logs/a.log");
	expect(decide(n, "c", "logs/a.log", &y, 0, &idx) == EZN_ALLOW && idx == 3, "(it does)");
	expect(covers(n, "c", "logs/b", &y, 4), "below logs/b the earlier one cannot match");
	expect(!covers(n, "c", "data", &z, 5), "a DENY through '**' reaches below data");
	expect(!covers(n, "c", "data", &z, 6), "a DENY rule covers nothing");
	expect(!covers(n, "c", "data", &z, 7) && !covers(n, "c", "data", &z, -1),
	       "index out of range");
	return 1;
}

int main(void)
{
	run("grammar-seed", t_seed_rules);
	run("grammar-whitespace-comments", t_whitespace_comments);
	run("grammar-limits", t_limits);
	run("errors-columns", t_errors);
	run("errors-limits", t_error_limits);
	run("policy-file", t_policy_file);
	run("print-roundtrip", t_print_roundtrip);
	run("print-longest", t_print_longest);
	run("glob", t_glob);
	run("glob-no-blowup", t_glob_no_blowup);
	run("decide-seed", t_decide_seed);
	run("decide-order", t_decide_order);
	run("decide-traverse", t_decide_traverse);
	run("decide-shell", t_decide_shell);
	run("decide-children", t_decide_children);
	run("covers-below", t_covers_below);
	return failures ? 1 : 0;
}
