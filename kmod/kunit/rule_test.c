// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the rule language as the module runs it (policy/ezn_rule.c,
 * policy/ezn_match.c): parsing valid and invalid rules, the canonical
 * printer, globs, category matching and the decision (DENY beats ALLOW, no
 * match means DENY). The pure sources are compiled into this test module, so
 * ezncryptfs.ko exports nothing for it.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ezn_rule.h"
#include "../../policy/ezn_rule.c"
#include "../../policy/ezn_match.c"

/* struct ezn_rule is too big for the stack: tests parse into kunit memory. */
static struct ezn_rule *rule_alloc(struct kunit *test, size_t n)
{
	struct ezn_rule *r = kunit_kcalloc(test, n, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, r);
	return r;
}

static int parse(const char *line, struct ezn_rule *r, struct ezn_parse_error *err)
{
	return ezn_rule_parse(line, strlen(line), r, err);
}

static void ezn_rule_parse_valid(struct kunit *test)
{
	static const char seed[] =
		"ALLOW @backup * /usr/bin/mysqldump --children=/usr/bin/zstd,/bin/gzip\n";
	struct ezn_rule *r = rule_alloc(test, 1);
	struct ezn_parse_error err;

	KUNIT_ASSERT_EQ(test, parse(seed, r, &err), 0);
	KUNIT_EXPECT_EQ(test, r->type, (u8)EZN_ALLOW);
	KUNIT_EXPECT_STREQ(test, r->category, "backup");
	KUNIT_EXPECT_STREQ(test, r->pattern, "*");
	KUNIT_EXPECT_STREQ(test, r->exe, "/usr/bin/mysqldump");
	KUNIT_EXPECT_STREQ(test, r->shell, "");
	KUNIT_EXPECT_EQ(test, r->nr_children, 2);
	KUNIT_EXPECT_STREQ(test, r->children[0], "/usr/bin/zstd");
	KUNIT_EXPECT_STREQ(test, r->children[1], "/bin/gzip");

	KUNIT_ASSERT_EQ(test, parse("  DENY\t@backup   secret/*  /usr/bin/cat # why", r, &err), 0);
	KUNIT_EXPECT_EQ(test, r->type, (u8)EZN_DENY);
	KUNIT_EXPECT_STREQ(test, r->pattern, "secret/*");
	KUNIT_EXPECT_STREQ(test, r->exe, "/usr/bin/cat");
	KUNIT_EXPECT_EQ(test, r->nr_children, 0);

	KUNIT_ASSERT_EQ(test, parse("ALLOW @r * /opt/restore.sh --shell=/bin/bash", r, &err), 0);
	KUNIT_EXPECT_STREQ(test, r->exe, "/opt/restore.sh");
	KUNIT_EXPECT_STREQ(test, r->shell, "/bin/bash");

	KUNIT_EXPECT_EQ(test, parse("", r, &err), EZN_PARSE_BLANK);
	KUNIT_EXPECT_EQ(test, parse("   # a comment", r, &err), EZN_PARSE_BLANK);
}

static const struct {
	const char *line;
	unsigned int column;
	const char *reason;
} bad_rules[] = {
	{ "allow @a * /bin/x", 1, "expected ALLOW or DENY" },
	{ "ALLOW", 6, "missing category" },
	{ "ALLOW backup * /bin/x", 7, "category must start with '@'" },
	{ "ALLOW @ * /bin/x", 8, "empty category name" },
	{ "ALLOW @a", 9, "missing path pattern" },
	{ "ALLOW @a /x /bin/x", 10, "path pattern must be relative (no leading '/')" },
	{ "ALLOW @a a/./b /bin/x", 12, "'.' or '..' component in pattern" },
	{ "ALLOW @a a/b** /bin/x", 13, "'**' must be a whole path component" },
	{ "ALLOW @a x[a-z /bin/x", 11, "unterminated character class" },
	{ "ALLOW @a *", 11, "missing executable" },
	{ "ALLOW @a * bin/x", 12, "executable must be an absolute path" },
	{ "ALLOW @a * /usr/../x", 17, "'.' or '..' component in path" },
	{ "ALLOW @a * /bin/x --shell=/a --shell=/b", 30, "--shell given twice" },
	{ "ALLOW @a * /bin/x --children=/a,/a", 33, "duplicate entry in --children" },
	{ "ALLOW @a * /bin/x extra", 19, "unexpected field after the executable" },
	{ "ALLOW @a * /bin/\x01x", 17, "control character in line" },
};

static void ezn_rule_parse_invalid(struct kunit *test)
{
	struct ezn_rule *r = rule_alloc(test, 1);
	struct ezn_parse_error err;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_rules); i++) {
		memset(&err, 0, sizeof(err));
		KUNIT_EXPECT_EQ_MSG(test, parse(bad_rules[i].line, r, &err), -EINVAL,
				    "rule '%s'", bad_rules[i].line);
		KUNIT_EXPECT_EQ_MSG(test, err.column, bad_rules[i].column,
				    "rule '%s'", bad_rules[i].line);
		KUNIT_EXPECT_STREQ_MSG(test, err.reason ?: "(none)", bad_rules[i].reason,
				       "rule '%s'", bad_rules[i].line);
	}
	/* An embedded NUL is a control character, not the end of the line. */
	KUNIT_EXPECT_EQ(test, ezn_rule_parse("ALLOW @a * /bin/x\0y", 19, r, &err), -EINVAL);
	/* EZN_EINVAL is the kernel's EINVAL: the module returns it as is. */
	KUNIT_EXPECT_EQ(test, EZN_EINVAL, EINVAL);
}

static void ezn_rule_print_round_trip(struct kunit *test)
{
	static const char * const lines[] = {
		"ALLOW @backup * /usr/bin/mysqldump",
		"DENY @backup secret/* /usr/bin/cat",
		"ALLOW @r * /x.sh --shell=/bin/bash --children=/a,/b",
		"ALLOW @r a\\ b/[!a-c\\]]/** /x",
	};
	struct ezn_rule *r = rule_alloc(test, 2);
	char *buf = kunit_kmalloc(test, EZN_RULE_TEXT_MAX, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		KUNIT_ASSERT_EQ(test, parse(lines[i], &r[0], NULL), 0);
		KUNIT_EXPECT_EQ(test, ezn_rule_print(&r[0], buf, EZN_RULE_TEXT_MAX),
				strlen(lines[i]));
		KUNIT_EXPECT_STREQ(test, buf, lines[i]);
		KUNIT_ASSERT_EQ(test, parse(buf, &r[1], NULL), 0);
		KUNIT_EXPECT_TRUE_MSG(test, ezn_rule_equal(&r[0], &r[1]), "rule '%s'", lines[i]);
	}
	/* Truncated output still reports the full length, NUL-terminated. */
	KUNIT_EXPECT_EQ(test, ezn_rule_print(&r[0], buf, 6), strlen(lines[3]));
	KUNIT_EXPECT_STREQ(test, buf, "ALLOW");
}

static void ezn_rule_policy_parse(struct kunit *test)
{
	static const char text[] = "# seed\n\nALLOW @backup * /usr/bin/mysqldump\n"
				   "DENY @backup secret /usr/bin/cat\n";
	static const char bad[] = "ALLOW @a * /bin/x\n\nDENY @a *\n";
	struct ezn_rule *r = rule_alloc(test, 2);
	struct ezn_parse_error err;
	size_t n = 0;

	KUNIT_EXPECT_EQ(test, ezn_policy_parse(text, strlen(text), r, 2, &n, &err), 0);
	KUNIT_EXPECT_EQ(test, n, (size_t)2);
	KUNIT_EXPECT_EQ(test, r[1].type, (u8)EZN_DENY);
	/* One rule too many is an error on the rule that does not fit. */
	KUNIT_EXPECT_EQ(test, ezn_policy_parse(text, strlen(text), r, 1, &n, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err.line, 4U);
	KUNIT_EXPECT_EQ(test, err.column, 1U);
	KUNIT_EXPECT_EQ(test, ezn_policy_parse(bad, strlen(bad), r, 2, &n, &err), -EINVAL);
	KUNIT_EXPECT_EQ(test, err.line, 3U);
	KUNIT_EXPECT_STREQ(test, err.reason, "missing executable");
}

static const struct {
	const char *pattern;
	const char *path;
	int match;
	int traverse;
} globs[] = {
	{ "*", "", 1, 1 },
	{ "*", "a/b/c", 1, 1 },
	{ "secret/*", "secret/a/b", 1, 1 },
	{ "secret/*", "secret", 0, 1 },
	{ "secret/*", "secrets/a", 0, 0 },
	{ "secret", "secret/a/b", 1, 1 },
	{ "secret", "secretx", 0, 0 },
	{ "*.log", "x.log", 1, 1 },
	{ "*.log", "d/x.log", 0, 0 },
	{ "**/*.log", "d/e/x.log", 1, 1 },
	{ "**/*.log", "d/e/x.txt", 0, 1 },
	{ "a/**/b", "a/b", 1, 1 },
	{ "a/**/b", "a/x/y/b", 1, 1 },
	{ "a/**/b", "c/b", 0, 0 },
	{ "f?o", "foo", 1, 1 },
	{ "f?o", "fo", 0, 0 },
	{ "[a-c]x", "bx", 1, 1 },
	{ "[!a-c]x", "bx", 0, 0 },
	{ "\\*", "*", 1, 1 },
	{ "\\*", "x", 0, 0 },
	{ "my\\ file", "my file", 1, 1 },
	{ "d.sql", "/d.sql", 1, 1 },
};

static void ezn_rule_globs(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(globs); i++) {
		KUNIT_EXPECT_EQ_MSG(test, ezn_glob_match(globs[i].pattern, globs[i].path, 0),
				    globs[i].match, "'%s' against '%s'", globs[i].pattern,
				    globs[i].path);
		KUNIT_EXPECT_EQ_MSG(test, ezn_glob_match(globs[i].pattern, globs[i].path,
							 EZN_MATCH_TRAVERSE),
				    globs[i].traverse, "'%s' traversing '%s'", globs[i].pattern,
				    globs[i].path);
	}
}

static struct ezn_rule *load(struct kunit *test, const char * const *lines, size_t n)
{
	struct ezn_rule *r = rule_alloc(test, n);
	size_t i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ_MSG(test, parse(lines[i], &r[i], NULL), 0, "rule '%s'", lines[i]);
	return r;
}

static void ezn_rule_deny_beats_allow(struct kunit *test)
{
	static const char * const lines[] = {
		"ALLOW @backup * /usr/bin/cat",
		"DENY @backup secret /usr/bin/cat",
		"ALLOW @backup secret/** /usr/bin/cat",
	};
	struct ezn_subject cat = { .self = { .exe = "/usr/bin/cat" } };
	struct ezn_subject dump = { .self = { .exe = "/usr/bin/mysqldump" } };
	struct ezn_rule *r = load(test, lines, ARRAY_SIZE(lines));
	int idx;

	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 3, "backup", "x", &cat, 0, &idx), EZN_ALLOW);
	KUNIT_EXPECT_EQ(test, idx, 0);
	/* Both ALLOW rules match; the DENY between them wins whatever the order. */
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 3, "backup", "secret/k", &cat, 0, &idx),
			EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, 1);
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r + 1, 2, "backup", "secret/k", &cat, 0, &idx),
			EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, 0);
	/* A DENY for another executable does not apply; nothing else does either. */
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 3, "backup", "secret/k", &dump, 0, &idx),
			EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, -1);
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 0, "backup", "x", &cat, 0, &idx), EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, -1);
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 3, "backup", "x", &cat, 0, NULL), EZN_ALLOW);
}

static void ezn_rule_category(struct kunit *test)
{
	static const char * const lines[] = {
		"ALLOW @backup * /usr/bin/mysqldump",
		"DENY @logs * /usr/bin/mysqldump",
	};
	struct ezn_subject dump = { .self = { .exe = "/usr/bin/mysqldump" } };
	struct ezn_rule *r = load(test, lines, ARRAY_SIZE(lines));
	int idx;

	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 2, "backup", "d.sql", &dump, 0, &idx),
			EZN_ALLOW);
	KUNIT_EXPECT_EQ(test, idx, 0);
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 2, "logs", "d.sql", &dump, 0, &idx), EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, 1);
	/* Exact names only: no prefix, no case folding. */
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 2, "back", "d.sql", &dump, 0, &idx), EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, -1);
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 2, "backups", "d.sql", &dump, 0, &idx),
			EZN_DENY);
	KUNIT_EXPECT_EQ(test, ezn_policy_decide(r, 2, "Backup", "d.sql", &dump, 0, &idx), EZN_DENY);
	KUNIT_EXPECT_EQ(test, idx, -1);
}

static void ezn_rule_subjects(struct kunit *test)
{
	static const char * const lines[] = {
		"ALLOW @r * /opt/restore.sh --shell=/bin/bash --children=/usr/bin/zstd,/bin/gzip",
	};
	const struct ezn_proc bash_restore = { .exe = "/bin/bash", .script = "/opt/restore.sh" };
	const struct ezn_proc zstd = { .exe = "/usr/bin/zstd" };
	const struct ezn_proc chain[] = { zstd, bash_restore };
	struct ezn_subject s = { .self = bash_restore };
	struct ezn_rule *r = load(test, lines, ARRAY_SIZE(lines));

	KUNIT_EXPECT_TRUE(test, ezn_rule_applies(r, &s));
	/* The script run by another interpreter, or the script as an executable. */
	s.self.exe = "/bin/sh";
	KUNIT_EXPECT_FALSE(test, ezn_rule_applies(r, &s));
	s.self = (struct ezn_proc){ .exe = "/opt/restore.sh" };
	KUNIT_EXPECT_FALSE(test, ezn_rule_applies(r, &s));
	/* A listed child of the script, directly or through another child. */
	s.self = (struct ezn_proc){ .exe = "/bin/gzip" };
	s.ancestors = &chain[1];
	s.nr_ancestors = 1;
	KUNIT_EXPECT_TRUE(test, ezn_rule_applies(r, &s));
	s.ancestors = chain;
	s.nr_ancestors = 2;
	KUNIT_EXPECT_TRUE(test, ezn_rule_applies(r, &s));
	/* An unlisted child, or a listed one without the rule's process above it. */
	s.self = (struct ezn_proc){ .exe = "/usr/bin/cat" };
	KUNIT_EXPECT_FALSE(test, ezn_rule_applies(r, &s));
	s.self = (struct ezn_proc){ .exe = "/bin/gzip" };
	s.nr_ancestors = 1;
	KUNIT_EXPECT_FALSE(test, ezn_rule_applies(r, &s));
	s.self = (struct ezn_proc){ .exe = NULL };
	s.nr_ancestors = 0;
	KUNIT_EXPECT_FALSE(test, ezn_rule_applies(r, &s));
}

static struct kunit_case ezn_rule_cases[] = {
	KUNIT_CASE(ezn_rule_parse_valid),
	KUNIT_CASE(ezn_rule_parse_invalid),
	KUNIT_CASE(ezn_rule_print_round_trip),
	KUNIT_CASE(ezn_rule_policy_parse),
	KUNIT_CASE(ezn_rule_globs),
	KUNIT_CASE(ezn_rule_deny_beats_allow),
	KUNIT_CASE(ezn_rule_category),
	KUNIT_CASE(ezn_rule_subjects),
	{}
};

static struct kunit_suite ezn_rule_suite = {
	.name = "ezncryptfs_rule",
	.test_cases = ezn_rule_cases,
};

kunit_test_suite(ezn_rule_suite);
