/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hard links in a tree being moved by ezn encrypt/decrypt: the first path
 * seen for each inode with more than one link, so that the copy creates the
 * file once and links the others to it, and the comparison checks that they
 * are still one file.
 */
#ifndef EZN_ENCRYPT_LINKS_H
#define EZN_ENCRYPT_LINKS_H

#include <stddef.h>
#include <sys/types.h>

struct ezn_link_ent {
	dev_t dev;
	ino_t ino;
	char *rel;		/* NULL: a free slot */
};

struct ezn_links {
	struct ezn_link_ent *ent;
	size_t nr, cap;		/* cap: 0 or a power of two */
};

/*
 * Records rel as the first path of (dev, ino) and returns 0, or, when the
 * inode was seen before, returns 1 with *first set to the path recorded then
 * (valid until ezn_links_free). -ENOMEM when the table cannot grow.
 */
int ezn_links_note(struct ezn_links *l, dev_t dev, ino_t ino, const char *rel,
		   const char **first);
void ezn_links_free(struct ezn_links *l);

#endif /* EZN_ENCRYPT_LINKS_H */
