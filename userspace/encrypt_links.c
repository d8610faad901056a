// SPDX-License-Identifier: GPL-2.0
/*
 * The hard-link table of ezn encrypt/decrypt; see encrypt_links.h. An open
 * addressing hash table keyed by device and inode number.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encrypt_links.h"

static size_t ezn_links_hash(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = ((uint64_t)ino ^ ((uint64_t)dev << 32 | (uint64_t)dev >> 32)) *
		     0x9e3779b97f4a7c15ULL;

	return (h >> 17) & (cap - 1);
}

static struct ezn_link_ent *ezn_links_slot(struct ezn_link_ent *ent, size_t cap, dev_t dev,
					   ino_t ino)
{
	size_t i = ezn_links_hash(dev, ino, cap);

	while (ent[i].rel && (ent[i].dev != dev || ent[i].ino != ino))
		i = (i + 1) & (cap - 1);
	return &ent[i];
}

static int ezn_links_grow(struct ezn_links *l)
{
	size_t cap = l->cap ? 2 * l->cap : 64, i;
	struct ezn_link_ent *ent, *e;

	ent = calloc(cap, sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	for (i = 0; i < l->cap; i++) {
		if (!l->ent[i].rel)
			continue;
		e = ezn_links_slot(ent, cap, l->ent[i].dev, l->ent[i].ino);
		*e = l->ent[i];
	}
	free(l->ent);
	l->ent = ent;
	l->cap = cap;
	return 0;
}

int ezn_links_note(struct ezn_links *l, dev_t dev, ino_t ino, const char *rel,
		   const char **first)
{
	struct ezn_link_ent *e;
	int err;

	if (l->cap) {
		e = ezn_links_slot(l->ent, l->cap, dev, ino);
		if (e->rel) {
			*first = e->rel;
			return 1;
		}
	}
	if (2 * (l->nr + 1) > l->cap) {
		err = ezn_links_grow(l);
		if (err)
			return err;
	}
	e = ezn_links_slot(l->ent, l->cap, dev, ino);
	e->rel = strdup(rel);
	if (!e->rel)
		return -ENOMEM;
	e->dev = dev;
	e->ino = ino;
	l->nr++;
	return 0;
}

void ezn_links_free(struct ezn_links *l)
{
	size_t i;

	for (i = 0; i < l->cap; i++)
		free(l->ent[i].rel);
	free(l->ent);
	memset(l, 0, sizeof(*l));
}
