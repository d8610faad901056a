// SPDX-License-Identifier: GPL-2.0
/*
 * Directory trees; see tree.h.
 */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "fdio.h"
#include "encrypt_links.h"
#include "encrypt_xattr.h"
#include "tree.h"

#define EZN_BUF (1024 * 1024)

typedef int (*ezn_walk_fn)(const char *path, const char *rel, const struct stat *st, void *arg);

/* Pre-order walk of root, without following symlinks; rel is "" for the root. */
static int ezn_walk(const char *root, const char *rel, ezn_walk_fn fn, void *arg)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int err;

	if (snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if (lstat(path, &st))
		return -errno;
	err = fn(path, rel, &st, arg);
	if (err || !S_ISDIR(st.st_mode))
		return err;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
		    (int)sizeof(sub)) {
			err = -ENAMETOOLONG;
			break;
		}
		err = ezn_walk(root, sub, fn, arg);
		if (err)
			break;
	}
	closedir(d);
	return err;
}

struct ezn_scan {
	struct ezn_tree_stats *st;
	struct ezn_links links;
	dev_t dev;
	char *bad;
	unsigned int badsz;
};

/*
 * A regular file with other links: 1 when another of its paths was seen
 * before (*first is that path), 0 when this is the first (or its only) one.
 */
static int ezn_hardlink(struct ezn_links *l, const char *rel, const struct stat *st,
			const char **first)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink < 2)
		return 0;
	return ezn_links_note(l, st->st_dev, st->st_ino, rel, first);
}

static int ezn_scan_one(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct ezn_scan *s = arg;
	const char *first;
	int ret;

	if (!*rel) {
		s->dev = st->st_dev;
		return 0;
	}
	/* directories only: overlayfs reports its layers' devices for files */
	if (S_ISDIR(st->st_mode) && st->st_dev != s->dev) {
		snprintf(s->bad, s->badsz, "%s is a mount point", path);
		return -EINVAL;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode) && !S_ISLNK(st->st_mode)) {
		snprintf(s->bad, s->badsz, "%s is a device, fifo or socket", path);
		return -EINVAL;
	}
	s->st->files++;
	ret = ezn_hardlink(&s->links, rel, st, &first);
	if (ret < 0)
		return ret;
	if (ret == 0 && S_ISREG(st->st_mode)) {	/* a hard link's bytes count once */
		s->st->bytes += st->st_size;
		s->st->blocks4k += (st->st_size + 4095) / 4096;
	}
	return 0;
}

int ezn_tree_scan(const char *src, struct ezn_tree_stats *st, char *bad, unsigned int badsz)
{
	struct ezn_scan s = { .st = st, .bad = bad, .badsz = badsz };
	int err;

	memset(st, 0, sizeof(*st));
	err = ezn_walk(src, "", ezn_scan_one, &s);
	ezn_links_free(&s.links);
	if (err && err != -EINVAL)
		snprintf(bad, badsz, "%s: %s", src, strerror(-err));
	return err;
}

static int ezn_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* fsync, retried on EINTR (seen on ezncryptfs with no signal pending). */
static int ezn_fsync(int fd)
{
	int tries, err = 0;

	for (tries = 0; tries < 10; tries++) {
		err = fsync(fd) ? -errno : 0;
		if (err != -EINTR)
			break;
		usleep(100000);
	}
	return err;
}

struct ezn_copy {
	const char *dst;
	struct ezn_links links;
	struct ezn_progress *p;
	char *buf, *buf2;
	char *bad;
	unsigned int badsz;
};

static void ezn_copy_meta(const char *path, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	/* best effort: an unprivileged run keeps its own ids */
	(void)!lchown(path, st->st_uid, st->st_gid);
	if (!S_ISLNK(st->st_mode))
		chmod(path, st->st_mode & 07777);
	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int ezn_copy_file(const char *from, const char *to, const struct stat *st,
			 struct ezn_copy *c)
{
	int in, out, err = 0;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (out < 0) {
		err = -errno;
		goto close_in;
	}
	for (;;) {
		n = ezn_read_retry(in, c->buf, EZN_BUF);
		if (n <= 0) {
			err = n;
			break;
		}
		err = ezn_write_all(out, c->buf, n);
		if (err)
			break;
		ezn_progress_add(c->p, 0, n);
	}
	if (!err)
		err = ezn_fsync(out);
	if (close(out) && !err)
		err = -errno;
	if (!err)
		ezn_copy_meta(to, st);
close_in:
	close(in);
	return err;
}

static int ezn_copy_one(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct ezn_copy *c = arg;
	char to[PATH_MAX], target[PATH_MAX];
	const char *first;
	ssize_t n;
	int err = 0;

	if (snprintf(to, sizeof(to), "%s%s%s", c->dst, *rel ? "/" : "", rel) >= (int)sizeof(to))
		return -ENAMETOOLONG;
	err = ezn_hardlink(&c->links, rel, st, &first);
	if (err == 1) {
		/* another path of a file already copied: link to the copy */
		snprintf(target, sizeof(target), "%s/%s", c->dst, first);
		err = link(target, to) ? -errno : 0;
	} else if (err < 0) {
		/* out of memory */
	} else if (S_ISDIR(st->st_mode)) {
		if (mkdir(to, 0700))
			err = -errno;
		else
			ezn_copy_meta(to, st);	/* times are set again after the children */
	} else if (S_ISLNK(st->st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			err = -errno;
		} else {
			target[n] = 0;
			if (symlink(target, to))
				err = -errno;
			else
				ezn_copy_meta(to, st);
		}
	} else {
		err = ezn_copy_file(path, to, st, c);
		if (!err)
			ezn_xattr_copy(path, to);
	}
	if (err)
		snprintf(c->bad, c->badsz, "%scopying %s to %s: %s",
			 err == -ENOSPC || err == -EDQUOT ? "disk full: " : "", path, to,
			 strerror(-err));
	else if (*rel)
		ezn_progress_add(c->p, 1, 0);
	return err;
}

/*
 * Directories, once their children exist: extended attributes (a default ACL
 * set earlier would have been inherited by the copies), then times (the
 * children changed them).
 */
static int ezn_dir_meta(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct ezn_copy *c = arg;
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	char to[PATH_MAX];

	if (!S_ISDIR(st->st_mode))
		return 0;
	snprintf(to, sizeof(to), "%s%s%s", c->dst, *rel ? "/" : "", rel);
	ezn_xattr_copy(path, to);
	utimensat(AT_FDCWD, to, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

/*
 * syncfs of the file system holding dir. It has been seen to fail with EINTR
 * on ezncryptfs with no signal pending: retried a few times before giving up.
 */
static int ezn_syncfs(const char *dir)
{
	int err = 0, fd, tries;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (tries = 0; tries < 10; tries++) {
		err = syncfs(fd) ? -errno : 0;
		if (err != -EINTR)
			break;
		usleep(100000);
	}
	close(fd);
	return err;
}

int ezn_tree_copy(const char *src, const char *dst, struct ezn_progress *p, char *bad,
		  unsigned int badsz)
{
	struct ezn_copy c = { .dst = dst, .p = p, .bad = bad, .badsz = badsz };
	char parent[PATH_MAX], *slash;
	int err;

	c.buf = malloc(EZN_BUF);
	if (!c.buf)
		return -ENOMEM;
	/*
	 * A write-back error from before (an earlier run that found the disk
	 * full, its copy since removed) is reported to the next syncfs of the
	 * file system: take it now so that the one below speaks of this copy.
	 */
	snprintf(parent, sizeof(parent), "%s", dst);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = 0;
		ezn_syncfs(parent);
	}
	err = ezn_walk(src, "", ezn_copy_one, &c);
	ezn_links_free(&c.links);
	if (!err)
		ezn_walk(src, "", ezn_dir_meta, &c);
	if (!err) {
		/* every file was fsync'd; syncfs makes the directories durable too */
		err = ezn_syncfs(dst);
		if (err)
			snprintf(bad, badsz, "%ssyncing %s: %s",
				 err == -ENOSPC || err == -EDQUOT ? "disk full: " : "", dst,
				 strerror(-err));
	}
	free(c.buf);
	return err;
}

static int ezn_cmp_file(const char *a, const char *b, struct ezn_copy *c)
{
	int fa, fb, err = 0;
	ssize_t na, nb;

	fa = open(a, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fa < 0)
		return -errno;
	fb = open(b, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fb < 0) {
		err = -errno;
		goto close_a;
	}
	for (;;) {
		na = read(fa, c->buf, EZN_BUF);
		if (na < 0) {
			err = -errno;
			break;
		}
		nb = 0;
		while (nb < na) {
			ssize_t r = read(fb, c->buf2 + nb, na - nb);

			if (r <= 0)
				break;
			nb += r;
		}
		if (na != nb || memcmp(c->buf, c->buf2, na)) {
			err = -EBADMSG;
			break;
		}
		if (na == 0) {
			if (read(fb, c->buf2, 1) != 0)
				err = -EBADMSG;
			break;
		}
		ezn_progress_add(c->p, 0, na);
	}
	close(fb);
close_a:
	close(fa);
	return err;
}

static int ezn_cmp_one(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct ezn_copy *c = arg;
	char to[PATH_MAX], l1[PATH_MAX], l2[PATH_MAX];
	struct stat dst, fst;
	const char *first;
	ssize_t n1, n2;
	int err = 0, seen;

	snprintf(to, sizeof(to), "%s%s%s", c->dst, *rel ? "/" : "", rel);
	seen = ezn_hardlink(&c->links, rel, st, &first);
	if (seen < 0) {
		err = seen;
	} else if (lstat(to, &dst)) {
		err = -errno;
	} else if ((st->st_mode & S_IFMT) != (dst.st_mode & S_IFMT)) {
		err = -EBADMSG;
	} else if (S_ISLNK(st->st_mode)) {
		n1 = readlink(path, l1, sizeof(l1));
		n2 = readlink(to, l2, sizeof(l2));
		if (n1 < 0 || n1 != n2 || memcmp(l1, l2, n1))
			err = -EBADMSG;
	} else if (seen) {
		/* one file under several names: the same in the copy */
		snprintf(l1, sizeof(l1), "%s/%s", c->dst, first);
		if (lstat(l1, &fst) || fst.st_ino != dst.st_ino || fst.st_dev != dst.st_dev) {
			snprintf(c->bad, c->badsz, "%s is not a hard link to %s", to, l1);
			return -EBADMSG;
		}
	} else if (S_ISREG(st->st_mode)) {
		err = st->st_size == dst.st_size ? ezn_cmp_file(path, to, c) : -EBADMSG;
	}
	if (!err && !seen && !S_ISLNK(st->st_mode) &&
	    ezn_xattr_compare(path, to, c->bad, c->badsz))
		return -EBADMSG;
	if (err)
		snprintf(c->bad, c->badsz, "%s differs from %s: %s", to, path,
			 err == -EBADMSG ? "content or type" : strerror(-err));
	else if (*rel)
		ezn_progress_add(c->p, 1, 0);
	return err;
}

int ezn_tree_compare(const char *src, const char *dst, struct ezn_progress *p, char *bad,
		     unsigned int badsz)
{
	struct ezn_copy c = { .dst = dst, .p = p, .bad = bad, .badsz = badsz };
	int err;

	c.buf = malloc(EZN_BUF);
	c.buf2 = malloc(EZN_BUF);
	if (!c.buf || !c.buf2) {
		free(c.buf);
		free(c.buf2);
		return -ENOMEM;
	}
	err = ezn_walk(src, "", ezn_cmp_one, &c);
	ezn_links_free(&c.links);
	free(c.buf);
	free(c.buf2);
	return err;
}

int ezn_tree_remove(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int err = 0;
	DIR *d;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		err = ezn_tree_remove(sub);
		if (err)
			break;
	}
	closedir(d);
	if (!err && rmdir(path))
		err = -errno;
	return err;
}

/*
 * The safety copy is what `tar --xattrs --acls` or bsdtar restores: a file
 * with several names is stored once, its other names as hard links to the
 * first; every entry carries its extended attributes and POSIX ACLs, read
 * by libarchive as bsdtar reads them.
 */
struct ezn_arch {
	struct archive *a;
	struct archive *disk;	/* reads an entry's attributes and ACLs */
	struct ezn_links links;	/* archive name of each file with other links */
	const char *top;	/* name of the root inside the archive */
	struct ezn_progress *p;
	char *buf;
	char *bad;
	unsigned int badsz;
};

/* Reads the entry's attributes from @fd (a regular file) or its source path. */
static int ezn_arch_attrs(struct ezn_arch *x, struct archive_entry *e, const char *path, int fd,
			  const struct stat *st)
{
	archive_entry_copy_sourcepath(e, path);
	if (archive_read_disk_entry_from_file(x->disk, e, fd, st) < ARCHIVE_WARN) {
		snprintf(x->bad, x->badsz, "safety copy of %s: %s", path,
			 archive_error_string(x->disk));
		return -EIO;
	}
	return 0;
}

static int ezn_arch_data(struct ezn_arch *x, const char *path, int fd)
{
	ssize_t n;

	while ((n = read(fd, x->buf, EZN_BUF)) > 0) {
		if (archive_write_data(x->a, x->buf, n) != n) {
			snprintf(x->bad, x->badsz, "safety copy of %s: %s", path,
				 archive_error_string(x->a));
			return -EIO;
		}
		ezn_progress_add(x->p, 0, n);
	}
	return n < 0 ? -errno : 0;
}

static int ezn_arch_one(const char *path, const char *rel, const struct stat *st, void *arg)
{
	struct ezn_arch *x = arg;
	struct archive_entry *e;
	char name[PATH_MAX];
	const char *first;
	int fd = -1, err, linked;

	snprintf(name, sizeof(name), "%s%s%s", x->top, *rel ? "/" : "", rel);
	linked = ezn_hardlink(&x->links, name, st, &first);
	if (linked < 0)
		return linked;
	e = archive_entry_new();
	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	if (linked) {
		archive_entry_copy_stat(e, st);
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
	} else {
		if (S_ISREG(st->st_mode)) {
			fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0) {
				err = -errno;
				goto free_entry;
			}
		}
		err = ezn_arch_attrs(x, e, path, fd, st);
		if (err)
			goto close_file;
	}
	if (archive_write_header(x->a, e) != ARCHIVE_OK) {
		snprintf(x->bad, x->badsz, "safety copy of %s: %s", path,
			 archive_error_string(x->a));
		err = -EIO;
		goto close_file;
	}
	err = fd >= 0 ? ezn_arch_data(x, path, fd) : 0;
	if (!err && *rel)
		ezn_progress_add(x->p, 1, 0);
close_file:
	if (fd >= 0)
		close(fd);
free_entry:
	archive_entry_free(e);
	if (err && !x->bad[0])
		snprintf(x->bad, x->badsz, "safety copy of %s: %s", path, strerror(-err));
	return err;
}

int ezn_tree_archive(const char *src, const char *archive, struct ezn_progress *p, char *bad,
		     unsigned int badsz)
{
	struct ezn_arch x = { .p = p, .bad = bad, .badsz = badsz };
	char tmp[PATH_MAX], top[PATH_MAX];
	const char *slash;
	int err = 0, fd;

	bad[0] = 0;
	slash = strrchr(src, '/');
	snprintf(top, sizeof(top), "%s", slash && slash[1] ? slash + 1 : "data");
	x.top = top;
	if (snprintf(tmp, sizeof(tmp), "%s.partial", archive) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	x.buf = malloc(EZN_BUF);
	x.a = archive_write_new();
	x.disk = archive_read_disk_new();
	if (!x.buf || !x.a || !x.disk) {
		err = -ENOMEM;
		goto free_all;
	}
	/* Owners by name as well as number; symlinks stored, not followed. */
	archive_read_disk_set_standard_lookup(x.disk);
	archive_read_disk_set_symlink_physical(x.disk);
	if (archive_write_add_filter_zstd(x.a) != ARCHIVE_OK &&
	    archive_write_add_filter_gzip(x.a) != ARCHIVE_OK) {
		snprintf(bad, badsz, "no zstd or gzip in libarchive: %s",
			 archive_error_string(x.a));
		err = -EOPNOTSUPP;
		goto free_all;
	}
	archive_write_set_format_pax_restricted(x.a);
	unlink(tmp);
	if (archive_write_open_filename(x.a, tmp) != ARCHIVE_OK) {
		snprintf(bad, badsz, "cannot create %s: %s", tmp, archive_error_string(x.a));
		err = -EIO;
		goto free_all;
	}
	err = ezn_walk(src, "", ezn_arch_one, &x);
	if (archive_write_close(x.a) != ARCHIVE_OK && !err) {
		snprintf(bad, badsz, "writing %s: %s", tmp, archive_error_string(x.a));
		err = -EIO;
	}
	if (!err) {
		fd = open(tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fsync(fd))
			err = -errno;
		if (fd >= 0)
			close(fd);
		if (!err) {
			chmod(tmp, 0600);
			if (rename(tmp, archive))
				err = -errno;
		}
		if (err)
			snprintf(bad, badsz, "finishing %s: %s", archive, strerror(-err));
	}
	if (err)
		unlink(tmp);
free_all:
	if (x.disk)
		archive_read_free(x.disk);
	if (x.a)
		archive_write_free(x.a);
	ezn_links_free(&x.links);
	free(x.buf);
	return err;
}
