// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the tools' helpers: configuration parsing, the keystore
 * (round trip, wrong passphrase, truncated and tampered files, dual mode),
 * passfiles, the passphrase length rule and the no-echo prompt on a real
 * pseudo-terminal, the key rotation's header rewrap and keystore journal.
 * Prints "PASS tools:NAME" / "FAIL tools:NAME (why)" lines;
 * exits 1 when any test failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "acl_file.h"
#include "config.h"
#include "keystore.h"
#include "prompt.h"
#include "tree.h"
#include "encrypt_links.h"
#include "encrypt_xattr.h"
#include "ezn_v1.h"
#include <archive.h>
#include <archive_entry.h>

static int failures;
static char tmpdir[32] = "/tmp/ezn-unit-XXXXXX";

void ezn_err(const char *fmt, ...)
{
	va_list ap;

	if (!getenv("EZN_UNIT_VERBOSE"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void result(const char *name, int ok, const char *fmt, ...)
{
	char why[512] = "";
	va_list ap;

	if (ok) {
		printf("PASS tools:%s\n", name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	printf("FAIL tools:%s (%s)\n", name, why);
	failures++;
}

/* ---- configuration ---- */

static int conf_err(const char *text, const char *want)
{
	static struct ezn_config c;
	char err[512] = "";
	int ret;

	ret = ezn_config_parse(text, strlen(text), "test.conf", &c, err, sizeof(err));
	if (ret != -EINVAL || !strstr(err, want)) {
		printf("# config '%s': got %d '%s', wanted '%s'\n", text, ret, err, want);
		return 0;
	}
	return 1;
}

static void test_config(void)
{
	static struct ezn_config c;
	const char *good = "# categories\n\n"
			   "category @backup /srv/lower/backup /mysql/store # the dumps\n"
			   "category logs /srv/lower/logs /var/ezn/logs\r\n"
			   "safety-dir /var/safety\n";
	char err[512] = "";
	int ret;

	ret = ezn_config_parse(good, strlen(good), "test.conf", &c, err, sizeof(err));
	result("config-parse", ret == 0 && c.nr == 2 && !strcmp(c.cat[0].name, "backup") &&
	       !strcmp(c.cat[0].lower, "/srv/lower/backup") &&
	       !strcmp(c.cat[0].mnt, "/mysql/store") &&
	       !strcmp(c.cat[1].mnt, "/var/ezn/logs") && !strcmp(c.safety_dir, "/var/safety") &&
	       ezn_config_find(&c, "logs") == &c.cat[1] && !ezn_config_find(&c, "nope"),
	       "ret %d err '%s' nr %u", ret, err, c.nr);
	result("config-errors",
	       conf_err("category backup /a\n",
			"test.conf line 1: expected 'category NAME LOWER MOUNTPOINT'") &&
	       conf_err("\n\ncategory b@d /a /b\n",
			"test.conf line 3: 'b@d' is not a valid category name") &&
	       conf_err("category admin /a /b\n", "line 1: 'admin' is not a valid") &&
	       conf_err("category b rel /b\n", "line 1: 'rel' is not an absolute path") &&
	       conf_err("category b /a /b\ncategory b /c /d\n",
			"line 2: category 'b' defined twice") &&
	       conf_err("category b /a /a/m\n", "must not contain each other") &&
	       conf_err("category b /a /b\ncategory c /b/x /d\n",
			"line 2: category 'c' overlaps") &&
	       conf_err("mount /a /b\n", "line 1: unknown keyword 'mount'") &&
	       conf_err("category b /a /b extra\n", "got 5 field(s)") &&
	       conf_err("safety-dir\n", "line 1: expected 'safety-dir ABSOLUTE-PATH'"),
	       "see the lines above");
	{
		char name[EZN_CATEGORY_MAX + 1];

		result("category-arg", !ezn_parse_category_arg("@backup", name) &&
		       !strcmp(name, "backup") && ezn_parse_category_arg("backup", name) &&
		       ezn_parse_category_arg("@", name) &&
		       ezn_parse_category_arg("@a/b", name) &&
		       ezn_parse_category_arg("@admin", name) &&
		       ezn_parse_category_arg("@0123456789012345678901234567890123", name),
		       "category argument parsing");
	}
}

/* ---- keystore ---- */

static void set_secret(struct ezn_secret *s, const char *v)
{
	s->len = strlen(v);
	memcpy(s->buf, v, s->len + 1);
}

static int write_file(const char *path, const void *data, size_t len, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, data, len) == (ssize_t)len;
	fchmod(fd, mode);
	close(fd);
	return ok ? 0 : -1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	char *buf;

	if (ezn_read_file(path, &buf, len, 1 << 20))
		return NULL;
	return (unsigned char *)buf;
}

static void test_keystore(void)
{
	struct ezn_keystore *ks = ezn_ks_new(), *ks2 = ezn_ks_new();
	struct ezn_creds *c = ezn_creds_new(), *bad = ezn_creds_new();
	char path[PATH_MAX], tpath[PATH_MAX], err[512];
	unsigned char *img, sum[32];
	unsigned char keyb[32];
	uint32_t flags;
	size_t len;
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/keystore", tmpdir);
	snprintf(tpath, sizeof(tpath), "%s/keystore.bad", tmpdir);
	set_secret(&c->pass, "correct horse battery staple");
	set_secret(&bad->pass, "correct horse battery stapler");
	ezn_ks_create(ks, EZN_KDF_INTERACTIVE, false);
	ezn_ks_add(ks, "backup");
	ezn_ks_add(ks, "logs");
	result("keystore-add-rules", ezn_ks_add(ks, "backup") == -EEXIST &&
	       ezn_ks_add(ks, "admin") == -EINVAL && ezn_ks_add(ks, "a/b") == -EINVAL,
	       "duplicate, reserved and bad names refused");
	memcpy(keyb, ezn_ks_find(ks, "backup")->key, 32);
	ret = ezn_ks_save(path, c, ks, err, sizeof(err));
	stat(path, &st);
	result("keystore-save", ret == 0 && (st.st_mode & 0777) == 0600, "ret %d mode %o (%s)",
	       ret, st.st_mode & 0777, err);
	ret = ezn_ks_load(path, c, ks2, err, sizeof(err));
	result("keystore-roundtrip", ret == 0 && ks2->nr == 2 &&
	       !memcmp(ezn_ks_find(ks2, "backup")->key, keyb, 32) &&
	       !memcmp(ks2->admin, ks->admin, 32) &&
	       ks2->memlimit == crypto_pwhash_MEMLIMIT_INTERACTIVE, "ret %d (%s)", ret, err);
	ret = ezn_ks_load(path, bad, ks2, err, sizeof(err));
	result("keystore-wrong-passphrase", ret == EZN_KS_EWRONGPASS &&
	       !strcmp(err, "wrong passphrase"), "ret %d '%s'", ret, err);

	img = slurp(path, &len);
	/* truncated at several points */
	{
		size_t cuts[] = { 0, 5, 40, 83, 84, 100, len - 33, len - 1 };
		int ok = 1;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(cuts); i++) {
			write_file(tpath, img, cuts[i], 0600);
			ret = ezn_ks_load(tpath, c, ks2, err, sizeof(err));
			if (ret != EZN_KS_ECORRUPT || !strstr(err, tpath) ||
			    (!strstr(err, "truncated") && !strstr(err, "bad magic") &&
			     !strstr(err, "checksum"))) {
				printf("# cut at %zu: %d '%s'\n", cuts[i], ret, err);
				ok = 0;
			}
		}
		result("keystore-truncated", ok, "a truncated keystore is not reported as such");
	}
	/* one byte flipped anywhere: a checksum error, never a wrong passphrase */
	{
		size_t i;
		int ok = 1;

		for (i = 0; i < len; i += 7) {
			img[i] ^= 0x20;
			write_file(tpath, img, len, 0600);
			ret = ezn_ks_load(tpath, c, ks2, err, sizeof(err));
			if (ret != EZN_KS_ECORRUPT && ret != EZN_KS_EVERSION) {
				printf("# flip at %zu: %d '%s'\n", i, ret, err);
				ok = 0;
			}
			img[i] ^= 0x20;
		}
		result("keystore-tampered", ok, "a damaged keystore opened or was misreported");
	}
	/* tampered with the checksum recomputed: the AEAD tag still refuses it */
	img[90] ^= 1;
	crypto_generichash(sum, sizeof(sum), img, len - 32, NULL, 0);
	memcpy(img + len - 32, sum, 32);
	write_file(tpath, img, len, 0600);
	ret = ezn_ks_load(tpath, c, ks2, err, sizeof(err));
	result("keystore-forged", ret == EZN_KS_EWRONGPASS, "ret %d '%s'", ret, err);
	img[90] ^= 1;
	/* a forged header asking for absurd KDF limits is refused before Argon2id runs */
	img[39] = 0x7f;
	write_file(tpath, img, len, 0600);
	ret = ezn_ks_load(tpath, c, ks2, err, sizeof(err));
	result("keystore-kdf-limits", ret == EZN_KS_ECORRUPT && strstr(err, "KDF limits"),
	       "ret %d '%s'", ret, err);
	free(img);
	ret = ezn_ks_load("/nonexistent/keystore", c, ks2, err, sizeof(err));
	result("keystore-missing", ret == -ENOENT && strstr(err, "ezn key init"), "ret %d '%s'",
	       ret, err);

	/* dual mode */
	ezn_ks_create(ks, EZN_KDF_INTERACTIVE, true);
	set_secret(&c->salt, "pepper");
	c->have_salt = true;
	ret = ezn_ks_save(path, c, ks, err, sizeof(err));
	ezn_ks_peek(path, &flags, err, sizeof(err));
	result("keystore-dual-flag", ret == 0 && (flags & EZN_KS_FLAG_DUAL), "ret %d", ret);
	ret = ezn_ks_load(path, c, ks2, err, sizeof(err));
	result("keystore-dual-open", ret == 0, "ret %d '%s'", ret, err);
	set_secret(&c->salt, "peppers");
	ret = ezn_ks_load(path, c, ks2, err, sizeof(err));
	result("keystore-dual-wrong-salt", ret == EZN_KS_EWRONGPASS &&
	       strstr(err, "wrong passphrase or salt"), "ret %d '%s'", ret, err);
	c->have_salt = false;
	ret = ezn_ks_load(path, c, ks2, err, sizeof(err));
	result("keystore-dual-needs-salt", ret == -EINVAL && strstr(err, "salt"), "ret %d '%s'",
	       ret, err);
	/* passphrase and salt cannot be shifted into each other */
	set_secret(&c->pass, "correct horse battery staplepep");
	set_secret(&c->salt, "per");
	c->have_salt = true;
	ret = ezn_ks_load(path, c, ks2, err, sizeof(err));
	result("keystore-dual-no-shift", ret == EZN_KS_EWRONGPASS, "ret %d", ret);

	{
		static const unsigned char k[32] = { 1, 2, 3 };
		unsigned char id1[16], id2[16];

		ezn_key_id(k, id1);
		ezn_key_id(keyb, id2);
		result("key-id", memcmp(id1, id2, 16) != 0, "distinct keys, distinct ids");
	}
	ezn_creds_free(bad);
	ezn_creds_free(c);
	ezn_ks_free(ks2);
	ezn_ks_free(ks);
}

/* ---- passfiles and the passphrase rule ---- */

static int passfile(const char *text, int mode, struct ezn_creds *c, char *err, size_t errsz)
{
	char path[PATH_MAX];
	int saved, ret, fd;

	snprintf(path, sizeof(path), "%s/pass", tmpdir);
	unlink(path);
	write_file(path, text, strlen(text), mode);
	/* the warning goes to stderr; keep the test output clean */
	fflush(stderr);
	saved = dup(2);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, 2);
	close(fd);
	ret = ezn_passfile_read(path, c, err, errsz);
	dup2(saved, 2);
	close(saved);
	return ret;
}

static void test_passfile(void)
{
	struct ezn_creds *c = ezn_creds_new();
	char err[512] = "";
	const char *why;
	int ret;

	ret = passfile("correct horse battery staple\n", 0600, c, err, sizeof(err));
	result("passfile-one-line", ret == 0 &&
	       !strcmp(c->pass.buf, "correct horse battery staple") && !c->have_salt,
	       "ret %d '%s'", ret, err);
	ret = passfile("correct horse battery staple\r\nmy salt\n", 0600, c, err, sizeof(err));
	result("passfile-two-lines", ret == 0 && c->pass.len == 28 && c->have_salt &&
	       !strcmp(c->salt.buf, "my salt"), "ret %d '%s'", ret, err);
	ret = passfile("no newline at all here", 0400, c, err, sizeof(err));
	result("passfile-no-newline", ret == 0 && !strcmp(c->pass.buf, "no newline at all here"),
	       "ret %d", ret);
	ret = passfile("a\nb\nc\n", 0600, c, err, sizeof(err));
	result("passfile-three-lines", ret == -EINVAL && strstr(err, "more than 2 lines"),
	       "ret %d '%s'", ret, err);
	ret = passfile("correct horse battery staple\n", 0644, c, err, sizeof(err));
	result("passfile-mode", ret == -EPERM && strstr(err, "chmod 600"), "ret %d '%s'", ret, err);
	ret = ezn_passfile_read("/nonexistent/pass", c, err, sizeof(err));
	result("passfile-missing", ret == -ENOENT && strstr(err, "/nonexistent/pass"),
	       "ret %d '%s'", ret, err);
	{
		char big[1200];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = 0;
		ret = passfile(big, 0600, c, err, sizeof(err));
		result("passfile-too-long", ret < 0 && strstr(err, "long"), "ret %d '%s'", ret,
		       err);
	}
	set_secret(&c->pass, "fourteen chars");
	ret = ezn_passphrase_check(&c->pass, &why);
	result("passphrase-too-short", ret == -EINVAL && strstr(why, "15"), "ret %d", ret);
	set_secret(&c->pass, "fifteen chars!!");
	result("passphrase-long-enough", ezn_passphrase_check(&c->pass, &why) == 0, "15 refused");
	ezn_creds_free(c);
}

/* ---- the authenticated access list ---- */

static void test_acl_file(void)
{
	struct ezn_acl_list l, back;
	uint8_t admin[32], other[32];
	char err[512] = "", *text;
	size_t len;
	int ret;

	randombytes_buf(admin, sizeof(admin));
	randombytes_buf(other, sizeof(other));
	ezn_acl_list_init(&l);
	ezn_acl_list_init(&back);
	l.mode = EZN_MODE_PERMISSIVE;
	snprintf(l.rules[0].text, sizeof(l.rules[0].text), "ALLOW @backup * /usr/bin/mariadb-dump");
	memset(l.rules[0].fp, 0xab, sizeof(l.rules[0].fp));
	snprintf(l.rules[1].text, sizeof(l.rules[1].text),
		 "DENY @backup secret/* /usr/bin/cat --children=/usr/bin/zstd");
	/* a --children rule stored before children were pinned: read, unpinned */
	l.rules[1].nr_child_fp = 0;
	snprintf(l.rules[2].text, sizeof(l.rules[2].text),
		 "ALLOW @backup * /usr/bin/mariadb-dump --children=/usr/bin/zstd,/usr/bin/gzip");
	l.rules[2].nr_child_fp = 2;
	memset(l.rules[2].child_fp[0], 0xcd, sizeof(l.rules[2].child_fp[0]));
	memset(l.rules[2].child_fp[1], 0xef, sizeof(l.rules[2].child_fp[1]));
	l.nr = 3;
	ezn_acl_encode(&l, admin, &text, &len);
	ret = ezn_acl_decode(text, len, admin, &back, err, sizeof(err));
	result("acl-file-roundtrip", ret == 0 && back.nr == 3 && back.mode == EZN_MODE_PERMISSIVE &&
	       !strcmp(back.rules[1].text, l.rules[1].text) &&
	       !memcmp(back.rules[0].fp, l.rules[0].fp, 32) && back.rules[1].nr_child_fp == 0 &&
	       back.rules[2].nr_child_fp == 2 &&
	       !memcmp(back.rules[2].child_fp, l.rules[2].child_fp, 64), "ret %d '%s'", ret, err);
	free(text);
	l.rules[2].nr_child_fp = 1;	/* one fingerprint for two children */
	ezn_acl_encode(&l, admin, &text, &len);
	ret = ezn_acl_decode(text, len, admin, &back, err, sizeof(err));
	result("acl-file-child-pins", ret == -EINVAL &&
	       strstr(err, "line 5: 1 --children fingerprints for 2 entries"), "ret %d '%s'", ret,
	       err);
	free(text);
	l.rules[2].nr_child_fp = 2;
	ezn_acl_encode(&l, admin, &text, &len);
	ret = ezn_acl_decode(text, len, other, &back, err, sizeof(err));
	result("acl-file-other-key", ret == -EBADMSG && strstr(err, "authentication failed"),
	       "ret %d '%s'", ret, err);
	text[strstr(text, "DENY") - text] = 'A';	/* DENY -> AENY: a parse error */
	ret = ezn_acl_decode(text, len, admin, &back, err, sizeof(err));
	result("acl-file-bad-rule", ret == -EINVAL && strstr(err, "line 4"), "ret %d '%s'", ret,
	       err);
	memcpy(strstr(text, "AENY"), "DENY", 4);
	memcpy(strstr(text, "secret"), "secreT", 6);	/* a valid rule, changed offline */
	ret = ezn_acl_decode(text, len, admin, &back, err, sizeof(err));
	result("acl-file-tampered", ret == -EBADMSG, "ret %d '%s'", ret, err);
	ret = ezn_acl_decode(text, strstr(text, "hmac") - text, admin, &back, err, sizeof(err));
	result("acl-file-truncated", ret == -EINVAL && strstr(err, "no hmac"), "ret %d '%s'", ret,
	       err);
	free(text);
	ezn_acl_list_free(&back);
	ezn_acl_list_free(&l);
}

/* ---- directory trees: scan, copy, compare, archive ---- */

static int quiet_fd = -1;

static void quiet(int on)
{
	int fd;

	fflush(stdout);
	if (on) {
		quiet_fd = dup(1);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		close(fd);
	} else {
		dup2(quiet_fd, 1);
		close(quiet_fd);
	}
}

/*
 * How many of @e's extended attributes are user.ezn-test="kept" (libarchive
 * reads a pax entry's attribute from both of the records it writes), or -1
 * when another one is there.
 */
static int archive_xattrs_kept(struct archive_entry *e)
{
	const char *name;
	const void *val;
	size_t len;
	int n = 0;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		if (strcmp(name, "user.ezn-test") || len != 4 || memcmp(val, "kept", 4))
			return -1;
		n++;
	}
	return n;
}

static void test_tree(void)
{
	char src[PATH_MAX], dst[PATH_MAX], arc[PATH_MAX], p[PATH_MAX + 32], bad[PATH_MAX + 128];
	char twin[PATH_MAX + 16];
	struct ezn_tree_stats ts;
	struct ezn_progress pr;
	struct archive_entry *e;
	struct archive *a;
	int ret, ret2, n = 0, sawlink = 0, hard = 0, xattr, xattrs = -1;
	struct stat st;

	snprintf(src, sizeof(src), "%s/src", tmpdir);
	snprintf(dst, sizeof(dst), "%s/dst", tmpdir);
	snprintf(arc, sizeof(arc), "%s/safety.tar.zst", tmpdir);
	mkdir(src, 0755);
	snprintf(p, sizeof(p), "%s/sub", src);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/sub/data", src);
	write_file(p, "0123456789abcdef", 16, 0640);
	snprintf(p, sizeof(p), "%s/empty", src);
	write_file(p, "", 0, 0600);
	snprintf(p, sizeof(p), "%s/link", src);
	if (symlink("sub/data", p))
		printf("# symlink: %s\n", strerror(errno));
	ret = ezn_tree_scan(src, &ts, bad, sizeof(bad));
	result("tree-scan", ret == 0 && ts.files == 4 && ts.bytes == 16, "ret %d files %llu",
	       ret, (unsigned long long)ts.files);
	quiet(1);
	ezn_progress_start(&pr, "Copying", ts.files, ts.bytes);
	ret = ezn_tree_copy(src, dst, &pr, bad, sizeof(bad));
	ret2 = ezn_tree_compare(src, dst, &pr, bad, sizeof(bad));
	quiet(0);
	snprintf(p, sizeof(p), "%s/sub/data", dst);
	stat(p, &st);
	result("tree-copy", ret == 0 && ret2 == 0 && (st.st_mode & 0777) == 0640 &&
	       st.st_size == 16, "copy %d compare %d (%s)", ret, ret2, bad);
	write_file(p, "0123456789abcdeF", 16, 0640);
	quiet(1);
	ret = ezn_tree_compare(src, dst, &pr, bad, sizeof(bad));
	quiet(0);
	result("tree-compare-detects", ret == -EBADMSG && strstr(bad, "sub/data"), "ret %d '%s'",
	       ret, bad);
	/* The safety copy: a second name stored as a link, attributes kept. */
	snprintf(p, sizeof(p), "%s/sub/data", src);
	snprintf(twin, sizeof(twin), "%s/data-again", src);
	if (link(p, twin))
		printf("# link: %s\n", strerror(errno));
	xattr = !setxattr(p, "user.ezn-test", "kept", 4, 0);
	if (!xattr)
		printf("# no user xattrs in %s: %s\n", tmpdir, strerror(errno));
	quiet(1);
	ret = ezn_tree_archive(src, arc, &pr, bad, sizeof(bad));
	quiet(0);
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	if (!ret && archive_read_open_filename(a, arc, 4096) == ARCHIVE_OK) {
		while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *l = archive_entry_symlink(e), *h = archive_entry_hardlink(e);

			n++;
			if (l && !strcmp(l, "sub/data"))
				sawlink = 1;
			if (h)
				hard = !strcmp(h, "src/sub/data") && archive_entry_size(e) == 0 &&
				       !strcmp(archive_entry_pathname(e), "src/data-again");
			if (!strcmp(archive_entry_pathname(e), "src/sub/data"))
				xattrs = archive_xattrs_kept(e);
		}
	}
	archive_read_free(a);
	result("tree-archive", ret == 0 && n == 6 && sawlink && hard && (!xattr || xattrs > 0),
	       "ret %d entries %d link %d hard link %d xattrs %d (%s)", ret, n, sawlink, hard,
	       xattrs, bad);
	unlink(twin);
	snprintf(p, sizeof(p), "%s/fifo", src);
	mkfifo(p, 0600);
	ret = ezn_tree_scan(src, &ts, bad, sizeof(bad));
	result("tree-scan-refuses-fifo", ret == -EINVAL && strstr(bad, "fifo"), "ret %d '%s'", ret,
	       bad);
	result("tree-remove", ezn_tree_remove(dst) == 0 && lstat(dst, &st) && errno == ENOENT,
	       "dst still there");
}

/* ---- encrypt/decrypt: hard links and extended attributes ---- */

static void test_links_table(void)
{
	struct ezn_links l = { 0 };
	const char *first = NULL;
	char rel[32];
	int i, bad = 0;

	for (i = 0; i < 1000; i++) {
		snprintf(rel, sizeof(rel), "f%d", i);
		if (ezn_links_note(&l, 1 + i % 3, i, rel, &first) != 0)
			bad++;
	}
	for (i = 0; i < 1000; i++) {
		snprintf(rel, sizeof(rel), "f%d", i);
		if (ezn_links_note(&l, 1 + i % 3, i, "again", &first) != 1 || strcmp(first, rel))
			bad++;
	}
	/* the same inode number on another device is another file */
	if (ezn_links_note(&l, 9, 5, "other", &first) != 0)
		bad++;
	result("links-table", !bad && l.nr == 1001, "%d wrong answers, %zu entries", bad, l.nr);
	ezn_links_free(&l);
	result("xattr-carried", ezn_xattr_carried("user.mime") &&
	       ezn_xattr_carried("system.posix_acl_access") &&
	       ezn_xattr_carried("system.posix_acl_default") && !ezn_xattr_carried("user.") &&
	       !ezn_xattr_carried("security.selinux") && !ezn_xattr_carried("trusted.x") &&
	       !ezn_xattr_carried("system.nfs4_acl"), "wrong namespace filter");
}

static void test_tree_links_xattrs(void)
{
	char src[PATH_MAX], dst[PATH_MAX], p[PATH_MAX + 32], q[PATH_MAX + 32];
	char bad[PATH_MAX + 128], val[64];
	struct ezn_tree_stats ts;
	struct ezn_progress pr;
	struct stat a, b;
	ssize_t n;
	int ret, ret2;

	snprintf(src, sizeof(src), "%s/hl-src", tmpdir);
	snprintf(dst, sizeof(dst), "%s/hl-dst", tmpdir);
	mkdir(src, 0755);
	snprintf(p, sizeof(p), "%s/sub", src);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/one", src);
	write_file(p, "0123456789", 10, 0644);
	snprintf(q, sizeof(q), "%s/sub/two", src);
	if (link(p, q))
		printf("# link: %s\n", strerror(errno));
	if (setxattr(p, "user.ezn-test", "blue", 4, 0) ||
	    setxattr(src, "user.ezn-dir", "red", 3, 0)) {
		printf("SKIP tools:tree-links-xattrs (no user xattrs in %s)\n", tmpdir);
		return;
	}
	ret = ezn_tree_scan(src, &ts, bad, sizeof(bad));
	result("tree-scan-hardlink-once", ret == 0 && ts.files == 3 && ts.bytes == 10,
	       "ret %d files %llu bytes %llu", ret, (unsigned long long)ts.files,
	       (unsigned long long)ts.bytes);
	quiet(1);
	ezn_progress_start(&pr, "Copying", ts.files, ts.bytes);
	ret = ezn_tree_copy(src, dst, &pr, bad, sizeof(bad));
	ret2 = ezn_tree_compare(src, dst, &pr, bad, sizeof(bad));
	quiet(0);
	snprintf(p, sizeof(p), "%s/one", dst);
	snprintf(q, sizeof(q), "%s/sub/two", dst);
	result("tree-copy-hardlink", ret == 0 && ret2 == 0 && !stat(p, &a) && !stat(q, &b) &&
	       a.st_ino == b.st_ino && a.st_nlink == 2, "copy %d compare %d (%s)", ret, ret2,
	       bad);
	n = getxattr(q, "user.ezn-test", val, sizeof(val));
	result("tree-copy-xattr", n == 4 && !memcmp(val, "blue", 4), "file attribute: %zd", n);
	n = getxattr(dst, "user.ezn-dir", val, sizeof(val));
	result("tree-copy-dir-xattr", n == 3 && !memcmp(val, "red", 3), "dir attribute: %zd", n);
	/* a changed attribute and a broken link are both caught */
	setxattr(p, "user.ezn-test", "gray", 4, 0);
	quiet(1);
	ret = ezn_tree_compare(src, dst, &pr, bad, sizeof(bad));
	quiet(0);
	result("tree-compare-xattr", ret == -EBADMSG && strstr(bad, "user.ezn-test"),
	       "ret %d '%s'", ret, bad);
	setxattr(p, "user.ezn-test", "blue", 4, 0);
	unlink(q);
	write_file(q, "0123456789", 10, 0644);
	quiet(1);
	ret = ezn_tree_compare(src, dst, &pr, bad, sizeof(bad));
	quiet(0);
	result("tree-compare-hardlink", ret == -EBADMSG && strstr(bad, "hard link"),
	       "ret %d '%s'", ret, bad);
}

/* ---- the prompt, on a pseudo-terminal ---- */

static void test_prompt(void)
{
	int master, pipefd[2], status;
	char out[4096] = "", got[EZN_SECRET_MAX + 8] = "";
	size_t olen = 0;
	struct pollfd pfd;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return result("prompt-no-echo", 0, "pipe: %s", strerror(errno));
	pid = forkpty(&master, NULL, NULL, NULL);
	if (pid < 0) {
		printf("SKIP tools:prompt-no-echo (no pseudo-terminal: %s)\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		struct ezn_secret *s = sodium_malloc(sizeof(*s));
		int ret;

		close(pipefd[0]);
		ret = ezn_prompt_secret("passphrase:", s);
		if (ret)
			dprintf(pipefd[1], "error %d", ret);
		else
			dprintf(pipefd[1], "ok %s", s->buf);
		_exit(0);
	}
	close(pipefd[1]);
	/* wait for the prompt, then answer */
	pfd.fd = master;
	pfd.events = POLLIN;
	while (!strstr(out, "passphrase:") && poll(&pfd, 1, 5000) > 0) {
		n = read(master, out + olen, sizeof(out) - 1 - olen);
		if (n <= 0)
			break;
		olen += n;
		out[olen] = 0;
	}
	if (write(master, "s3cret passphrase value\n", 24) != 24)
		result("prompt-no-echo", 0, "write to the terminal failed");
	n = read(pipefd[0], got, sizeof(got) - 1);
	if (n > 0)
		got[n] = 0;
	while (poll(&pfd, 1, 300) > 0) {
		n = read(master, out + olen, sizeof(out) - 1 - olen);
		if (n <= 0)
			break;
		olen += n;
		out[olen] = 0;
	}
	waitpid(pid, &status, 0);
	close(master);
	close(pipefd[0]);
	result("prompt-reads-tty", !strcmp(got, "ok s3cret passphrase value"), "child got '%s'",
	       got);
	result("prompt-no-echo", strstr(out, "passphrase:") && !strstr(out, "s3cret"),
	       "terminal showed '%s'", out);

	/* no terminal at all: -ENXIO, so the tools can say "use --passfile" */
	pid = fork();
	if (pid == 0) {
		struct ezn_secret s;

		setsid();
		_exit(ezn_prompt_secret("passphrase:", &s) == -ENXIO ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	result("prompt-no-tty", WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "prompt without a terminal did not fail with ENXIO");
}

/* Key rotation: a header rewrapped from key A to key B (FORMAT.md "Key rotation"). */
static void test_rewrap(void)
{
	uint8_t ma[EZN_KEY_SIZE], mb[EZN_KEY_SIZE], hdr[EZN_HEADER_SIZE], orig[EZN_HEADER_SIZE];
	uint8_t again[EZN_HEADER_SIZE];
	struct ezn_keys a, b;
	struct ezn_file f, g;
	const char *why = "";
	enum ezn_status st;
	size_t i, diff_out = 0;

	randombytes_buf(ma, sizeof(ma));
	randombytes_buf(mb, sizeof(mb));
	randombytes_buf(f.file_id, sizeof(f.file_id));
	randombytes_buf(f.key, sizeof(f.key));
	if (ezn_keys_derive(ma, &a) || ezn_keys_derive(mb, &b)) {
		result("rewrap-derive", 0, "ezn_keys_derive failed");
		return;
	}
	st = ezn_header_wrap(&a, &f, hdr);
	st = st == EZN_OK ? ezn_header_open(&a, hdr, &g, &why) : st;
	result("rewrap-wrap-opens", st == EZN_OK && !memcmp(f.key, g.key, EZN_KEY_SIZE) &&
	       !memcmp(f.file_id, g.file_id, EZN_FILE_ID_SIZE), "status %d %s", st, why);
	memcpy(orig, hdr, sizeof(hdr));

	st = ezn_header_rewrap(&a, &b, hdr, &why);
	for (i = 0; i < sizeof(hdr); i++)
		if (hdr[i] != orig[i] && (i < EZN_HDR_REWRAP_OFF ||
					  i >= EZN_HDR_REWRAP_OFF + EZN_HDR_REWRAP_SIZE))
			diff_out++;
	result("rewrap-only-key-bytes", st == EZN_OK && !diff_out &&
	       !memcmp(hdr + EZN_HDR_KEY_ID_OFF, b.key_id, EZN_KEY_ID_SIZE),
	       "status %d, %zu byte(s) changed outside the wrapped key", st, diff_out);
	memset(&g, 0, sizeof(g));
	st = ezn_header_open(&b, hdr, &g, &why);
	result("rewrap-new-key-opens", st == EZN_OK && !memcmp(f.key, g.key, EZN_KEY_SIZE) &&
	       !memcmp(f.file_id, g.file_id, EZN_FILE_ID_SIZE), "status %d %s", st, why);
	st = ezn_header_open(&a, hdr, &g, &why);
	result("rewrap-old-key-refused", st == EZN_OTHER_KEY, "status %d", st);

	/* A fresh nonce: rewrapping twice never gives the same bytes. */
	memcpy(again, orig, sizeof(again));
	st = ezn_header_rewrap(&a, &b, again, &why);
	result("rewrap-fresh-nonce", st == EZN_OK && memcmp(again, hdr, sizeof(hdr)),
	       "status %d", st);

	/* Already under the new key: the old key does not open it, nothing changes. */
	memcpy(again, hdr, sizeof(again));
	st = ezn_header_rewrap(&a, &b, again, &why);
	result("rewrap-done-untouched", st == EZN_OTHER_KEY && !memcmp(again, hdr, sizeof(hdr)),
	       "status %d", st);

	/* Damaged: refused and left as it was. */
	memcpy(again, orig, sizeof(again));
	again[EZN_HDR_REWRAP_OFF + 40] ^= 1;
	memcpy(hdr, again, sizeof(hdr));
	st = ezn_header_rewrap(&a, &b, again, &why);
	result("rewrap-damaged-refused", st == EZN_DAMAGED && !memcmp(again, hdr, sizeof(hdr)),
	       "status %d", st);

	/* A torn write cannot exist, but a half-old header must not open either way. */
	memcpy(again, orig, sizeof(again));
	memcpy(again + EZN_HDR_KEY_ID_OFF, b.key_id, EZN_KEY_ID_SIZE);
	st = ezn_header_open(&b, again, &g, &why);
	result("rewrap-mixed-refused", st == EZN_DAMAGED, "status %d", st);

	ezn_keys_wipe(&a);
	ezn_keys_wipe(&b);
	ezn_file_wipe(&f);
	ezn_file_wipe(&g);
	sodium_memzero(ma, sizeof(ma));
	sodium_memzero(mb, sizeof(mb));
}

/* The keystore's rotation journal survives a save and a load. */
static void test_keystore_journal(void)
{
	struct ezn_keystore *ks = ezn_ks_new(), *back = ezn_ks_new();
	struct ezn_creds *c = ezn_creds_new();
	struct ezn_ks_entry *p;
	char path[PATH_MAX], err[512] = "";
	int ret = -1;

	if (!ks || !back || !c)
		goto out;
	snprintf(path, sizeof(path), "%s/ks-journal", tmpdir);
	snprintf(c->pass.buf, sizeof(c->pass.buf), "journal passphrase");
	c->pass.len = strlen(c->pass.buf);
	if (ezn_ks_create(ks, EZN_KDF_INTERACTIVE, false) || ezn_ks_add(ks, "one") ||
	    ezn_ks_add(ks, "two"))
		goto out;
	p = &ks->pending[ks->nr_pending++];
	snprintf(p->name, sizeof(p->name), "two");
	randombytes_buf(p->key, sizeof(p->key));
	ret = ezn_ks_save(path, c, ks, err, sizeof(err));
	if (!ret)
		ret = ezn_ks_load(path, c, back, err, sizeof(err));
	result("keystore-journal", !ret && back->nr == 2 && back->nr_pending == 1 &&
	       ezn_ks_find_pending(back, "two") && !ezn_ks_find_pending(back, "one") &&
	       !memcmp(ezn_ks_find_pending(back, "two")->key, p->key, EZN_KEY_SIZE) &&
	       !memcmp(ezn_ks_find(back, "two")->key, ezn_ks_find(ks, "two")->key, EZN_KEY_SIZE),
	       "ret %d '%s'", ret, err);
	ezn_ks_drop_pending(back, "two");
	ret = ezn_ks_save(path, c, back, err, sizeof(err));
	if (!ret)
		ret = ezn_ks_load(path, c, ks, err, sizeof(err));
	result("keystore-journal-dropped", !ret && ks->nr == 2 && ks->nr_pending == 0,
	       "ret %d '%s'", ret, err);
	ret = 0;
out:
	if (ret)
		result("keystore-journal", 0, "setup failed (%d)", ret);
	ezn_creds_free(c);
	if (ks)
		ezn_ks_free(ks);
	if (back)
		ezn_ks_free(back);
}

int main(void)
{
	char cmd[PATH_MAX];

	if (sodium_init() < 0 || !mkdtemp(tmpdir)) {
		printf("FAIL tools:setup (libsodium or temporary directory)\n");
		return 1;
	}
	test_config();
	test_keystore();
	test_passfile();
	test_acl_file();
	test_tree();
	test_links_table();
	test_tree_links_xattrs();
	test_prompt();
	test_rewrap();
	test_keystore_journal();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		printf("# could not remove %s\n", tmpdir);
	return failures ? 1 : 0;
}
