// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the rule language. Input: policy text, then optionally
 * a NUL and paths separated by '\n'. Checks:
 * - parsing never crashes; an error has a column inside the line and a reason;
 * - every parsed rule prints within EZN_RULE_TEXT_MAX, reparses to an equal
 *   rule and prints identically again;
 * - ezn_glob_match() agrees with a slow reference matcher on small inputs, a
 *   match covers the path's descendants, and every ancestor of a matched path
 *   is traversable;
 * - ezn_policy_decide() is consistent: DENY wins, the index names a rule of
 *   the verdict's type; where ezn_policy_covers_below() holds for a path,
 *   every path below it is decided ALLOW by that rule, walked or not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ezn_rule.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_RULES	8
#define MAX_PATHS	12
#define VARIANTS	3	/* paths made from each pattern */
#define REF_MAX		48	/* reference matcher input limit, bytes and components */

static void die(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "ezn-fuzz: %s\n  [%s]\n  [%s]\n", what, a ? a : "", b ? b : "");
	abort();
}

/* ---- reference glob: the spec of docs/RULES.md, written independently ---- */

static int ref_class(const char *p, size_t n, size_t i, size_t *end, unsigned char c, int *hit)
{
	size_t j = i + 1;
	int neg = 0, in = 0, first = 1;

	if (j < n && (p[j] == '!' || p[j] == '^')) {
		neg = 1;
		j++;
	}
	while (j < n && (first || p[j] != ']')) {
		unsigned char lo, hi;

		first = 0;
		if (p[j] == '\\')
			j++;
		if (j >= n)
			return -1;
		lo = (unsigned char)p[j++];
		hi = lo;
		if (j + 1 < n && p[j] == '-' && p[j + 1] != ']') {
			j++;
			if (p[j] == '\\')
				j++;
			if (j >= n)
				return -1;
			hi = (unsigned char)p[j++];
		}
		if (c >= lo && c <= hi)
			in = 1;
	}
	if (j >= n)
		return -1;
	*end = j + 1;
	*hit = in != neg;
	return 0;
}

/* DP over (pattern offset, string offset) for one component. */
static int ref_comp(const char *p, size_t pn, const char *s, size_t sn)
{
	static unsigned char dp[REF_MAX + 2][REF_MAX + 2];
	size_t i, j, next;
	int hit;

	/* dp[i][j]: p[i..] matches s[j..] */
	for (i = pn + 1; i-- > 0;) {
		for (j = sn + 1; j-- > 0;) {
			int r = 0;

			if (i == pn)
				r = j == sn;
			else if (p[i] == '*')
				r = dp[i + 1][j] || (j < sn && dp[i][j + 1]);
			else if (j == sn)
				r = 0;
			else if (p[i] == '?')
				r = dp[i + 1][j + 1];
			else if (p[i] == '[' && !ref_class(p, pn, i, &next, s[j], &hit))
				r = hit && dp[next][j + 1];
			else if (p[i] == '\\' && i + 1 < pn)
				r = p[i + 1] == s[j] && dp[i + 2][j + 1];
			else
				r = p[i] == s[j] && dp[i + 1][j + 1];
			dp[i][j] = (unsigned char)r;
		}
	}
	return dp[0][0];
}

static size_t split(const char *x, size_t len, size_t *start, size_t *end)
{
	size_t n = 0, i = 0;

	for (;;) {
		if (n == REF_MAX)
			return n + 1;
		start[n] = i;
		while (i < len && x[i] != '/')
			i++;
		end[n++] = i;
		if (i == len)
			return n;
		i++;
	}
}

/* 1 match, 0 no match, -1 too big to check */
static int ref_match(const char *p, const char *s)
{
	size_t ps[REF_MAX], pe[REF_MAX], ss[REF_MAX], se[REF_MAX];
	static unsigned char m[REF_MAX + 1][REF_MAX + 1];
	size_t np, ns, pl, sl, i, j;

	while (*s == '/')
		s++;
	pl = strlen(p);
	sl = strlen(s);
	if (pl > REF_MAX || sl > REF_MAX)
		return -1;
	np = split(p, pl, ps, pe);
	ns = split(s, sl, ss, se);
	/* m[i][j]: pattern components i.. match a prefix (>= 0 comps) of path comps j.. */
	for (i = np + 1; i-- > 0;) {
		for (j = ns + 1; j-- > 0;) {
			int r;

			if (i == np)
				r = 1;
			else if (pe[i] - ps[i] == 2 && p[ps[i]] == '*' && p[ps[i] + 1] == '*')
				r = m[i + 1][j] || (j < ns && m[i][j + 1]);
			else
				r = j < ns && m[i + 1][j + 1] &&
				    ref_comp(p + ps[i], pe[i] - ps[i], s + ss[j], se[j] - ss[j]);
			m[i][j] = (unsigned char)r;
		}
	}
	return m[0][0];
}

/* ---- the target ---- */

/*
 * Writes into out (600 bytes) a path built from pattern p, each wildcard
 * replaced by a choice derived from v: "**" by nothing, "d" or "d/e", '*' by
 * nothing or "s", '?' by 'q', a class by its first member ('~' if negated).
 */
static void instantiate(const char *p, unsigned int v, char *out)
{
	size_t o = 0;
	unsigned int k = v;

	while (*p && o < 500) {
		k = k * 7 + 3;
		if (p[0] == '*' && p[1] == '*') {
			p += 2;
			if (k % 3 == 1) {
				out[o++] = 'd';
			} else if (k % 3 == 2) {
				memcpy(out + o, "d/e", 3);
				o += 3;
			} else if (*p == '/') {
				p++;
			} else if (o) {
				o--;	/* the '/' before a trailing globstar */
			}
			continue;
		}
		if (*p == '*') {
			if (k % 2)
				out[o++] = 's';
			p++;
			continue;
		}
		if (*p == '?') {
			out[o++] = 'q';
			p++;
			continue;
		}
		if (*p == '[') {
			p++;
			if (*p == '!' || *p == '^') {
				out[o++] = '~';
				p++;
			} else {
				out[o++] = *p == '\\' && p[1] ? p[1] : *p;
			}
			if (*p == '\\' && p[1])
				p++;
			if (*p)
				p++;
			while (*p && *p != ']') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (*p)
				p++;
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		out[o++] = *p++;
	}
	out[o] = 0;
}

static struct ezn_rule rules[MAX_RULES], again;
static char paths[MAX_PATHS + MAX_RULES * VARIANTS * 3][600];
static char text[EZN_RULE_TEXT_MAX], text2[EZN_RULE_TEXT_MAX];

static void check_paths(const struct ezn_rule *r, size_t np)
{
	char longer[700];
	size_t k, i;

	for (k = 0; k < np; k++) {
		const char *path = paths[k];
		int m = ezn_glob_match(r->pattern, path, 0);
		int t = ezn_glob_match(r->pattern, path, EZN_MATCH_TRAVERSE);
		int ref = ref_match(r->pattern, path);

		if (ref >= 0 && ref != m)
			die(m ? "glob matched, reference did not" :
				"reference matched, glob did not", r->pattern, path);
		if (m && !t)
			die("matched but not traversable", r->pattern, path);
		if (!m)
			continue;
		snprintf(longer, sizeof(longer), "%s/x/y", path[0] ? path : "z");
		if (!ezn_glob_match(r->pattern, longer, 0))
			die("match does not cover descendants", r->pattern, longer);
		/* every ancestor of a matched path can be walked through */
		for (i = strlen(path); i-- > 0;) {
			if (path[i] != '/')
				continue;
			memcpy(longer, path, i);
			longer[i] = 0;
			if (!ezn_glob_match(r->pattern, longer, EZN_MATCH_TRAVERSE))
				die("ancestor of a match not traversable", r->pattern, longer);
		}
		if (!ezn_glob_match(r->pattern, "", EZN_MATCH_TRAVERSE))
			die("root not traversable", r->pattern, path);
	}
}

/* Paths below @path that a rule could single out: the fuzz paths, and names of its own. */
static void check_covers(size_t nr, size_t np, const char *cat, const char *path,
			 const struct ezn_subject *subj)
{
	static const char *const tails[] = { "x", "x/y", "a.key", "secret", "[", "**" };
	size_t plen = strlen(path), m;
	const char *p;
	char below[sizeof(paths[0]) + 8];
	int idx, want, f, v;

	for (want = 0; want < (int)nr; want++) {
		if (!ezn_policy_covers_below(rules, nr, cat, path, subj, want))
			continue;
		for (m = 0; m < np + ARRAY_SIZE(tails); m++) {
			if (m < np) {
				p = paths[m];
				if (!p[0] || (plen && (strncmp(p, path, plen) || p[plen] != '/')))
					continue;
				snprintf(below, sizeof(below), "%s", p);
			} else {
				snprintf(below, sizeof(below), "%s%s%s", path, plen ? "/" : "",
					 tails[m - np]);
			}
			for (f = 0; f < 2; f++) {
				v = ezn_policy_decide(rules, nr, cat, below, subj,
						      f ? EZN_MATCH_TRAVERSE : 0, &idx);
				if (v != EZN_ALLOW || idx != want)
					die("covered path decided otherwise", path, below);
			}
		}
	}
}

static void check_decide(size_t nr, size_t np)
{
	struct ezn_proc anc[3];
	struct ezn_subject subj;
	size_t i, k, j;
	int idx, v;

	for (i = 0; i < nr; i++) {
		const struct ezn_rule *r = &rules[i];

		memset(&subj, 0, sizeof(subj));
		if (r->shell[0]) {
			subj.self.exe = r->shell;
			subj.self.script = r->exe;
		} else {
			subj.self.exe = r->exe;
		}
		if (!ezn_rule_applies(r, &subj))
			die("rule does not apply to its own subject", r->exe, r->shell);
		if (r->nr_children) {
			anc[0].exe = r->children[r->nr_children - 1];
			anc[0].script = NULL;
			anc[1] = subj.self;
			subj.self.exe = r->children[0];
			subj.self.script = NULL;
			subj.ancestors = anc;
			subj.nr_ancestors = 2;
			if (!ezn_rule_applies(r, &subj))
				die("--children chain not applied", r->exe, r->children[0]);
		}
		for (k = 0; k < np; k++) {
			v = ezn_policy_decide(rules, nr, r->category, paths[k], &subj, 0, &idx);
			if (idx < -1 || idx >= (int)nr)
				die("rule index out of range", paths[k], r->exe);
			if (idx < 0 && v != EZN_DENY)
				die("allowed without a rule", paths[k], r->exe);
			if (idx >= 0 && rules[idx].type != v)
				die("deciding rule has the other type", paths[k], r->exe);
			for (j = 0; v == EZN_ALLOW && j < nr; j++)
				if (rules[j].type == EZN_DENY &&
				    !strcmp(rules[j].category, r->category) &&
				    ezn_rule_applies(&rules[j], &subj) &&
				    ezn_glob_match(rules[j].pattern, paths[k], 0))
					die("ALLOW despite a matching DENY", paths[k],
					    rules[j].pattern);
			v = ezn_policy_decide(rules, nr, r->category, paths[k], &subj,
					      EZN_MATCH_TRAVERSE, &idx);
			if (idx >= (int)nr || (idx >= 0 && rules[idx].type != v))
				die("traverse decision inconsistent", paths[k], r->exe);
			check_covers(nr, np, r->category, paths[k], &subj);
		}
	}
}

/* libFuzzer's entry point, named through asm to keep the identifier lower case */
int ezn_fuzz_one(const uint8_t *data, size_t size) __asm__("LLVMFuzzerTestOneInput");

int ezn_fuzz_one(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct ezn_parse_error err;
	size_t tlen = 0, nr = 0, np = 0, i, len, start, end;
	const char *s;
	unsigned int v;
	char *d;
	int ret;

	while (tlen < size && in[tlen])
		tlen++;

	/* the whole input as one line, NULs included */
	ret = ezn_rule_parse(in, size, &again, &err);
	if (ret < 0 && (err.column < 1 || err.column > size + 1 || !err.reason[0] ||
			strncmp(err.msg, "column ", 7)))
		die("bad error report", err.msg, NULL);

	ret = ezn_policy_parse(in, tlen, rules, MAX_RULES, &nr, &err);
	if (ret < 0 && (err.line < 1 || err.column < 1 || err.column > EZN_LINE_MAX + 1 ||
			!err.reason[0] || strncmp(err.msg, "line ", 5)))
		die("bad policy error report", err.msg, NULL);
	if (ret < 0)
		nr = 0;

	for (i = 0; i < nr; i++) {
		size_t at;
		const char *why;

		len = ezn_rule_print(&rules[i], text, sizeof(text));
		if (len >= sizeof(text) || strlen(text) != len)
			die("printed rule does not fit", text, NULL);
		ret = ezn_rule_parse(text, len, &again, &err);
		if (ret != 0)
			die("canonical text does not parse", text, err.msg);
		if (!ezn_rule_equal(&again, &rules[i]))
			die("parse(print(r)) != r", text, NULL);
		ezn_rule_print(&again, text2, sizeof(text2));
		if (strcmp(text, text2))
			die("printing is not stable", text, text2);
		if (ezn_pattern_check(rules[i].pattern, strlen(rules[i].pattern), &at, &why))
			die("stored pattern fails the check", rules[i].pattern, why);
		/* small buffers truncate, NUL-terminated */
		if (ezn_rule_print(&rules[i], text2, 7) != len ||
		    strlen(text2) != (len < 6 ? len : 6))
			die("truncated print wrong", text, text2);
	}

	/* paths: the lines after the NUL, and each pattern with escapes removed */
	start = tlen + 1;
	while (start <= size && np < MAX_PATHS) {
		end = start;
		while (end < size && in[end] != '\n')
			end++;
		len = end - start < sizeof(paths[0]) - 1 ? end - start : sizeof(paths[0]) - 1;
		memcpy(paths[np], in + start, len);
		paths[np][len] = 0;
		np++;
		start = end + 1;
	}
	for (i = 0; i < nr; i++) {
		for (v = 0; v < VARIANTS; v++) {
			d = paths[np++];
			instantiate(rules[i].pattern, v + (size ? data[size - 1] : 0), d);
			/* and its parent, and itself without the first component */
			s = strrchr(d, '/');
			if (s) {
				memcpy(paths[np], d, s - d);
				paths[np++][s - d] = 0;
				strcpy(paths[np++], strchr(d, '/') + 1);
			}
		}
	}
	for (i = 0; i < nr; i++)
		check_paths(&rules[i], np);
	check_decide(nr, np);
	return 0;
}
