// SPDX-License-Identifier: GPL-2.0
/*
 * ezn key rotate @CATEGORY: a new master key for a category, online, without
 * re-encrypting any data (FORMAT.md "Key rotation", docs/TOOLS.md).
 *
 *  1. The new key is recorded in the keystore's rotation journal ("pending")
 *     before anything else changes; a rerun finds it there and resumes.
 *  2. It is loaded as the logon key "ezncrypt:CAT#new" and, when the category
 *     is mounted, handed to the module (EZN_CMD_KEY_ROTATE): new headers are
 *     wrapped with it, the old key still opens the others, and the module
 *     rewrites the lower root's marker. Not mounted: the marker is rewritten
 *     here.
 *  3. Every regular file of the lower directory has its header rewrapped:
 *     the 76 bytes from the key id to the tag, one pwrite() in the first
 *     sector, then fdatasync(). A header already under the new key id is
 *     skipped, which is what makes the walk resumable. The walk is repeated
 *     until a pass finds no header under the old key.
 *  4. The module drops the old key (EZN_CMD_KEY_RETIRE), the keystore makes
 *     the new key current and forgets the old one (atomically), and the logon
 *     key "ezncrypt:CAT" gets the new key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "admin.h"
#include "config.h"
#include "keystore.h"
#include "log.h"
#include "mounts.h"
#include "progress.h"
#include "prompt.h"
#include "ezn_v1.h"

#define EZN_FSTYPE_NAME	"ezncryptfs"
#define EZN_WALK_DEPTH	256
#define EZN_WALK_PASSES	4

struct ezn_rotation {
	const char *cat;
	struct ezn_keys *old_keys, *new_keys;	/* sodium_malloc() */
	struct ezn_progress prog;
	bool counting;		/* a first walk that only counts the files */
	int pass;
	uint64_t total, rewrapped, current, old_left, skipped, errors;
};

/* One lower file: rewrap its header when it is under the old key. */
static void ezn_rotate_file(struct ezn_rotation *r, int dfd, const char *name, const char *path)
{
	struct timespec times[2];
	const char *why = NULL;
	enum ezn_status st;
	struct stat stbuf;
	uint8_t *hdr;
	ssize_t n;
	int fd;

	if (r->counting) {
		r->total++;
		return;
	}
	hdr = sodium_malloc(EZN_HEADER_SIZE);
	if (!hdr) {
		r->errors++;
		return;
	}
	fd = openat(dfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ezn_err("%s: cannot open: %s", path, strerror(errno));
		r->errors++;
		goto free_hdr;
	}
	if (fstat(fd, &stbuf) || !S_ISREG(stbuf.st_mode))
		goto close_fd;
	if (stbuf.st_size < EZN_HEADER_SIZE) {
		/* Empty (no header yet) or a header write cut short: nothing wrapped. */
		r->skipped++;
		goto close_fd;
	}
	n = pread(fd, hdr, EZN_HEADER_SIZE, 0);
	if (n != EZN_HEADER_SIZE) {
		ezn_err("%s: cannot read the header: %s", path, n < 0 ? strerror(errno) : "short");
		r->errors++;
		goto close_fd;
	}
	if (!sodium_memcmp(hdr + EZN_HDR_KEY_ID_OFF, r->new_keys->key_id, EZN_KEY_ID_SIZE)) {
		r->current++;
		goto close_fd;
	}
	st = ezn_header_rewrap(r->old_keys, r->new_keys, hdr, &why);
	if (st != EZN_OK) {
		ezn_err("%s: header not rewrapped: %s", path, why);
		r->errors++;
		goto close_fd;
	}
	r->old_left++;
	/* One write inside the first sector: the old or the new header, never a mix. */
	n = pwrite(fd, hdr + EZN_HDR_REWRAP_OFF, EZN_HDR_REWRAP_SIZE, EZN_HDR_REWRAP_OFF);
	if (n != EZN_HDR_REWRAP_SIZE || fdatasync(fd)) {
		ezn_err("%s: cannot write the header: %s", path, n < 0 ? strerror(errno) : "short");
		r->errors++;
		goto close_fd;
	}
	/* The rewrap is not a change of the file's content: keep its mtime. */
	times[0].tv_nsec = UTIME_OMIT;
	times[1] = stbuf.st_mtim;
	futimens(fd, times);
	r->rewrapped++;
close_fd:
	close(fd);
	if (r->pass == 0)
		ezn_progress_add(&r->prog, 1, 0);
free_hdr:
	sodium_free(hdr);
}

static void ezn_rotate_dir(struct ezn_rotation *r, int dfd, const char *path, int depth)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd;

	if (depth > EZN_WALK_DEPTH) {
		ezn_err("%s: too deep", path);
		r->errors++;
		close(dfd);
		return;
	}
	d = fdopendir(dfd);
	if (!d) {
		ezn_err("%s: %s", path, strerror(errno));
		r->errors++;
		close(dfd);
		return;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (depth == 0 && !strcmp(de->d_name, EZN_MARKER_NAME))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
			fd = openat(dirfd(d), de->d_name,
				    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				ezn_rotate_dir(r, fd, sub, depth + 1);
				continue;
			}
			if (de->d_type == DT_DIR) {
				ezn_err("%s: %s", sub, strerror(errno));
				r->errors++;
				continue;
			}
		}
		if (de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
			ezn_rotate_file(r, dirfd(d), de->d_name, sub);
	}
	if (errno) {
		ezn_err("%s: %s", path, strerror(errno));
		r->errors++;
	}
	closedir(d);
}

/* Not mounted: rewrite the marker for the new key here (in place, one sector). */
static int ezn_rotate_marker(const char *lower, const struct ezn_keys *k)
{
	char path[PATH_MAX + sizeof(EZN_MARKER_NAME)];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", lower, EZN_MARKER_NAME);
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, k->marker, EZN_MARKER_SIZE, 0) != EZN_MARKER_SIZE || fsync(fd))
		err = errno ? -errno : -EIO;
	close(fd);
	return err;
}

/* Steps 2 and 3 for one category; 0 when no header is left under the old key. */
static int ezn_rotate_category(struct ezn_rotation *r, const struct ezn_category_conf *cat,
			       struct ezn_keystore *ks, struct ezn_admin **adm)
{
	char desc[EZN_CATEGORY_MAX + 32], fstype[64];
	bool mounted;
	int err, fd;

	mounted = ezn_mount_at(cat->mnt, fstype, sizeof(fstype)) == 1 &&
		  !strcmp(fstype, EZN_FSTYPE_NAME);
	if (mounted) {
		snprintf(desc, sizeof(desc), "%s" EZN_ROTATE_NEW, r->cat);
		err = ezn_add_logon(desc, ezn_ks_find_pending(ks, r->cat)->key);
		if (err) {
			ezn_err("adding the logon key ezncrypt:%s: %s", desc, strerror(-err));
			return err;
		}
		err = ezn_admin_open(adm);
		if (!err) {
			snprintf(desc, sizeof(desc), "ezncrypt:%s" EZN_ROTATE_NEW, r->cat);
			err = ezn_admin_key_rotate(*adm, ks->admin, r->cat, desc);
		}
		if (err) {
			ezn_err("the module refused the new key of @%s: %s", r->cat,
				*adm ? ezn_admin_errmsg(*adm) : strerror(-err));
			return err;
		}
	} else {
		err = ezn_rotate_marker(cat->lower, r->new_keys);
		if (err) {
			ezn_err("%s/%s: cannot rewrite the marker: %s", cat->lower,
				EZN_MARKER_NAME, strerror(-err));
			return err;
		}
	}
	ezn_log("@%s: rotation: new key handed over (%s), rewrapping headers", r->cat,
		mounted ? "mounted" : "not mounted");

	/* Pass -1 counts the files for the progress line. */
	for (r->pass = -1; r->pass < EZN_WALK_PASSES; r->pass++) {
		r->counting = r->pass < 0;
		r->current = 0;
		r->old_left = 0;
		r->skipped = 0;
		r->errors = 0;
		fd = open(cat->lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			ezn_err("%s: %s", cat->lower, strerror(errno));
			return -errno;
		}
		if (r->pass == 0)
			ezn_progress_start(&r->prog, "headers", r->total, 0);
		ezn_rotate_dir(r, fd, cat->lower, 0);
		if (r->pass == 0)
			ezn_progress_end(&r->prog);
		if (r->errors)
			return -EIO;
		if (r->pass >= 0 && !r->old_left)
			return 0;
	}
	ezn_err("@%s: headers under the old key keep appearing; run the command again",
		r->cat);
	return -EAGAIN;
}

/* Step 4: the old key goes, the new one is the category's key. */
static int ezn_rotate_finish(struct ezn_rotation *r, struct ezn_keystore *ks,
			     const struct ezn_creds *c, struct ezn_admin *adm)
{
	struct ezn_ks_entry *e = ezn_ks_find(ks, r->cat), *p = ezn_ks_find_pending(ks, r->cat);
	char path[PATH_MAX], why[PATH_MAX + 256], name[EZN_CATEGORY_MAX + 8];
	int err;

	if (adm) {
		err = ezn_admin_key_retire(adm, ks->admin, r->cat, r->old_keys->key_id);
		/* Not held: retired by an earlier run, or a mount made without it. */
		if (err && err != -ENOENT) {
			ezn_err("the module did not drop the old key of @%s: %s", r->cat,
				ezn_admin_errmsg(adm));
			return err;
		}
	}
	memcpy(e->key, p->key, EZN_KEY_SIZE);
	ezn_ks_drop_pending(ks, r->cat);
	ezn_ks_path(path, sizeof(path));
	err = ezn_ks_save(path, c, ks, why, sizeof(why));
	if (err) {
		ezn_err("%s", why);
		return err;
	}
	/* Later mounts (ezncrypt:CAT) take the new key; the rotation's keys go. */
	if (adm)
		ezn_add_logon(r->cat, e->key);
	snprintf(name, sizeof(name), "%s" EZN_ROTATE_NEW, r->cat);
	ezn_revoke_logon(name);
	snprintf(name, sizeof(name), "%s" EZN_ROTATE_OLD, r->cat);
	ezn_revoke_logon(name);
	return 0;
}

static int ezn_rotate_one(const char *cat_name, const struct ezn_config *conf,
			  struct ezn_keystore *ks, const struct ezn_creds *c)
{
	const struct ezn_category_conf *cat = ezn_config_find(conf, cat_name);
	struct ezn_rotation r = { .cat = cat_name };
	char path[PATH_MAX], why[PATH_MAX + 256], hex[2 * EZN_KEY_ID_SIZE + 1];
	struct ezn_admin *adm = NULL;
	struct ezn_ks_entry *e, *p;
	int err = -ENOMEM;

	e = ezn_ks_find(ks, cat_name);
	if (!cat || !e) {
		ezn_err("@%s: %s", cat_name, !cat ? "no such category in ezncrypt.conf" :
			"no master key in the keystore");
		return -ENOENT;
	}
	r.old_keys = sodium_malloc(sizeof(*r.old_keys));
	r.new_keys = sodium_malloc(sizeof(*r.new_keys));
	if (!r.old_keys || !r.new_keys)
		goto free_keys;

	/* Step 1: the journal, before anything else changes. */
	p = ezn_ks_find_pending(ks, cat_name);
	if (p) {
		printf("@%s: resuming an interrupted rotation\n", cat_name);
	} else {
		if (ks->nr_pending >= EZN_KS_MAX_KEYS)
			goto free_keys;
		p = &ks->pending[ks->nr_pending++];
		snprintf(p->name, sizeof(p->name), "%s", cat_name);
		randombytes_buf(p->key, EZN_KEY_SIZE);
		ezn_ks_path(path, sizeof(path));
		err = ezn_ks_save(path, c, ks, why, sizeof(why));
		if (err) {
			ezn_err("%s", why);
			goto free_keys;
		}
	}
	err = -EIO;
	if (ezn_keys_derive(e->key, r.old_keys) || ezn_keys_derive(p->key, r.new_keys))
		goto free_keys;
	sodium_bin2hex(hex, sizeof(hex), r.new_keys->key_id, EZN_KEY_ID_SIZE);
	ezn_log("@%s: rotation to key id %s", cat_name, hex);

	err = ezn_rotate_category(&r, cat, ks, &adm);
	if (err)
		goto close_adm;
	err = ezn_rotate_finish(&r, ks, c, adm);
	if (err)
		goto close_adm;
	printf("@%s: new master key, key id %s (%llu header(s) rewrapped, %llu empty file(s))\n",
	       cat_name, hex, (unsigned long long)r.rewrapped, (unsigned long long)r.skipped);
	ezn_log("@%s: rotation done, %llu header(s) rewrapped", cat_name,
		(unsigned long long)r.rewrapped);
close_adm:
	if (adm)
		ezn_admin_close(adm);
free_keys:
	if (r.old_keys) {
		ezn_keys_wipe(r.old_keys);
		sodium_free(r.old_keys);
	}
	if (r.new_keys) {
		ezn_keys_wipe(r.new_keys);
		sodium_free(r.new_keys);
	}
	if (err)
		ezn_err("@%s: rotation not finished (%s); run the same command again to resume",
			cat_name, strerror(-err));
	return err;
}

int ezn_key_rotate(struct ezn_keystore *ks, const struct ezn_creds *c, int nargs, char **args)
{
	char name[EZN_CATEGORY_MAX + 1], why[PATH_MAX + 256];
	struct ezn_config *conf;
	int i, err = -ENOMEM;

	conf = calloc(1, sizeof(*conf));
	if (!conf) {
		ezn_err("out of memory");
		return err;
	}
	err = ezn_config_load(conf, why, sizeof(why));
	if (err)
		ezn_err("%s", why);
	for (i = 0; !err && i < nargs; i++) {
		ezn_parse_category_arg(args[i], name);
		err = ezn_rotate_one(name, conf, ks, c);
	}
	free(conf);
	return err;
}
