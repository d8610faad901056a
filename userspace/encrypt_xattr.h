/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Extended attributes carried by ezn encrypt/decrypt: user.* and the POSIX
 * ACLs (system.posix_acl_access, system.posix_acl_default). Others (security.*,
 * trusted.*) belong to the file system or the machine and stay behind.
 */
#ifndef EZN_ENCRYPT_XATTR_H
#define EZN_ENCRYPT_XATTR_H

#include <stdbool.h>

bool ezn_xattr_carried(const char *name);
/*
 * Copies from's carried attributes onto to (neither followed if a symlink).
 * One that cannot be read or set is not fatal: a warning naming the file and
 * the attribute goes to stderr. Returns the number of such warnings.
 */
unsigned int ezn_xattr_copy(const char *from, const char *to);
/*
 * 0 when every carried attribute of a that b holds has the same value there
 * (one b lacks was not carried, and ezn_xattr_copy warned); -EBADMSG with the
 * attribute named in bad otherwise.
 */
int ezn_xattr_compare(const char *a, const char *b, char *bad, unsigned int badsz);

#endif /* EZN_ENCRYPT_XATTR_H */
