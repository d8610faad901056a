// SPDX-License-Identifier: GPL-2.0
/*
 * The stored, authenticated access list; see acl_file.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "config.h"
#include "acl_file.h"

#define EZN_ACL_HEADER	"# ezncrypt access list: change it with ezn-acl, not by hand\n"
#define EZN_ACL_LABEL	"ezncrypt acl file v1"

int ezn_acl_list_init(struct ezn_acl_list *l)
{
	l->mode = EZN_MODE_ENFORCING;
	l->nr = 0;
	l->rules = calloc(EZN_POLICY_MAX_RULES, sizeof(*l->rules));
	return l->rules ? 0 : -ENOMEM;
}

void ezn_acl_list_free(struct ezn_acl_list *l)
{
	free(l->rules);
	l->rules = NULL;
	l->nr = 0;
}

int ezn_acl_find(const struct ezn_acl_list *l, const char *text)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->rules[i].text, text))
			return i;
	return -1;
}

static void ezn_acl_mac(const uint8_t admin[32], const char *text, size_t len, uint8_t mac[32])
{
	static const char label[] = EZN_ACL_LABEL;
	uint8_t k[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256(k, (const unsigned char *)label, sizeof(label) - 1, admin);
	crypto_auth_hmacsha256_init(&st, k, sizeof(k));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)text, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(k, sizeof(k));
}

int ezn_acl_encode(const struct ezn_acl_list *l, const uint8_t admin[32], char **out,
		   size_t *len)
{
	size_t cap = 256, used, i;
	char hex[EZN_PINS_HEX_MAX];
	uint8_t mac[32];
	char *buf;

	for (i = 0; i < l->nr; i++)
		cap += strlen(l->rules[i].text) + EZN_PINS_HEX_MAX + 8;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	used = snprintf(buf, cap, "%smode %s\n", EZN_ACL_HEADER, ezn_admin_mode_name(l->mode));
	for (i = 0; i < l->nr; i++) {
		ezn_admin_pins_hex(&l->rules[i], hex);
		used += snprintf(buf + used, cap - used, "rule %s %s\n", hex, l->rules[i].text);
	}
	ezn_acl_mac(admin, buf, used, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	used += snprintf(buf + used, cap - used, "hmac %s\n", hex);
	*out = buf;
	*len = used;
	return 0;
}

/*
 * One rule line after "rule ": its fingerprints (comma separated, no
 * spaces), one space, the rule. rule is scratch.
 */
static int ezn_acl_decode_rule(const char *p, struct ezn_rule *rule, struct ezn_admin_rule *r,
			       char *why, size_t whysz)
{
	struct ezn_parse_error perr;
	const char *text = strchr(p, ' ');
	uint8_t *fp = r->fp;
	unsigned int nr = 0;
	size_t bin;

	if (!text) {
		snprintf(why, whysz, "no rule after the fingerprints");
		return -EINVAL;
	}
	for (;;) {
		if (text - p < 2 * EZN_FINGERPRINT_SIZE ||
		    sodium_hex2bin(fp, EZN_FINGERPRINT_SIZE, p, 2 * EZN_FINGERPRINT_SIZE, NULL,
				   &bin, NULL) || bin != EZN_FINGERPRINT_SIZE) {
			snprintf(why, whysz, "bad fingerprint");
			return -EINVAL;
		}
		p += 2 * EZN_FINGERPRINT_SIZE;
		if (*p != ',' || nr == EZN_MAX_CHILDREN)
			break;
		fp = r->child_fp[nr++];
		p++;
	}
	if (p != text) {
		snprintf(why, whysz, "bad fingerprint");
		return -EINVAL;
	}
	if (ezn_rule_parse(text + 1, strlen(text + 1), rule, &perr)) {
		snprintf(why, whysz, "%s", perr.msg);
		return -EINVAL;
	}
	r->nr_child_fp = nr;
	if (r->nr_child_fp && r->nr_child_fp != rule->nr_children) {
		snprintf(why, whysz, "%u --children fingerprints for %u entries",
			 r->nr_child_fp, rule->nr_children);
		return -EINVAL;
	}
	ezn_rule_print(rule, r->text, sizeof(r->text));
	return 0;
}

int ezn_acl_decode(const char *text, size_t len, const uint8_t admin[32], struct ezn_acl_list *l,
		   char *err, size_t errsz)
{
	const char *p = text, *end = text + len, *nl, *hmac_line = NULL;
	struct ezn_rule *rule;
	unsigned int lineno = 0;
	uint8_t mac[32], want[32];
	enum ezn_mode mode;
	size_t ll, bin;
	char line[EZN_LINE_MAX + EZN_PINS_HEX_MAX + 8], why[128];
	int ret = -EINVAL;

	rule = malloc(sizeof(*rule));
	if (!rule)
		return -ENOMEM;
	l->nr = 0;
	l->mode = EZN_MODE_ENFORCING;
	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', end - p);
		if (!nl) {
			snprintf(err, errsz, "line %u: truncated (no newline)", lineno);
			goto out;
		}
		ll = nl - p;
		if (hmac_line) {
			snprintf(err, errsz, "line %u: text after the hmac line", lineno);
			goto out;
		}
		if (ll >= sizeof(line)) {
			snprintf(err, errsz, "line %u: too long", lineno);
			goto out;
		}
		memcpy(line, p, ll);
		line[ll] = 0;
		if (!strncmp(line, "hmac ", 5)) {
			hmac_line = p;
			if (sodium_hex2bin(want, sizeof(want), line + 5, ll - 5, NULL, &bin,
					   NULL) || bin != sizeof(want)) {
				snprintf(err, errsz, "line %u: bad hmac", lineno);
				goto out;
			}
		} else if (line[0] == '#' || !line[0]) {
			/* comment */
		} else if (!strncmp(line, "mode ", 5)) {
			if (ezn_admin_mode_parse(line + 5, &mode)) {
				snprintf(err, errsz, "line %u: unknown mode '%s'", lineno,
					 line + 5);
				goto out;
			}
			l->mode = mode;
		} else if (!strncmp(line, "rule ", 5)) {
			if (l->nr == EZN_POLICY_MAX_RULES) {
				snprintf(err, errsz, "line %u: more than %d rules", lineno,
					 EZN_POLICY_MAX_RULES);
				goto out;
			}
			if (ezn_acl_decode_rule(line + 5, rule, &l->rules[l->nr], why,
						sizeof(why))) {
				snprintf(err, errsz, "line %u: %s", lineno, why);
				goto out;
			}
			l->rules[l->nr].index = l->nr;
			l->nr++;
		} else {
			snprintf(err, errsz, "line %u: not a mode, rule or hmac line", lineno);
			goto out;
		}
		p = nl + 1;
	}
	if (!hmac_line) {
		snprintf(err, errsz, "no hmac line: truncated or not written by ezn-acl");
		goto out;
	}
	ezn_acl_mac(admin, text, hmac_line - text, mac);
	if (sodium_memcmp(mac, want, sizeof(mac))) {
		snprintf(err, errsz,
			 "authentication failed: changed outside ezn-acl, or another admin key");
		ret = -EBADMSG;
		goto out;
	}
	ret = 0;
out:
	free(rule);
	if (ret)
		l->nr = 0;
	return ret;
}

int ezn_acl_load(const uint8_t admin[32], struct ezn_acl_list *l, char *err, size_t errsz)
{
	char path[PATH_MAX], why[256];
	size_t len;
	char *text;
	int ret;

	l->nr = 0;
	l->mode = EZN_MODE_ENFORCING;
	if (ezn_config_path(path, sizeof(path), EZN_ACL_FILE))
		return -ENAMETOOLONG;
	ret = ezn_read_file(path, &text, &len, 16 << 20);
	if (ret == -ENOENT)
		return 1;
	if (ret) {
		snprintf(err, errsz, "cannot read the access list '%s': %s", path, strerror(-ret));
		return ret;
	}
	ret = ezn_acl_decode(text, len, admin, l, why, sizeof(why));
	free(text);
	if (ret)
		snprintf(err, errsz, "access list '%s': %s", path, why);
	return ret;
}

int ezn_acl_save(const uint8_t admin[32], const struct ezn_acl_list *l, char *err, size_t errsz)
{
	char path[PATH_MAX];
	size_t len;
	char *text;
	int ret;

	if (ezn_config_path(path, sizeof(path), EZN_ACL_FILE))
		return -ENAMETOOLONG;
	ret = ezn_acl_encode(l, admin, &text, &len);
	if (ret) {
		snprintf(err, errsz, "out of memory");
		return ret;
	}
	ret = ezn_write_atomic(path, text, len, 0600);
	free(text);
	if (ret)
		snprintf(err, errsz, "cannot write the access list '%s': %s", path, strerror(-ret));
	return ret;
}
