/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stored access list, CONFIG_DIR/acl: what `ezn service start` loads into
 * the kernel and `ezn acl` keeps in step with it. A text file:
 *
 *	# ezncrypt access list: change it with ezn-acl, not by hand
 *	mode enforcing
 *	rule SHA256-HEX[,CHILD-SHA256-HEX...] CANONICAL-RULE-TEXT
 *	...
 *	hmac HEX
 *
 * The last line is HMAC-SHA256 under a key derived from the admin key
 * (HMAC-SHA256(admin, "ezncrypt acl file v1")) over every byte before it, so
 * root without the passphrase cannot change the list offline: a changed file
 * is refused as a whole. Each rule keeps the fingerprints pinned when it was
 * approved: its executable's (or script's), then one per --children entry.
 * A --children rule with no child fingerprints (written before they were
 * pinned) is read with nr_child_fp 0; any other count is refused.
 */
#ifndef EZN_ACL_FILE_H
#define EZN_ACL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "admin.h"

#define EZN_ACL_FILE	"acl"

struct ezn_acl_list {
	uint32_t mode;			/* enum ezn_mode */
	size_t nr;
	struct ezn_admin_rule *rules;	/* malloc()ed, EZN_POLICY_MAX_RULES */
};

/* An empty list in enforcing mode; -ENOMEM. */
int ezn_acl_list_init(struct ezn_acl_list *l);
void ezn_acl_list_free(struct ezn_acl_list *l);

/* Parses and authenticates text. err names the line. */
int ezn_acl_decode(const char *text, size_t len, const uint8_t admin[32], struct ezn_acl_list *l,
		   char *err, size_t errsz);
/* Encodes into a malloc()ed string. */
int ezn_acl_encode(const struct ezn_acl_list *l, const uint8_t admin[32], char **out,
		   size_t *len);

/* CONFIG_DIR/acl: a missing file is an empty list (return 1). */
int ezn_acl_load(const uint8_t admin[32], struct ezn_acl_list *l, char *err, size_t errsz);
int ezn_acl_save(const uint8_t admin[32], const struct ezn_acl_list *l, char *err, size_t errsz);

/* Index of the rule with this canonical text, or -1. */
int ezn_acl_find(const struct ezn_acl_list *l, const char *text);

#endif /* EZN_ACL_FILE_H */
