// SPDX-License-Identifier: GPL-2.0
/*
 * ezn encrypt @CATEGORY DIR / ezn decrypt DIR: move a directory's data into a
 * category's encrypted mount, leaving a symlink at DIR, and back.
 *
 * encrypt, in order, each step recorded in a journal (STATE/journal/) before
 * the next begins:
 *   1. checks: DIR is a directory, not a mount point, not inside an
 *      ezncryptfs mount, not already protected, holds only files,
 *      directories and symlinks of one file system; free space for the
 *      safety copy and the encrypted copy;
 *   2. safety copy: DIR as tar + zstd under the safety directory;
 *   3. copy into MOUNT/.<path>.ezn-incoming, then compare it with DIR;
 *   4. rename it to MOUNT/<path of DIR>            (step "installed")
 *   5. rename DIR to DIR's parent/.NAME.ezn-orig  (step "aside")
 *   6. symlink DIR -> MOUNT/<path of DIR>          (step "linked")
 *   7. remove the set-aside original              (step "cleaning"), done.
 * At every instant one complete copy exists (the original, the set-aside
 * original, or the verified encrypted copy), besides the safety copy.
 * --resume DIR carries on from the journal; --rollback DIR undoes, copying
 * the data back when the original was already being removed.
 *
 * decrypt: copy MOUNT/<path> to DIR's parent/.NAME.ezn-incoming, compare,
 * remove the symlink ("unlinked"), rename the copy to DIR ("installed"),
 * remove the encrypted copy ("cleaning"). The same --resume / --rollback.
 *
 * Both need the passphrase: the tool asks the kernel for a grant covering
 * itself for the category while it works.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "config.h"
#include "log.h"
#include "mounts.h"
#include "progress.h"
#include "session.h"
#include "tree.h"

enum ezn_step {
	EZN_STEP_BEGUN,
	EZN_STEP_SAFETY,	/* encrypt: safety copy written */
	EZN_STEP_COPIED,	/* the staging copy is complete and verified */
	EZN_STEP_UNLINKED,	/* decrypt: the symlink at DIR removed */
	EZN_STEP_INSTALLED,	/* the staging copy renamed into place */
	EZN_STEP_ASIDE,		/* encrypt: DIR renamed aside */
	EZN_STEP_LINKED,	/* encrypt: DIR is the symlink */
	EZN_STEP_CLEANING,	/* removing the old copy */
};

static const char *const ezn_step_names[] = {
	"begun", "safety", "copied", "unlinked", "installed", "aside", "linked", "cleaning",
};

struct ezn_job {
	bool decrypt;
	char dir[PATH_MAX];		/* DIR, canonical */
	char category[EZN_CATEGORY_MAX + 1];
	char target[PATH_MAX];		/* the data's place in the mount */
	char staging[PATH_MAX];		/* where the copy is built */
	char aside[PATH_MAX];		/* encrypt: the original, set aside */
	char safety[PATH_MAX];		/* encrypt: the safety copy */
	char journal[PATH_MAX];
	enum ezn_step step;
};

struct ezn_enc_opts {
	const char *passfile;
	bool resume, rollback, yes;
	unsigned int grant_timeout;
};

static void ezn_encrypt_usage(FILE *out)
{
	fprintf(out, "usage: ezn encrypt [--passfile FILE] [--config-dir DIR] @CAT DIR\n"
		"       ezn encrypt --resume DIR | --rollback DIR\n");
}

static void ezn_decrypt_usage(FILE *out)
{
	fprintf(out, "usage: ezn decrypt [--passfile FILE] [--config-dir DIR] DIR\n"
		"       ezn decrypt --resume DIR | --rollback DIR\n");
}

/* ---- the journal ---- */

/* The paths a journal records, by name (all PATH_MAX long but the category). */
static const struct {
	const char *name;
	size_t off, size;
} ezn_journal_fields[] = {
	{ "dir", offsetof(struct ezn_job, dir), PATH_MAX },
	{ "category", offsetof(struct ezn_job, category), EZN_CATEGORY_MAX + 1 },
	{ "target", offsetof(struct ezn_job, target), PATH_MAX },
	{ "staging", offsetof(struct ezn_job, staging), PATH_MAX },
	{ "aside", offsetof(struct ezn_job, aside), PATH_MAX },
	{ "safety", offsetof(struct ezn_job, safety), PATH_MAX },
};

static int ezn_journal_path(const char *dir, char *out, size_t size)
{
	unsigned char h[16];
	char hex[33];

	crypto_generichash(h, sizeof(h), (const unsigned char *)dir, strlen(dir), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (snprintf(out, size, "%s/journal/%s", ezn_state_dir(), hex) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

static int ezn_journal_append(struct ezn_job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int ezn_journal_append(struct ezn_job *j, const char *fmt, ...)
{
	char line[PATH_MAX + 64];
	va_list ap;
	int fd, n, err = 0;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fd = open(j->journal, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, line, n) != n || fsync(fd))
		err = -errno ? -errno : -EIO;
	close(fd);
	return err;
}

static int ezn_journal_step(struct ezn_job *j, enum ezn_step s)
{
	int err = ezn_journal_append(j, "step %s\n", ezn_step_names[s]);

	if (err) {
		ezn_err("cannot record step '%s' in %s: %s", ezn_step_names[s], j->journal,
			strerror(-err));
		return err;
	}
	j->step = s;
	ezn_log("%s %s: step %s", j->decrypt ? "decrypt" : "encrypt", j->dir, ezn_step_names[s]);
	return 0;
}

static int ezn_journal_create(struct ezn_job *j)
{
	char dir[PATH_MAX];
	int err, fd;

	snprintf(dir, sizeof(dir), "%s/journal", ezn_state_dir());
	err = ezn_mkdir_p(dir, 0700);
	if (err)
		return err;
	fd = open(j->journal, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	err = ezn_journal_append(j, "ezn-journal 1\nop %s\ndir %s\ncategory %s\ntarget %s\n"
				 "staging %s\naside %s\nsafety %s\n",
				 j->decrypt ? "decrypt" : "encrypt", j->dir, j->category,
				 j->target, j->staging, j->aside, j->safety);
	if (!err)
		err = ezn_journal_step(j, EZN_STEP_BEGUN);
	if (!err) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return err;
}

static int ezn_journal_load(const char *dir, struct ezn_job *j)
{
	char *text, *line, *save, *val;
	size_t len;
	unsigned int s, f;
	int err;

	memset(j, 0, sizeof(*j));
	err = ezn_journal_path(dir, j->journal, sizeof(j->journal));
	if (err)
		return err;
	err = ezn_read_file(j->journal, &text, &len, 1 << 20);
	if (err)
		return err;
	err = -EBADMSG;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		val = strchr(line, ' ');
		if (!val)
			continue;
		*val++ = 0;
		if (!strcmp(line, "op"))
			j->decrypt = !strcmp(val, "decrypt");
		else if (!strcmp(line, "step"))
			for (s = 0; s < ARRAY_SIZE(ezn_step_names); s++)
				if (!strcmp(val, ezn_step_names[s])) {
					j->step = s;
					err = 0;
				}
		for (f = 0; f < ARRAY_SIZE(ezn_journal_fields); f++)
			if (!strcmp(line, ezn_journal_fields[f].name))
				snprintf((char *)j + ezn_journal_fields[f].off,
					 ezn_journal_fields[f].size, "%s", val);
	}
	free(text);
	if (err || strcmp(j->dir, dir) || !j->target[0] || !j->staging[0])
		return -EBADMSG;
	return 0;
}

static void ezn_journal_done(struct ezn_job *j)
{
	unlink(j->journal);
}

/* ---- checks ---- */

/* "/a/b/c" to "/a/b" and "c"; "/c" to "/" and "c". */
static void ezn_split_path(const char *path, char *dir, size_t dsz, char *base, size_t bsz)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		snprintf(dir, dsz, ".");
		snprintf(base, bsz, "%s", path);
		return;
	}
	snprintf(base, bsz, "%s", slash + 1);
	if (slash == path)
		snprintf(dir, dsz, "/");
	else
		snprintf(dir, dsz, "%.*s", (int)(slash - path), path);
}

static int ezn_free_bytes(const char *path, uint64_t *avail, dev_t *dev)
{
	struct statvfs sv;
	struct stat st;

	if (statvfs(path, &sv) || stat(path, &st))
		return -errno;
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	*dev = st.st_dev;
	return 0;
}

static int ezn_need_space(const char *where, uint64_t need, const char *what)
{
	char h1[32], h2[32];
	uint64_t avail;
	dev_t dev;

	if (ezn_free_bytes(where, &avail, &dev)) {
		ezn_step_fail("cannot check the free space of %s: %s", where, strerror(errno));
		return -errno;
	}
	if (avail < need) {
		ezn_step_fail("not enough space for %s in %s: %s needed, %s free", what, where,
			      ezn_human(need, h1, sizeof(h1)), ezn_human(avail, h2, sizeof(h2)));
		return -ENOSPC;
	}
	return 0;
}

/* The configured category whose mount holds path (a canonical path), or NULL. */
static const struct ezn_category_conf *ezn_category_of(const struct ezn_config *c,
						       const char *path)
{
	unsigned int i;
	size_t n;

	for (i = 0; i < c->nr; i++) {
		n = strlen(c->cat[i].mnt);
		if (!strncmp(path, c->cat[i].mnt, n) && (path[n] == '/' || !path[n]))
			return &c->cat[i];
	}
	return NULL;
}

static int ezn_grant(struct ezn_session *s, const char *category, const struct ezn_enc_opts *o,
		     uint32_t *id)
{
	int ret;

	ret = ezn_session_open(s, o->passfile);
	if (ret)
		return ret;
	if (ezn_session_grant(s, getpid(), category, o->grant_timeout, id)) {
		ezn_session_close(s);
		return EZN_EXIT_FAIL;
	}
	return 0;
}

/* ---- the steps ---- */

/*
 * One step of an encryption or a decryption (ezn_job_ops below): run unless
 * the journal says it is done, then recorded. A step must be safe to run
 * again (it may have been interrupted before the record).
 */
struct ezn_step_op {
	bool decrypt;
	enum ezn_step step;
	int (*run)(struct ezn_job *j);
};

static int ezn_step_nothing(struct ezn_job *j)
{
	return 0;
}

/* Renames "from" to "to" unless "to" exists (the step ran before an interruption). */
static int ezn_move(const char *from, const char *to)
{
	struct stat st;

	if (!lstat(to, &st) || !rename(from, to))
		return 0;
	ezn_err("cannot rename %s to %s: %s", from, to, strerror(errno));
	return -errno;
}

/*
 * Copies the tree from into to (cleared first), then compares them, with
 * progress; verb names the copy ("Encrypting").
 */
static int ezn_copy_verified(const char *from, const char *to, const char *verb)
{
	struct ezn_tree_stats ts;
	struct ezn_progress p;
	char bad[PATH_MAX + 128];
	int err;

	err = ezn_tree_scan(from, &ts, bad, sizeof(bad));
	if (err) {
		ezn_err("%s", bad);
		return err;
	}
	err = ezn_tree_remove(to);
	if (err) {
		ezn_err("cannot clear %s: %s", to, strerror(-err));
		return err;
	}
	printf("%s %s into %s\n", verb, from, to);
	ezn_progress_start(&p, verb, ts.files, ts.bytes);
	err = ezn_tree_copy(from, to, &p, bad, sizeof(bad));
	ezn_progress_end(&p);
	if (err) {
		ezn_err("%s", bad);
		return err;
	}
	ezn_progress_start(&p, "Verifying", ts.files, ts.bytes);
	err = ezn_tree_compare(from, to, &p, bad, sizeof(bad));
	ezn_progress_end(&p);
	if (err)
		ezn_err("verification failed: %s", bad);
	return err;
}

/* ---- encrypt ---- */

static int ezn_enc_safety(struct ezn_job *j)
{
	struct ezn_tree_stats ts;
	struct ezn_progress p;
	char bad[PATH_MAX + 128];
	int err;

	ezn_tree_scan(j->dir, &ts, bad, sizeof(bad));
	printf("Making the safety copy %s\n", j->safety);
	ezn_progress_start(&p, "Archiving", ts.files, ts.bytes);
	err = ezn_tree_archive(j->dir, j->safety, &p, bad, sizeof(bad));
	ezn_progress_end(&p);
	if (err)
		ezn_err("%s", bad);
	return err;
}

static int ezn_enc_copy(struct ezn_job *j)
{
	return ezn_copy_verified(j->dir, j->staging, "Encrypting");
}

static int ezn_enc_install(struct ezn_job *j)
{
	return ezn_move(j->staging, j->target);
}

static int ezn_enc_aside(struct ezn_job *j)
{
	struct stat st;

	if (lstat(j->dir, &st) || !S_ISDIR(st.st_mode))
		return 0;
	return ezn_move(j->dir, j->aside);
}

static int ezn_enc_link(struct ezn_job *j)
{
	struct stat st;

	if (!lstat(j->dir, &st) || !symlink(j->target, j->dir))
		return 0;
	ezn_err("cannot create the link %s -> %s: %s", j->dir, j->target, strerror(errno));
	return -errno;
}

static int ezn_encrypt_rollback(struct ezn_job *j)
{
	struct stat st;
	int err;

	printf("Rolling back the encryption of %s (journal step '%s')\n", j->dir,
	       ezn_step_names[j->step]);
	if (j->step >= EZN_STEP_CLEANING) {
		/* the original is partly gone: bring the data back from the mount */
		err = ezn_copy_verified(j->target, j->aside, "Decrypting");
		if (err)
			return err;
		if (!lstat(j->dir, &st) && S_ISLNK(st.st_mode) && unlink(j->dir))
			return -errno;
		j->step = EZN_STEP_LINKED;
	}
	if (j->step >= EZN_STEP_BEGUN && !lstat(j->aside, &st) && S_ISDIR(st.st_mode)) {
		/* the original is whole: put it back */
		if (!lstat(j->dir, &st) && S_ISLNK(st.st_mode) && unlink(j->dir))
			return -errno;
		if (lstat(j->dir, &st) && rename(j->aside, j->dir)) {
			ezn_err("cannot rename %s back to %s: %s", j->aside, j->dir,
				strerror(errno));
			return -errno;
		}
	}
	if (lstat(j->dir, &st) || !S_ISDIR(st.st_mode)) {
		ezn_err("%s is not back in place: the data is in %s and the safety copy %s",
			j->dir, j->target, j->safety);
		return -EIO;
	}
	ezn_step_begin("Removing the encrypted copy");
	err = ezn_tree_remove(j->staging);
	if (!err)
		err = ezn_tree_remove(j->target);
	if (err) {
		ezn_step_fail("%s", strerror(-err));
		return err;
	}
	ezn_step_done();
	ezn_journal_done(j);
	printf("%s is back as it was (the safety copy %s is kept)\n", j->dir, j->safety);
	return 0;
}

static int ezn_encrypt_new(const struct ezn_config *conf, const char *catarg, const char *dirarg,
			   struct ezn_job *j)
{
	const struct ezn_category_conf *cat;
	char fstype[64], mnt[PATH_MAX], bad[PATH_MAX + 128], base[PATH_MAX], parent[PATH_MAX];
	char stamp[32], h[32];
	struct ezn_tree_stats ts;
	struct stat st, pst;
	uint64_t need_lower, need_safety, a1, a2;
	dev_t d1, d2;
	time_t now;
	int err;

	memset(j, 0, sizeof(*j));
	if (ezn_parse_category_arg(catarg, j->category))
		return -EINVAL;
	if (!realpath(dirarg, j->dir))
		snprintf(j->dir, sizeof(j->dir), "%s", dirarg);
	cat = ezn_config_find(conf, j->category);
	if (!cat) {
		ezn_err("category @%s is not in %s/%s", j->category, ezn_config_dir(),
			EZN_CONFIG_FILE);
		return -EINVAL;
	}
	ezn_step_begin("Checking %s", dirarg);
	if (lstat(dirarg, &st)) {
		ezn_step_fail("%s", strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlink(dirarg, mnt, sizeof(mnt) - 1);

		if (n > 0)
			mnt[n] = 0;
		if (n > 0 && ezn_category_of(conf, mnt))
			ezn_step_fail("already protected: it is a link into %s", mnt);
		else
			ezn_step_fail("is a symbolic link; give the directory itself");
		return -EINVAL;
	}
	if (!S_ISDIR(st.st_mode)) {
		ezn_step_fail("not a directory");
		return -ENOTDIR;
	}
	if (!realpath(dirarg, j->dir) || ezn_journal_path(j->dir, j->journal, sizeof(j->journal))) {
		ezn_step_fail("%s", strerror(errno));
		return -errno;
	}
	if (!strcmp(j->dir, "/")) {
		ezn_step_fail("refusing to move /");
		return -EINVAL;
	}
	ezn_split_path(j->dir, parent, sizeof(parent), base, sizeof(base));
	if (ezn_mount_at(j->dir, fstype, sizeof(fstype)) == 1 ||
	    (!stat(parent, &pst) && pst.st_dev != st.st_dev)) {
		ezn_step_fail("is a mount point");
		return -EINVAL;
	}
	if (ezn_mount_covering(j->dir, EZN_FSTYPE, mnt, sizeof(mnt)) == 1) {
		ezn_step_fail("is inside the ezncryptfs mount %s", mnt);
		return -EINVAL;
	}
	if (ezn_category_of(conf, j->dir)) {
		ezn_step_fail("is inside the mount point of a category");
		return -EINVAL;
	}
	if (!strncmp(cat->mnt, j->dir, strlen(j->dir)) && cat->mnt[strlen(j->dir)] == '/') {
		ezn_step_fail("contains the category's mount point %s", cat->mnt);
		return -EINVAL;
	}
	if (ezn_mount_at(cat->mnt, fstype, sizeof(fstype)) != 1 || strcmp(fstype, EZN_FSTYPE)) {
		ezn_step_fail("@%s is not mounted on %s (ezn service start)", j->category,
			      cat->mnt);
		return -ENOENT;
	}
	err = ezn_tree_scan(j->dir, &ts, bad, sizeof(bad));
	if (err) {
		ezn_step_fail("%s", bad);
		return err;
	}
	ezn_step_done();

	snprintf(j->target, sizeof(j->target), "%s%s", cat->mnt, j->dir);
	snprintf(mnt, sizeof(mnt), "%s", j->target);
	if (snprintf(j->staging, sizeof(j->staging), "%s/.%s.ezn-incoming", dirname(mnt),
		     base) >= (int)sizeof(j->staging) ||
	    snprintf(j->aside, sizeof(j->aside), "%s/.%s.ezn-orig", parent, base) >=
	    (int)sizeof(j->aside)) {
		ezn_err("%s: path too long", j->dir);
		return -ENAMETOOLONG;
	}
	now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	snprintf(mnt, sizeof(mnt), "%s", j->dir);
	for (char *c = mnt; *c; c++)
		if (*c == '/')
			*c = '_';
	if (snprintf(j->safety, sizeof(j->safety), "%s/%s_%s.tar.zst", conf->safety_dir,
		     mnt + 1, stamp) >= (int)sizeof(j->safety)) {
		ezn_err("%s: path too long", j->dir);
		return -ENAMETOOLONG;
	}
	if (!lstat(j->target, &st)) {
		ezn_err("%s already exists in the mount: refusing to mix data", j->target);
		return -EEXIST;
	}
	if (!lstat(j->aside, &st)) {
		ezn_err("%s exists (left by an earlier run?): move it away first", j->aside);
		return -EEXIST;
	}

	ezn_step_begin("Checking free space (%llu files, %s)", (unsigned long long)ts.files,
		       ezn_human(ts.bytes, h, sizeof(h)));
	err = ezn_mkdir_p(conf->safety_dir, 0700);
	if (err) {
		ezn_step_fail("cannot create %s: %s", conf->safety_dir, strerror(-err));
		return err;
	}
	/* ciphertext: 4 KiB blocks, one metadata block per 146, a header per file */
	need_lower = ts.blocks4k * 4096 + (ts.blocks4k / 146 + 1) * 4096 +
		     (ts.files + 1) * 8192;
	/* the safety copy, assuming nothing compresses */
	need_safety = ts.bytes + (ts.files + 1) * 1024;
	if (ezn_free_bytes(cat->lower, &a1, &d1) || ezn_free_bytes(conf->safety_dir, &a2, &d2)) {
		ezn_step_fail("cannot check the free space: %s", strerror(errno));
		return -errno;
	}
	if (d1 == d2)
		err = ezn_need_space(cat->lower, need_lower + need_safety,
				     "the encrypted copy and the safety copy");
	else
		err = ezn_need_space(cat->lower, need_lower, "the encrypted copy") ?:
		      ezn_need_space(conf->safety_dir, need_safety, "the safety copy");
	if (err)
		return err;
	ezn_step_done();
	snprintf(mnt, sizeof(mnt), "%s", j->target);
	err = ezn_mkdir_p(dirname(mnt), 0755);
	if (err) {
		ezn_err("cannot create the parent of %s: %s", j->target, strerror(-err));
		return err;
	}
	err = ezn_journal_create(j);
	if (err) {
		ezn_err("cannot create the journal %s: %s", j->journal, strerror(-err));
		return err;
	}
	return 0;
}

/* ---- decrypt ---- */

static int ezn_dec_copy(struct ezn_job *j)
{
	return ezn_copy_verified(j->target, j->staging, "Decrypting");
}

static int ezn_dec_unlink(struct ezn_job *j)
{
	struct stat st;

	if (lstat(j->dir, &st) || !S_ISLNK(st.st_mode) || !unlink(j->dir))
		return 0;
	ezn_err("cannot remove the link %s: %s", j->dir, strerror(errno));
	return -errno;
}

static int ezn_dec_install(struct ezn_job *j)
{
	return ezn_move(j->staging, j->dir);
}

/* ---- both ---- */

static const struct ezn_step_op ezn_job_ops[] = {
	{ false, EZN_STEP_SAFETY, ezn_enc_safety },
	{ false, EZN_STEP_COPIED, ezn_enc_copy },
	{ false, EZN_STEP_INSTALLED, ezn_enc_install },
	{ false, EZN_STEP_ASIDE, ezn_enc_aside },
	{ false, EZN_STEP_LINKED, ezn_enc_link },
	{ false, EZN_STEP_CLEANING, ezn_step_nothing },
	{ true, EZN_STEP_COPIED, ezn_dec_copy },
	{ true, EZN_STEP_UNLINKED, ezn_dec_unlink },
	{ true, EZN_STEP_INSTALLED, ezn_dec_install },
	{ true, EZN_STEP_CLEANING, ezn_step_nothing },
};

/*
 * Runs the job's steps not yet done, then removes the old copy (encrypt: the
 * set-aside cleartext; decrypt: the encrypted copy) and the journal.
 */
static int ezn_job_run(struct ezn_job *j)
{
	const char *old = j->decrypt ? j->target : j->aside;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ezn_job_ops); i++) {
		if (ezn_job_ops[i].decrypt != j->decrypt || j->step >= ezn_job_ops[i].step)
			continue;
		err = ezn_job_ops[i].run(j) ?: ezn_journal_step(j, ezn_job_ops[i].step);
		if (err)
			return err;
	}
	ezn_step_begin("Removing %s %s", j->decrypt ? "the encrypted copy" :
		       "the cleartext original", old);
	err = ezn_tree_remove(old);
	if (err) {
		ezn_step_fail("%s", strerror(-err));
		return err;
	}
	ezn_step_done();
	ezn_journal_done(j);
	return 0;
}

static int ezn_decrypt_rollback(struct ezn_job *j)
{
	struct stat st;

	printf("Rolling back the decryption of %s (journal step '%s')\n", j->dir,
	       ezn_step_names[j->step]);
	if (j->step >= EZN_STEP_INSTALLED ||
	    (!lstat(j->dir, &st) && S_ISDIR(st.st_mode) && lstat(j->staging, &st))) {
		printf("the cleartext is already in place; finishing instead\n");
		return ezn_job_run(j);
	}
	if (lstat(j->dir, &st) && symlink(j->target, j->dir)) {
		ezn_err("cannot recreate the link %s -> %s: %s", j->dir, j->target,
			strerror(errno));
		return -errno;
	}
	ezn_tree_remove(j->staging);
	ezn_journal_done(j);
	printf("%s is a link into the encrypted store again\n", j->dir);
	return 0;
}

static int ezn_decrypt_new(const struct ezn_config *conf, const char *dirarg, struct ezn_job *j)
{
	const struct ezn_category_conf *cat;
	char parent[PATH_MAX], base[PATH_MAX], h[32], *slash;
	struct ezn_tree_stats ts;
	struct stat st;
	char bad[PATH_MAX + 128];
	int err;

	memset(j, 0, sizeof(*j));
	j->decrypt = true;
	ezn_step_begin("Checking %s", dirarg);
	if (lstat(dirarg, &st)) {
		ezn_step_fail("%s", strerror(errno));
		return -errno;
	}
	if (!S_ISLNK(st.st_mode) || !realpath(dirarg, j->target)) {
		ezn_step_fail("not a link into an encrypted category (see ezn-encrypt)");
		return -EINVAL;
	}
	cat = ezn_category_of(conf, j->target);
	if (!cat) {
		ezn_step_fail("links to %s, which is in no configured category", j->target);
		return -EINVAL;
	}
	snprintf(j->category, sizeof(j->category), "%s", cat->name);
	/* DIR's own canonical path: its parent resolved, its name kept */
	snprintf(parent, sizeof(parent), "%s", dirarg);
	snprintf(base, sizeof(base), "%s", dirarg);
	slash = strrchr(parent, '/');
	if (slash)
		*slash = 0;
	if (!realpath(slash ? (*parent ? parent : "/") : ".", parent)) {
		ezn_step_fail("%s", strerror(errno));
		return -errno;
	}
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : dirarg);
	if (snprintf(j->dir, sizeof(j->dir), "%s/%s", strcmp(parent, "/") ? parent : "",
		     base) >= (int)sizeof(j->dir) ||
	    snprintf(j->staging, sizeof(j->staging), "%s/.%s.ezn-incoming",
		     strcmp(parent, "/") ? parent : "", base) >= (int)sizeof(j->staging)) {
		ezn_step_fail("path too long");
		return -ENAMETOOLONG;
	}
	ezn_journal_path(j->dir, j->journal, sizeof(j->journal));
	snprintf(j->aside, sizeof(j->aside), "-");
	snprintf(j->safety, sizeof(j->safety), "-");
	err = ezn_tree_scan(j->target, &ts, bad, sizeof(bad));
	if (err) {
		ezn_step_fail("%s", bad);
		return err;
	}
	ezn_step_done();
	ezn_step_begin("Checking free space (%llu files, %s)", (unsigned long long)ts.files,
		       ezn_human(ts.bytes, h, sizeof(h)));
	err = ezn_need_space(parent, ts.blocks4k * 4096 + (ts.files + 1) * 4096,
			     "the cleartext copy");
	if (err)
		return err;
	ezn_step_done();
	err = ezn_journal_create(j);
	if (err)
		ezn_err("cannot create the journal %s: %s", j->journal, strerror(-err));
	return err;
}

static int ezn_encdec(int argc, char **argv, bool decrypt)
{
	static const struct option longopts[] = {
		EZN_OPT_CONFIG_DIR,
		EZN_OPT_PASSFILE,
		{ "resume", no_argument, NULL, 'r' },
		{ "rollback", no_argument, NULL, 'R' },
		EZN_OPT_HELP,
		{}
	};
	struct ezn_cmdline cl = {
		.name = decrypt ? "decrypt" : "encrypt",
		.usage = decrypt ? ezn_decrypt_usage : ezn_encrypt_usage,
	};
	struct ezn_enc_opts o = { .grant_timeout = EZN_GRANT_TIMEOUT_MAX };
	struct ezn_session s = { 0 };
	struct ezn_config *conf;
	struct ezn_job *j;
	char why[PATH_MAX + 256], dir[PATH_MAX];
	uint32_t grant = 0;
	int opt, err, ret = EZN_EXIT_FAIL;

	while ((opt = ezn_getopt(&cl, argc, argv, "h", longopts)) >= 0) {
		switch (opt) {
		case 'r':
			o.resume = true;
			break;
		case 'R':
			o.rollback = true;
			break;
		}
	}
	if (opt == EZN_OPT_EXIT)
		return cl.status;
	o.passfile = cl.passfile;
	if (o.resume && o.rollback) {
		ezn_err("--resume and --rollback exclude each other");
		return EZN_EXIT_USAGE;
	}
	if (argc - optind != (o.resume || o.rollback || decrypt ? 1 : 2)) {
		cl.usage(stderr);
		return EZN_EXIT_USAGE;
	}
	/* the step lines and the errors (stderr) in their order in a log */
	setvbuf(stdout, NULL, _IOLBF, 0);
	conf = calloc(1, sizeof(*conf));
	j = calloc(1, sizeof(*j));
	if (!conf || !j) {
		ezn_err("out of memory");
		goto free_all;
	}
	ezn_log_open(decrypt ? "ezn-decrypt" : "ezn-encrypt");
	err = ezn_config_load(conf, why, sizeof(why));
	if (err) {
		ezn_err("%s", why);
		goto free_all;
	}
	if (o.resume || o.rollback) {
		const char *arg = argv[optind];
		char *slash;

		/* the journal is keyed by DIR's canonical path (DIR itself may be gone) */
		snprintf(dir, sizeof(dir), "%s", arg);
		slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = 0;
		if (!slash || !realpath(slash == dir ? "/" : dir, why)) {
			ezn_err("'%s': give the directory's absolute path", arg);
			goto free_all;
		}
		if (snprintf(dir, sizeof(dir), "%s/%s", strcmp(why, "/") ? why : "",
			     strrchr(arg, '/') + 1) >= (int)sizeof(dir)) {
			ezn_err("'%s': path too long", arg);
			goto free_all;
		}
		err = ezn_journal_load(dir, j);
		if (err == -ENOENT) {
			ezn_err("no interrupted operation on %s (journal %s)", dir, j->journal);
			goto free_all;
		}
		if (err) {
			ezn_err("journal %s is damaged: %s", j->journal, strerror(-err));
			goto free_all;
		}
		if (j->decrypt != decrypt) {
			ezn_err("the interrupted operation on %s is an %s: use ezn-%s", dir,
				j->decrypt ? "decryption" : "encryption",
				j->decrypt ? "decrypt" : "encrypt");
			goto free_all;
		}
		ret = ezn_grant(&s, j->category, &o, &grant);
		if (ret)
			goto free_all;
		ezn_log("%s %s of %s from step %s", o.resume ? "resuming" : "rolling back",
			decrypt ? "decryption" : "encryption", dir, ezn_step_names[j->step]);
		if (o.rollback)
			err = decrypt ? ezn_decrypt_rollback(j) : ezn_encrypt_rollback(j);
		else
			err = ezn_job_run(j);
	} else {
		char jpath[PATH_MAX];
		struct stat st;

		if (!realpath(argv[argc - 1], dir))
			snprintf(dir, sizeof(dir), "%s", argv[argc - 1]);
		if (!ezn_journal_path(dir, jpath, sizeof(jpath)) && !stat(jpath, &st)) {
			ezn_err("an interrupted operation on %s is pending: use --resume or --rollback",
				dir);
			goto free_all;
		}
		if (decrypt) {
			char target[PATH_MAX];
			const struct ezn_category_conf *cat;

			ssize_t n = readlink(argv[optind], target, sizeof(target) - 1);

			if (n > 0)
				target[n] = 0;
			cat = n > 0 ? ezn_category_of(conf, target) : NULL;
			if (!cat) {
				ezn_err("%s is not a link into an encrypted category",
					argv[optind]);
				goto free_all;
			}
			ret = ezn_grant(&s, cat->name, &o, &grant);
			if (ret)
				goto free_all;
			ret = EZN_EXIT_FAIL;
			err = ezn_decrypt_new(conf, argv[optind], j);
			if (!err)
				err = ezn_job_run(j);
		} else {
			char cat[EZN_CATEGORY_MAX + 1];

			if (ezn_parse_category_arg(argv[optind], cat)) {
				ret = EZN_EXIT_USAGE;
				goto free_all;
			}
			ret = ezn_grant(&s, cat, &o, &grant);
			if (ret)
				goto free_all;
			ret = EZN_EXIT_FAIL;
			err = ezn_encrypt_new(conf, argv[optind], argv[optind + 1], j);
			if (!err)
				err = ezn_job_run(j);
		}
	}
	if (err) {
		if (j->journal[0] && !access(j->journal, F_OK))
			printf("interrupted; nothing is lost. Finish: ezn-%s --resume %s\n"
			       "Or undo: ezn-%s --rollback %s\n",
			       decrypt ? "decrypt" : "encrypt", j->dir,
			       decrypt ? "decrypt" : "encrypt", j->dir);
		ezn_log("%s of %s failed", decrypt ? "decryption" : "encryption", j->dir);
		ret = EZN_EXIT_FAIL;
	} else if (o.rollback) {
		ret = EZN_EXIT_OK;
	} else {
		if (decrypt)
			printf("%s is cleartext again\n", j->dir);
		else
			printf("%s is now encrypted: it links to %s (safety copy: %s)\n", j->dir,
			       j->target, j->safety);
		ezn_log("%s of %s done", decrypt ? "decryption" : "encryption", j->dir);
		ret = EZN_EXIT_OK;
	}
	if (s.adm) {
		ezn_session_revoke(&s, grant);
		ezn_session_close(&s);
	}
free_all:
	free(j);
	free(conf);
	return ret;
}

int ezn_cmd_encrypt(int argc, char **argv)
{
	return ezn_encdec(argc, argv, false);
}

int ezn_cmd_decrypt(int argc, char **argv)
{
	return ezn_encdec(argc, argv, true);
}
