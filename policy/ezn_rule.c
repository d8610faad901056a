// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Rule parser and canonical printer. See ezn_rule.h and docs/RULES.md.
 *
 * The parser works on a byte range that need not be NUL-terminated (a netlink
 * attribute, a line of a file). Every error names the first byte at fault;
 * "missing" errors name the byte just past the last field (or the '#' that
 * starts a comment).
 */
#include "ezn_rule.h"
#include "ezn_str.h"

static void ezn_memzero(void *p, size_t n)
{
	char *c = p;

	while (n--)
		*c++ = 0;
}

static void ezn_memcpy(char *dst, const char *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

static int ezn_memeq(const char *a, const char *b, size_t n)
{
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

/* Appends to a buffer of fixed size, always NUL-terminated, counting all. */
struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void out_str(struct outbuf *o, const char *s)
{
	for (; *s; s++, o->len++)
		if (o->len + 1 < o->size)
			o->buf[o->len] = *s;
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
}

static void out_uint(struct outbuf *o, unsigned int v)
{
	char digits[12];
	int i = sizeof(digits) - 1;

	digits[i] = 0;
	do {
		digits[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_str(o, digits + i);
}

static void format_error(struct ezn_parse_error *err)
{
	struct outbuf o = { err->msg, sizeof(err->msg), 0 };

	if (err->line) {
		out_str(&o, "line ");
		out_uint(&o, err->line);
		out_str(&o, ", ");
	}
	out_str(&o, "column ");
	out_uint(&o, err->column);
	out_str(&o, ": ");
	out_str(&o, err->reason);
}

struct pstate {
	const char *s;
	size_t n;
	size_t pos;
	struct ezn_parse_error *err;
};

static int fail(struct pstate *ps, size_t at, const char *reason)
{
	if (ps->err) {
		ps->err->column = (unsigned int)at + 1;
		ps->err->reason = reason;
		format_error(ps->err);
	}
	return -EZN_EINVAL;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Skips blanks; 1 if a field starts at ps->pos, 0 at the end or a comment. */
static int next_field(struct pstate *ps)
{
	while (ps->pos < ps->n && is_blank(ps->s[ps->pos]))
		ps->pos++;
	return ps->pos < ps->n && ps->s[ps->pos] != '#';
}

/* End of the field at ps->pos; with escapes, "\x" never ends it. */
static size_t field_end(const struct pstate *ps, int escapes)
{
	size_t i = ps->pos;

	while (i < ps->n && !is_blank(ps->s[i])) {
		if (escapes && ps->s[i] == '\\' && i + 1 < ps->n)
			i++;
		i++;
	}
	return i;
}

static int field_is(const struct pstate *ps, size_t end, const char *word)
{
	size_t len = ezn_strlen(word);

	return end - ps->pos == len && ezn_memeq(ps->s + ps->pos, word, len);
}

static int has_prefix(const char *s, size_t start, size_t end, const char *prefix)
{
	size_t len = ezn_strlen(prefix);

	return end - start >= len && ezn_memeq(s + start, prefix, len);
}

/*
 * Validates the absolute, normalized path s[start..end) and copies it to out
 * (EZN_PATH_MAX bytes). not_abs is the reason when it is not absolute.
 */
static int take_path(struct pstate *ps, size_t start, size_t end, const char *not_abs, char *out)
{
	const char *s = ps->s;
	size_t i, cs;

	if (start == end || s[start] != '/')
		return fail(ps, start, not_abs);
	if (end - start >= EZN_PATH_MAX)
		return fail(ps, start + EZN_PATH_MAX - 1, "path too long (max 255 bytes)");
	i = start + 1;
	for (;;) {
		cs = i;
		while (i < end && s[i] != '/')
			i++;
		if (i == cs)
			return i == end ? fail(ps, i - 1, "trailing '/' in path") :
					  fail(ps, i, "empty component ('//') in path");
		if ((i - cs == 1 && s[cs] == '.') ||
		    (i - cs == 2 && s[cs] == '.' && s[cs + 1] == '.'))
			return fail(ps, cs, "'.' or '..' component in path");
		if (i == end)
			break;
		i++;
	}
	ezn_memcpy(out, s + start, end - start);
	out[end - start] = 0;
	return 0;
}

static int is_category_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

static int parse_category(struct pstate *ps, struct ezn_rule *rule)
{
	size_t end, i, start;

	if (!next_field(ps))
		return fail(ps, ps->pos, "missing category");
	end = field_end(ps, 0);
	if (ps->s[ps->pos] != '@')
		return fail(ps, ps->pos, "category must start with '@'");
	start = ps->pos + 1;
	if (start == end)
		return fail(ps, start, "empty category name");
	for (i = start; i < end; i++) {
		if (!is_category_char(ps->s[i]))
			return fail(ps, i,
				    "invalid character in category (allowed: A-Z a-z 0-9 _ . -)");
		if (i - start == EZN_CATEGORY_MAX)
			return fail(ps, i, "category too long (max 31 characters)");
	}
	if ((end - start == 1 && ps->s[start] == '.') ||
	    (end - start == 2 && ps->s[start] == '.' && ps->s[start + 1] == '.'))
		return fail(ps, start, "category cannot be '.' or '..'");
	ezn_memcpy(rule->category, ps->s + start, end - start);
	ps->pos = end;
	return 0;
}

static int parse_pattern(struct pstate *ps, struct ezn_rule *rule)
{
	size_t end, at;
	const char *reason;

	if (!next_field(ps))
		return fail(ps, ps->pos, "missing path pattern");
	end = field_end(ps, 1);
	if (ezn_pattern_check(ps->s + ps->pos, end - ps->pos, &at, &reason))
		return fail(ps, ps->pos + at, reason);
	if (end - ps->pos >= EZN_PATTERN_MAX)
		return fail(ps, ps->pos + EZN_PATTERN_MAX - 1,
			    "path pattern too long (max 255 bytes)");
	ezn_memcpy(rule->pattern, ps->s + ps->pos, end - ps->pos);
	ps->pos = end;
	return 0;
}

static int parse_children(struct pstate *ps, size_t start, size_t end, struct ezn_rule *rule)
{
	size_t i = start, e;
	unsigned int k;

	for (;;) {
		e = i;
		while (e < end && ps->s[e] != ',')
			e++;
		if (e == i)
			return fail(ps, i, "empty entry in --children");
		if (rule->nr_children == EZN_MAX_CHILDREN)
			return fail(ps, i, "too many --children entries (max 8)");
		if (take_path(ps, i, e, "--children entries must be absolute paths",
			      rule->children[rule->nr_children]))
			return -EZN_EINVAL;
		for (k = 0; k < rule->nr_children; k++)
			if (ezn_streq(rule->children[k], rule->children[rule->nr_children]))
				return fail(ps, i, "duplicate entry in --children");
		rule->nr_children++;
		if (e == end)
			return 0;
		i = e + 1;
	}
}

static int parse_options(struct pstate *ps, struct ezn_rule *rule)
{
	int have_children = 0;
	size_t end, fs;

	while (next_field(ps)) {
		end = field_end(ps, 0);
		fs = ps->pos;
		if (has_prefix(ps->s, fs, end, "--shell=")) {
			if (rule->shell[0])
				return fail(ps, fs, "--shell given twice");
			if (take_path(ps, fs + 8, end, "--shell needs an absolute path",
				      rule->shell))
				return -EZN_EINVAL;
		} else if (has_prefix(ps->s, fs, end, "--children=")) {
			if (have_children)
				return fail(ps, fs, "--children given twice");
			have_children = 1;
			if (parse_children(ps, fs + 11, end, rule))
				return -EZN_EINVAL;
		} else if (field_is(ps, end, "--shell")) {
			return fail(ps, fs, "--shell needs '=PATH'");
		} else if (field_is(ps, end, "--children")) {
			return fail(ps, fs, "--children needs '=PATH[,PATH...]'");
		} else if (has_prefix(ps->s, fs, end, "--")) {
			return fail(ps, fs, "unknown option (known: --shell=, --children=)");
		} else {
			return fail(ps, fs, "unexpected field after the executable");
		}
		ps->pos = end;
	}
	return 0;
}

int ezn_rule_parse(const char *line, size_t len, struct ezn_rule *rule,
		   struct ezn_parse_error *err)
{
	struct pstate ps = { line, len, 0, err };
	size_t i, end;

	ezn_memzero(rule, sizeof(*rule));
	if (err) {
		err->line = 0;
		err->column = 0;
		err->reason = "";
		err->msg[0] = 0;
	}
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	ps.n = len;
	if (len > EZN_LINE_MAX)
		return fail(&ps, EZN_LINE_MAX, "line too long (max 4096 bytes)");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(&ps, i, "control character in line");
	}
	if (!next_field(&ps))
		return EZN_PARSE_BLANK;
	end = field_end(&ps, 0);
	if (field_is(&ps, end, "ALLOW"))
		rule->type = EZN_ALLOW;
	else if (field_is(&ps, end, "DENY"))
		rule->type = EZN_DENY;
	else
		return fail(&ps, ps.pos, "expected ALLOW or DENY");
	ps.pos = end;
	if (parse_category(&ps, rule) || parse_pattern(&ps, rule))
		goto bad;
	if (!next_field(&ps)) {
		fail(&ps, ps.pos, "missing executable");
		goto bad;
	}
	end = field_end(&ps, 0);
	if (take_path(&ps, ps.pos, end, "executable must be an absolute path", rule->exe))
		goto bad;
	ps.pos = end;
	if (parse_options(&ps, rule))
		goto bad;
	return 0;
bad:
	ezn_memzero(rule, sizeof(*rule));
	return -EZN_EINVAL;
}

/* A line that holds no rule: blanks, then the end or a comment. */
static int line_is_blank(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && (is_blank(s[i]) || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i == n || s[i] == '#';
}

int ezn_policy_parse(const char *text, size_t len, struct ezn_rule *rules, size_t max_rules,
		     size_t *nr_rules, struct ezn_parse_error *err)
{
	size_t start = 0, end, count = 0;
	unsigned int lineno = 0;
	int ret;

	*nr_rules = 0;
	if (err) {
		err->line = 0;
		err->column = 0;
		err->reason = "";
		err->msg[0] = 0;
	}
	while (start < len) {
		end = start;
		while (end < len && text[end] != '\n')
			end++;
		if (end < len)
			end++;	/* the parser takes the '\n' with the line */
		lineno++;
		if (count == max_rules) {
			/* No room to parse into: only blank lines may follow. */
			if (!line_is_blank(text + start, end - start)) {
				if (err) {
					err->line = lineno;
					err->column = 1;
					err->reason = "too many rules";
					format_error(err);
				}
				return -EZN_EINVAL;
			}
			ret = EZN_PARSE_BLANK;
		} else {
			ret = ezn_rule_parse(text + start, end - start, &rules[count], err);
		}
		if (ret < 0) {
			if (err) {
				err->line = lineno;
				format_error(err);
			}
			return ret;
		}
		if (ret == 0)
			*nr_rules = ++count;
		start = end;
	}
	return 0;
}

const char *ezn_rule_type_name(unsigned int type)
{
	if (type == EZN_ALLOW)
		return "ALLOW";
	if (type == EZN_DENY)
		return "DENY";
	return "?";
}

size_t ezn_rule_print(const struct ezn_rule *rule, char *buf, size_t size)
{
	struct outbuf o = { buf, size, 0 };
	unsigned int i;

	if (size)
		buf[0] = 0;
	out_str(&o, ezn_rule_type_name(rule->type));
	out_str(&o, " @");
	out_str(&o, rule->category);
	out_str(&o, " ");
	out_str(&o, rule->pattern);
	out_str(&o, " ");
	out_str(&o, rule->exe);
	if (rule->shell[0]) {
		out_str(&o, " --shell=");
		out_str(&o, rule->shell);
	}
	for (i = 0; i < rule->nr_children && i < EZN_MAX_CHILDREN; i++) {
		out_str(&o, i ? "," : " --children=");
		out_str(&o, rule->children[i]);
	}
	return o.len;
}

int ezn_rule_equal(const struct ezn_rule *a, const struct ezn_rule *b)
{
	unsigned int i;

	if (a->type != b->type || a->nr_children != b->nr_children ||
	    a->nr_children > EZN_MAX_CHILDREN || !ezn_streq(a->category, b->category) ||
	    !ezn_streq(a->pattern, b->pattern) || !ezn_streq(a->exe, b->exe) ||
	    !ezn_streq(a->shell, b->shell))
		return 0;
	for (i = 0; i < a->nr_children; i++)
		if (!ezn_streq(a->children[i], b->children[i]))
			return 0;
	return 1;
}
