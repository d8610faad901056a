// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Glob matching and the ALLOW/DENY decision. See ezn_rule.h and
 * docs/RULES.md for the semantics.
 *
 * A pattern is a list of '/'-separated components. "**" components match any
 * number of whole path components; every other component matches exactly one
 * path component, with '*', '?', '[...]' and '\x' never crossing a '/'. So a
 * pattern is S0 ** S1 ** ... ** Sn where each Si has a fixed number of
 * components. S0 must sit at the start of the path; each later Si is placed at
 * the earliest component where it fits. Earliest placement is always safe, as
 * it leaves the most path for the segments after it, so no backtracking across
 * "**" is needed, and within a component the classic single-star backtracking
 * is quadratic at worst.
 */
#include "ezn_rule.h"
#include "ezn_str.h"

/*
 * Scans the character class starting at p[i] == '[' (p has n bytes). On
 * success returns 0, sets *end just past the closing ']' and *hit to whether
 * byte c is in the class. On a malformed class returns -1 with *at and
 * *reason (either may be NULL in the matcher).
 */
static int scan_class(const char *p, size_t n, size_t i, unsigned char c, size_t *end, int *hit,
		      size_t *at, const char **reason)
{
	size_t open = i;
	int neg = 0, in = 0, first = 1;
	unsigned char lo, hi;

	i++;
	if (i < n && (p[i] == '!' || p[i] == '^')) {
		neg = 1;
		i++;
	}
	for (;;) {
		size_t here = i;

		if (i >= n)
			goto unterminated;
		/* ']' right after '[' or '[!' is a member, not the end. */
		if (p[i] == ']' && !first)
			break;
		first = 0;
		if (p[i] == '\\' && ++i >= n)
			goto unterminated;
		if (p[i] == '/')
			goto slash;
		lo = (unsigned char)p[i++];
		hi = lo;
		if (i + 1 < n && p[i] == '-' && p[i + 1] != ']') {
			i++;
			if (p[i] == '\\' && ++i >= n)
				goto unterminated;
			if (p[i] == '/')
				goto slash;
			hi = (unsigned char)p[i++];
			if (hi < lo) {
				*at = here;
				*reason = "invalid range in character class";
				return -1;
			}
		}
		if (c >= lo && c <= hi)
			in = 1;
	}
	*end = i + 1;
	*hit = in != neg;
	return 0;
unterminated:
	*at = open;
	*reason = "unterminated character class";
	return -1;
slash:
	*at = i;
	*reason = "'/' in character class";
	return -1;
}

int ezn_pattern_check(const char *p, size_t n, size_t *at, const char **reason)
{
	size_t i = 0, start, end;
	int hit;

	if (n == 0) {
		*at = 0;
		*reason = "empty path pattern";
		return -EZN_EINVAL;
	}
	if (p[0] == '/') {
		*at = 0;
		*reason = "path pattern must be relative (no leading '/')";
		return -EZN_EINVAL;
	}
	for (;;) {
		/* one component: p[start..i) */
		/* first_star: start of the first run of two or more '*', or n */
		size_t first_star = n, run = 0;

		start = i;
		while (i < n && p[i] != '/') {
			unsigned char c = (unsigned char)p[i];

			if (c < 0x20 || c == 0x7f) {
				*at = i;
				*reason = "control character in pattern";
				return -EZN_EINVAL;
			}
			if (c == '*') {
				if (run == 1 && first_star == n)
					first_star = i - 1;
				run++;
				i++;
				continue;
			}
			run = 0;
			if (c == '\\') {
				if (i + 1 >= n) {
					*at = i;
					*reason = "trailing backslash in pattern";
					return -EZN_EINVAL;
				}
				if (p[i + 1] == '/') {
					*at = i;
					*reason = "'/' cannot be escaped";
					return -EZN_EINVAL;
				}
				c = (unsigned char)p[i + 1];
				if (c < 0x20 || c == 0x7f) {
					*at = i + 1;
					*reason = "control character in pattern";
					return -EZN_EINVAL;
				}
				i += 2;
				continue;
			}
			if (c == '[') {
				if (scan_class(p, n, i, 0, &end, &hit, at, reason))
					return -EZN_EINVAL;
				i = end;
				continue;
			}
			i++;
		}
		/* "**" is only valid as a whole component. */
		if (first_star != n && !(first_star == start && i - start == 2)) {
			*at = first_star;
			*reason = "'**' must be a whole path component";
			return -EZN_EINVAL;
		}
		if (i == start) {
			*at = i;
			*reason = i == n ? "trailing '/' in pattern" :
					   "empty path component ('//')";
			return -EZN_EINVAL;
		}
		if ((i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && p[start] == '.' && p[start + 1] == '.')) {
			*at = start;
			*reason = "'.' or '..' component in pattern";
			return -EZN_EINVAL;
		}
		if (i >= n)
			return 0;
		i++;	/* the '/' */
		if (i == n) {
			*at = i - 1;
			*reason = "trailing '/' in pattern";
			return -EZN_EINVAL;
		}
	}
}

/*
 * Matches one pattern component p[0..pn) against one path component
 * s[0..sn). Single-star backtracking: on a mismatch, only the most recent '*'
 * is retried one byte further, which is enough because a later '*' can absorb
 * anything an earlier one could.
 */
static int comp_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = 0, star_s = 0, end;
	int have_star = 0, hit;
	size_t dummy_at;
	const char *dummy_reason;

	while (si < sn) {
		if (pi < pn) {
			unsigned char c = (unsigned char)p[pi];

			if (c == '*') {
				have_star = 1;
				star_p = ++pi;
				star_s = si;
				continue;
			}
			if (c == '?') {
				pi++;
				si++;
				continue;
			}
			if (c == '[' && !scan_class(p, pn, pi, (unsigned char)s[si], &end, &hit,
						    &dummy_at, &dummy_reason)) {
				if (hit) {
					pi = end;
					si++;
					continue;
				}
			} else {
				size_t adv = 1;

				if (c == '\\' && pi + 1 < pn) {
					c = (unsigned char)p[pi + 1];
					adv = 2;
				}
				if ((unsigned char)s[si] == c) {
					pi += adv;
					si++;
					continue;
				}
			}
		}
		if (!have_star)
			return 0;
		pi = star_p;
		si = ++star_s;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

/* Component iteration: a component of x starting at pos ends at *end ('/' or len). */
static size_t comp_end(const char *x, size_t len, size_t pos)
{
	while (pos < len && x[pos] != '/')
		pos++;
	return pos;
}

static int is_globstar(const char *p, size_t start, size_t end)
{
	return end - start == 2 && p[start] == '*' && p[start + 1] == '*';
}

/*
 * Matches the segment of pattern components from *pp up to the next "**" (or
 * the end) against path components from sp. Positions past the length mean
 * "exhausted". On success returns 1 with *pp at the next "**" component (or
 * pn + 1) and *sp_out after the last path component used.
 */
static int seg_match(const char *p, size_t pn, size_t *pp, const char *s, size_t sn, size_t sp,
		     size_t *sp_out)
{
	size_t pi = *pp, pe, se;

	while (pi <= pn) {
		pe = comp_end(p, pn, pi);
		if (is_globstar(p, pi, pe))
			break;
		if (sp > sn)
			return 0;
		se = comp_end(s, sn, sp);
		if (!comp_match(p + pi, pe - pi, s + sp, se - sp))
			return 0;
		pi = pe + 1;
		sp = se + 1;
	}
	*pp = pi;
	*sp_out = sp;
	return 1;
}

static int glob_full(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pp = 0, sp = 0, next_sp, pe, j;

	/* S0 is anchored at the first path component. */
	if (!seg_match(p, pn, &pp, s, sn, 0, &sp))
		return 0;
	for (;;) {
		/* Invariant: pp is past the end or at a "**" component. */
		while (pp <= pn) {
			pe = comp_end(p, pn, pp);
			if (!is_globstar(p, pp, pe))
				break;
			pp = pe + 1;
		}
		/* Nothing left, or only "**": the path or an ancestor matched. */
		if (pp > pn)
			return 1;
		for (j = sp; j <= sn; j = comp_end(s, sn, j) + 1) {
			size_t try_pp = pp;

			if (seg_match(p, pn, &try_pp, s, sn, j, &next_sp)) {
				pp = try_pp;
				sp = next_sp;
				break;
			}
		}
		if (j > sn)
			return 0;
	}
}

/* Could p match path s or something below it? Walks both in lockstep. */
static int glob_traverse(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pp = 0, sp = 0, pe, se;

	if (sn == 0)
		return 1;	/* the root is above everything */
	for (;;) {
		if (pp > pn || sp > sn)
			return 1;
		pe = comp_end(p, pn, pp);
		if (is_globstar(p, pp, pe))
			return 1;
		se = comp_end(s, sn, sp);
		if (!comp_match(p + pp, pe - pp, s + sp, se - sp))
			return 0;
		pp = pe + 1;
		sp = se + 1;
	}
}

int ezn_glob_match(const char *pattern, const char *path, unsigned int flags)
{
	size_t pn, sn;

	if (!pattern || !path)
		return 0;
	while (*path == '/')
		path++;
	pn = ezn_strlen(pattern);
	sn = ezn_strlen(path);
	if (flags & EZN_MATCH_TRAVERSE)
		return glob_traverse(pattern, pn, path, sn);
	return glob_full(pattern, pn, path, sn);
}

static int proc_is(const struct ezn_rule *r, const struct ezn_proc *proc)
{
	if (!proc->exe)
		return 0;
	if (r->shell[0])
		return proc->script && ezn_streq(proc->exe, r->shell) &&
		       ezn_streq(proc->script, r->exe);
	return ezn_streq(proc->exe, r->exe);
}

int ezn_rule_child_index(const struct ezn_rule *r, const char *exe)
{
	int i;

	if (!exe)
		return -1;
	for (i = 0; i < r->nr_children && i < EZN_MAX_CHILDREN; i++)
		if (ezn_streq(exe, r->children[i]))
			return i;
	return -1;
}

int ezn_rule_applies(const struct ezn_rule *r, const struct ezn_subject *subj)
{
	unsigned int i;

	if (!subj)
		return 0;
	if (proc_is(r, &subj->self))
		return 1;
	if (ezn_rule_child_index(r, subj->self.exe) < 0 || !subj->ancestors)
		return 0;
	for (i = 0; i < subj->nr_ancestors; i++) {
		if (proc_is(r, &subj->ancestors[i]))
			return 1;
		if (ezn_rule_child_index(r, subj->ancestors[i].exe) < 0)
			return 0;
	}
	return 0;
}

int ezn_policy_decide(const struct ezn_rule *rules, size_t nr_rules, const char *category,
		      const char *path, const struct ezn_subject *subject, unsigned int flags,
		      int *rule_index)
{
	int allow = -1;
	size_t i;

	if (rule_index)
		*rule_index = -1;
	if (!rules || !category || !path || !subject)
		return EZN_DENY;
	for (i = 0; i < nr_rules; i++) {
		const struct ezn_rule *r = &rules[i];

		if (!ezn_streq(r->category, category) || !ezn_rule_applies(r, subject))
			continue;
		if (r->type == EZN_DENY) {
			/* A DENY rule needs a real match even when traversing. */
			if (ezn_glob_match(r->pattern, path, 0)) {
				if (rule_index)
					*rule_index = (int)i;
				return EZN_DENY;
			}
		} else if (r->type == EZN_ALLOW && allow < 0 &&
			   ezn_glob_match(r->pattern, path, flags & EZN_MATCH_TRAVERSE)) {
			allow = (int)i;
		}
	}
	if (rule_index)
		*rule_index = allow;
	return allow >= 0 ? EZN_ALLOW : EZN_DENY;
}

int ezn_policy_covers_below(const struct ezn_rule *rules, size_t nr_rules, const char *category,
			    const char *path, const struct ezn_subject *subject, int rule_index)
{
	const struct ezn_rule *r;
	size_t i;

	if (!rules || !category || !path || !subject || rule_index < 0 ||
	    (size_t)rule_index >= nr_rules)
		return 0;
	r = &rules[rule_index];
	/* Matching path, it matches everything below it (an ancestor match). */
	if (r->type != EZN_ALLOW || !ezn_streq(r->category, category) ||
	    !ezn_rule_applies(r, subject) || !ezn_glob_match(r->pattern, path, 0))
		return 0;
	/*
	 * No DENY, and no ALLOW ahead of it, may match anything below path.
	 * A traverse match is a superset of that: a component that differs
	 * within path differs for every path below it too.
	 */
	for (i = 0; i < nr_rules; i++) {
		r = &rules[i];
		if (i == (size_t)rule_index || (r->type == EZN_ALLOW && i > (size_t)rule_index))
			continue;
		if (ezn_streq(r->category, category) && ezn_rule_applies(r, subject) &&
		    ezn_glob_match(r->pattern, path, EZN_MATCH_TRAVERSE))
			return 0;
	}
	return 1;
}
