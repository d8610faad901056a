/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Directory trees for ezn encrypt/decrypt: scan (count, refuse what cannot be
 * moved faithfully), copy (contents, modes, owners, times, symlinks, hard
 * links, user.* attributes and POSIX ACLs), compare, remove, and the
 * compressed safety copy (libarchive, tar + zstd).
 */
#ifndef EZN_TREE_H
#define EZN_TREE_H

#include <stdint.h>

#include "progress.h"

struct ezn_tree_stats {
	uint64_t files;		/* every entry but the root */
	uint64_t bytes;		/* regular file contents, a hard-linked file's once */
	uint64_t blocks4k;	/* regular files, in 4 KiB blocks */
};

/*
 * Counts src; refuses (-EINVAL, with the path in bad) devices, fifos,
 * sockets and anything on another file system (a mount point inside).
 */
int ezn_tree_scan(const char *src, struct ezn_tree_stats *st, char *bad, unsigned int badsz);
/*
 * Copies src to dst (which must not exist); fsyncs; reports progress. A file
 * with several names in src is copied once and linked; an attribute dst
 * refuses is a warning on stderr. A full disk is said so in bad.
 */
int ezn_tree_copy(const char *src, const char *dst, struct ezn_progress *p, char *bad,
		  unsigned int badsz);
/*
 * 0 when dst has the same entries, types, contents, symlink targets, hard
 * links and (where dst holds them) carried attributes as src.
 */
int ezn_tree_compare(const char *src, const char *dst, struct ezn_progress *p, char *bad,
		     unsigned int badsz);
/* rm -rf; 0 when path does not exist. */
int ezn_tree_remove(const char *path);
/* tar + zstd (gzip where zstd is unavailable) of src into archive (atomically). */
int ezn_tree_archive(const char *src, const char *archive, struct ezn_progress *p, char *bad,
		     unsigned int badsz);

#endif /* EZN_TREE_H */
