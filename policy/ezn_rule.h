/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ezncrypt access rules: parser, canonical printer and matcher.
 *
 * Shared verbatim by ezncryptfs.ko and the userspace tools, so this code uses
 * nothing from libc or the kernel: no allocation, no string.h, no floating
 * point, no VLAs and no recursion. All storage is fixed-size or provided by
 * the caller. docs/RULES.md is the user-facing description of the language.
 *
 * One rule per line:
 *
 *	TYPE @CATEGORY PATTERN EXECUTABLE [--shell=PATH] [--children=PATH[,PATH...]]
 *
 *	ALLOW @backup * /usr/bin/mysqldump --children=/usr/bin/zstd,/bin/gzip
 *	DENY @backup secret /usr/bin/cat
 *
 * Parsing
 *	ezn_rule_parse() parses one line, ezn_policy_parse() a whole file (blank
 *	lines and '#' comments allowed). Errors carry the 1-based byte column,
 *	a static reason string and a formatted message ("column 7: category must
 *	start with '@'"). A parsed rule is fully zeroed first, so unused array
 *	tails are zero and ezn_rule_equal() is exact.
 *
 * Printing
 *	ezn_rule_print() writes the canonical text: single spaces, options in the
 *	order --shell, --children. For every rule r the parser produced,
 *	parse(print(r)) equals r and print(parse(print(r))) equals print(r).
 *
 * Matching
 *	ezn_glob_match() matches one pattern against a path relative to the
 *	category root; ezn_policy_decide() applies a rule set to a request:
 *	a matching DENY wins over any ALLOW, and no matching rule means DENY.
 *	Run time is O(pattern length * path length) per rule, with no recursion.
 *
 * Sizes: struct ezn_rule is about 2.8 KiB; the kernel must not put one on the
 * stack.
 */
#ifndef EZN_RULE_H
#define EZN_RULE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

/* Longest category name, in characters, not counting '@' or the NUL. */
#define EZN_CATEGORY_MAX	31
/* Size of a path pattern buffer: at most EZN_PATTERN_MAX - 1 bytes of text. */
#define EZN_PATTERN_MAX		256
/* Size of an executable path buffer: at most EZN_PATH_MAX - 1 bytes. */
#define EZN_PATH_MAX		256
/* Most entries in one --children list. */
#define EZN_MAX_CHILDREN	8
/* Longest line ezn_rule_parse() accepts, excluding the line terminator. */
#define EZN_LINE_MAX		4096
/*
 * A buffer of this size always holds a canonical rule and its NUL (the
 * longest is 2873 bytes), and every canonical rule is a line the parser takes.
 */
#define EZN_RULE_TEXT_MAX	EZN_LINE_MAX
/* Size of the formatted message in struct ezn_parse_error. */
#define EZN_ERR_MSG_MAX		128

/* Returned, negated, on a parse error; equal to the kernel's EINVAL. */
#define EZN_EINVAL		22
/* ezn_rule_parse() result for a blank or comment-only line. */
#define EZN_PARSE_BLANK		1

enum ezn_rule_type {
	EZN_ALLOW = 1,
	EZN_DENY = 2,
};

/*
 * A parsed rule. Every string is NUL-terminated inside its array; shell[0] == 0
 * means no --shell, nr_children == 0 means no --children. category excludes
 * the '@'. pattern keeps the rule's spelling, backslash escapes included.
 */
struct ezn_rule {
	uint8_t type;			/* enum ezn_rule_type */
	uint8_t nr_children;		/* 0..EZN_MAX_CHILDREN */
	char category[EZN_CATEGORY_MAX + 1];
	char pattern[EZN_PATTERN_MAX];
	char exe[EZN_PATH_MAX];
	char shell[EZN_PATH_MAX];
	char children[EZN_MAX_CHILDREN][EZN_PATH_MAX];
};

/*
 * Where and why parsing failed. column is the 1-based byte column in the line
 * (a tab counts as one column); line is the 1-based line for
 * ezn_policy_parse() and 0 for ezn_rule_parse(). reason is a static string;
 * msg is "column C: reason" or "line L, column C: reason".
 */
struct ezn_parse_error {
	unsigned int line;
	unsigned int column;
	const char *reason;
	char msg[EZN_ERR_MSG_MAX];
};

/*
 * Parses one rule from line[0..len). One trailing "\n" or "\r\n" is ignored;
 * any other control character, a NUL included, is an error. Returns 0 with
 * *rule filled, EZN_PARSE_BLANK for a blank or comment line (*rule zeroed), or
 * -EZN_EINVAL with *err filled (err may be NULL).
 */
int ezn_rule_parse(const char *line, size_t len, struct ezn_rule *rule,
		   struct ezn_parse_error *err);

/*
 * Parses a policy file: lines separated by '\n', blank lines and comments
 * skipped. Stores at most max_rules rules and their count in *nr_rules.
 * Returns 0 or -EZN_EINVAL (err->line set; more than max_rules rules is an
 * error at column 1 of the first rule that does not fit).
 */
int ezn_policy_parse(const char *text, size_t len, struct ezn_rule *rules, size_t max_rules,
		     size_t *nr_rules, struct ezn_parse_error *err);

/*
 * Writes the canonical text of rule, without a newline, NUL-terminated when
 * size > 0. Returns the length of the full text like snprintf(): the output
 * was truncated if the result is >= size.
 */
size_t ezn_rule_print(const struct ezn_rule *rule, char *buf, size_t size);

/* 1 if a and b are the same rule, field by field, else 0. */
int ezn_rule_equal(const struct ezn_rule *a, const struct ezn_rule *b);

/* "ALLOW", "DENY", or "?" for anything else. */
const char *ezn_rule_type_name(unsigned int type);

/*
 * Checks pattern[0..len) against the glob syntax of docs/RULES.md (no length
 * limit is applied here). Returns 0, or -EZN_EINVAL with the 0-based offset
 * of the offending byte in *at and a static reason in *reason.
 */
int ezn_pattern_check(const char *pattern, size_t len, size_t *at, const char **reason);

/*
 * ezn_glob_match() flags. EZN_MATCH_TRAVERSE asks whether the pattern matches
 * path or anything below it: true for every ancestor directory of a path the
 * pattern matches, so a rule that allows "data/x" also allows walking "data".
 */
#define EZN_MATCH_TRAVERSE	0x1u

/*
 * 1 if pattern (NUL-terminated, as checked by ezn_pattern_check()) matches
 * path, else 0. path is relative to the category root and normalized: "" is
 * the root, "a/b" a file under directory "a"; leading '/' are ignored. A
 * pattern matches a path when it matches the whole path or one of its
 * ancestors ("secret" matches "secret/a/b"). Never fails on a malformed
 * pattern or path; the answer is then unspecified but memory safe.
 */
int ezn_glob_match(const char *pattern, const char *path, unsigned int flags);

/* One process as the kernel identifies it. */
struct ezn_proc {
	const char *exe;	/* absolute path of its executable; NULL matches nothing */
	const char *script;	/* the script an interpreter runs, or NULL */
};

/*
 * The process asking for access and its ancestors, nearest first:
 * ancestors[0] is the parent. Only --children rules look at ancestors, and
 * only as far as the chain consists of listed children.
 */
struct ezn_subject {
	struct ezn_proc self;
	const struct ezn_proc *ancestors;
	unsigned int nr_ancestors;
};

/*
 * 1 if rule applies to subject (ignoring category and path), else 0:
 * - a rule without --shell applies to a process whose exe is rule->exe;
 * - with --shell=SH it applies to a process whose exe is SH and whose script
 *   is rule->exe;
 * - with --children=C... it also applies to a process whose exe is one of C
 *   when its ancestors, nearest first, are zero or more processes whose exe is
 *   one of C followed by a process the rule applies to as above.
 */
int ezn_rule_applies(const struct ezn_rule *rule, const struct ezn_subject *subject);

/* Index of exe in rule's --children list, or -1 (also for a NULL exe). */
int ezn_rule_child_index(const struct ezn_rule *rule, const char *exe);

/*
 * Decides a request: category (without '@'), path as for ezn_glob_match(),
 * flags EZN_MATCH_TRAVERSE for a directory being walked through or listed
 * (ALLOW rules then also match when they could match below path; DENY rules
 * always need a real match). Returns EZN_DENY if a DENY rule applies and
 * matches, else EZN_ALLOW if an ALLOW rule does, else EZN_DENY. *rule_index
 * (may be NULL) gets the index of the first deciding rule of that kind, or -1
 * when no rule matched.
 */
int ezn_policy_decide(const struct ezn_rule *rules, size_t nr_rules, const char *category,
		      const char *path, const struct ezn_subject *subject, unsigned int flags,
		      int *rule_index);

/*
 * 1 if every path strictly below path (path "a" covers "a/x", "a/x/y", ...)
 * is decided by ezn_policy_decide() as EZN_ALLOW with *rule_index ==
 * rule_index, with or without EZN_MATCH_TRAVERSE, for the same category and
 * subject; else 0. It holds when the rule at rule_index is an applicable
 * ALLOW that matches path itself, and no applicable DENY rule, nor ALLOW rule
 * before it, could match path or anything below it. A caller that knows
 * this for a directory can decide for its entries without their names.
 */
int ezn_policy_covers_below(const struct ezn_rule *rules, size_t nr_rules, const char *category,
			    const char *path, const struct ezn_subject *subject, int rule_index);

#endif /* EZN_RULE_H */
