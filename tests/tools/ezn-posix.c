// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-posix: a POSIX behaviour suite for the filesystem under a directory.
 *
 * usage: ezn-posix [-l] [-k REGEX] [-t] DIR
 *
 * Every check runs in a child process, in its own subdirectory of DIR that is
 * removed afterwards, and prints one line:
 *	PASS posix:NAME
 *	FAIL posix:NAME (what differed)
 *	SKIP posix:NAME (why)
 * Lines starting with '#' are information. The exit status is 1 if any check
 * failed, 2 on a usage error, 0 otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define R_PASS		0
#define R_FAIL		1
#define R_SKIP		77
#define BLK		4096
#define CHECK_TIMEOUT	120
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char msg[1024];
static bool strict_atomic;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return R_FAIL;
}

static int skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return R_SKIP;
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* RET from a syscall must not be an error. */
static int ok(long ret, const char *what)
{
	if (ret < 0)
		return fail("%s: unexpected error %s (%s)", what, ename(errno), strerror(errno));
	return 0;
}

/* RET must be -1 with errno E1 or E2 (E2 may be 0). */
static int err(long ret, int e1, int e2, const char *what)
{
	if (ret >= 0)
		return fail("%s: expected %s%s%s, got success (%ld)", what, ename(e1),
			    e2 ? " or " : "", e2 ? ename(e2) : "", ret);
	if (errno != e1 && (!e2 || errno != e2))
		return fail("%s: expected %s%s%s, got %s", what, ename(e1), e2 ? " or " : "",
			    e2 ? ename(e2) : "", ename(errno));
	return 0;
}

static int eq(long long want, long long got, const char *what)
{
	if (want != got)
		return fail("%s: expected %lld, got %lld", what, want, got);
	return 0;
}

static unsigned char pat(unsigned int seed, size_t i)
{
	uint32_t x = (uint32_t)(i + seed * 7919u) * 2654435761u;

	return (unsigned char)((x >> 24) | 1);
}

static void fill(unsigned char *p, size_t len, unsigned int seed, size_t base)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(seed, base + i);
}

/* Check LEN bytes against the pattern (seed 0: zeros); report the first difference. */
static int verify(const unsigned char *p, size_t len, unsigned int seed, size_t base,
		  const char *what)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char want = seed ? pat(seed, base + i) : 0;

		if (p[i] != want)
			return fail("%s: byte at offset %zu is 0x%02x, expected 0x%02x", what,
				    base + i, p[i], want);
	}
	return 0;
}

static ssize_t wall(int fd, const void *p, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)p + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t rall(int fd, void *p, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)p + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Create NAME with LEN bytes of pattern SEED. */
static int mkfile(const char *name, size_t len, unsigned int seed)
{
	unsigned char *p = malloc(len + 1);
	int fd, r = 0;

	if (!p)
		return fail("out of memory");
	fill(p, len, seed, 0);
	fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		r = fail("create %s: %s", name, ename(errno));
	else if (wall(fd, p, len, 0) != (ssize_t)len)
		r = fail("write %s: %s", name, ename(errno));
	else if (close(fd))
		r = fail("close %s: %s", name, ename(errno));
	free(p);
	return r;
}

/* NAME must hold exactly LEN bytes of pattern SEED (0: zeros). */
static int ckfile(const char *name, size_t len, unsigned int seed)
{
	unsigned char *p = malloc(len + 2);
	ssize_t n;
	int fd, r;

	if (!p)
		return fail("out of memory");
	fd = open(name, O_RDONLY);
	if (fd < 0) {
		free(p);
		return fail("open %s: %s", name, ename(errno));
	}
	n = rall(fd, p, len + 1, 0);
	close(fd);
	if (n != (ssize_t)len)
		r = fail("%s: read %zd bytes, expected %zu", name, n, len);
	else
		r = verify(p, len, seed, 0, name);
	free(p);
	return r;
}

static off_t fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? -1 : st.st_size;
}

/* ---------------------------------------------------------------- open flags */

static int t_open_excl(void)
{
	int fd = open("f", O_CREAT | O_EXCL | O_WRONLY, 0644);

	if (ok(fd, "O_CREAT|O_EXCL on a new name"))
		return R_FAIL;
	close(fd);
	if (err(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, 0,
		"O_CREAT|O_EXCL on an existing file"))
		return R_FAIL;
	if (ok(symlink("nowhere", "dangling"), "symlink"))
		return R_FAIL;
	if (err(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST, 0,
		"O_CREAT|O_EXCL on a dangling symlink"))
		return R_FAIL;
	if (err(open("nowhere", O_RDONLY), ENOENT, 0, "target of dangling symlink created"))
		return R_FAIL;
	return R_PASS;
}

static int t_open_trunc(void)
{
	char c;
	int fd;

	if (mkfile("f", 10000, 3))
		return R_FAIL;
	fd = open("f", O_RDWR | O_TRUNC);
	if (ok(fd, "open O_TRUNC") || eq(0, fsize(fd), "size after O_TRUNC") ||
	    eq(0, read(fd, &c, 1), "read after O_TRUNC"))
		return R_FAIL;
	close(fd);
	if (mkfile("f", 5000, 4))
		return R_FAIL;
	return ckfile("f", 5000, 4);
}

static int t_open_append(void)
{
	unsigned char b[300];
	int fd, fd2;

	if (mkfile("f", 5000, 5))
		return R_FAIL;
	fd = open("f", O_WRONLY | O_APPEND);
	fd2 = open("f", O_WRONLY | O_APPEND);
	if (ok(fd, "open O_APPEND") || ok(fd2, "open O_APPEND"))
		return R_FAIL;
	fill(b, sizeof(b), 5, 5000);
	if (ok(lseek(fd, 0, SEEK_SET), "lseek") || eq(100, write(fd, b, 100), "append write 1"))
		return R_FAIL;
	if (eq(100, write(fd2, b + 100, 100), "append write 2 (second fd)") ||
	    eq(100, write(fd, b + 200, 100), "append write 3"))
		return R_FAIL;
	if (eq(5300, lseek(fd, 0, SEEK_CUR), "file position after append"))
		return R_FAIL;
	close(fd);
	close(fd2);
	return ckfile("f", 5300, 5);
}

static int t_o_tmpfile(void)
{
	char path[64];
	struct stat st;
	int fd = open(".", O_TMPFILE | O_RDWR, 0600);

	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		return skip("O_TMPFILE not supported: %s", ename(errno));
	if (ok(fd, "open O_TMPFILE"))
		return R_FAIL;
	{
		unsigned char b[6000];

		fill(b, sizeof(b), 6, 0);
		if (eq(sizeof(b), wall(fd, b, sizeof(b), 0), "write to tmpfile"))
			return R_FAIL;
	}
	if (ok(fstat(fd, &st), "fstat") || eq(0, st.st_nlink, "nlink of an O_TMPFILE"))
		return R_FAIL;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ok(linkat(AT_FDCWD, path, AT_FDCWD, "named", AT_SYMLINK_FOLLOW), "linkat"))
		return R_FAIL;
	if (ok(fstat(fd, &st), "fstat") || eq(1, st.st_nlink, "nlink after linkat"))
		return R_FAIL;
	close(fd);
	return ckfile("named", 6000, 6);
}

static int t_o_direct(void)
{
	unsigned char *a, *b;
	int fd, bfd;

	if (posix_memalign((void **)&a, BLK, 4 * BLK) || posix_memalign((void **)&b, BLK, 4 * BLK))
		return fail("out of memory");
	fd = open("f", O_RDWR | O_CREAT | O_DIRECT, 0644);
	if (ok(fd, "open O_DIRECT"))
		return R_FAIL;
	fill(a, 4 * BLK, 7, 0);
	if (eq(4 * BLK, pwrite(fd, a, 4 * BLK, 0), "O_DIRECT pwrite 16 KiB"))
		return R_FAIL;
	fill(a, BLK, 8, 2 * BLK);
	if (eq(BLK, pwrite(fd, a, BLK, 2 * BLK), "O_DIRECT pwrite over block 2"))
		return R_FAIL;
	if (eq(4 * BLK, pread(fd, b, 4 * BLK, 0), "O_DIRECT pread"))
		return R_FAIL;
	if (verify(b, 2 * BLK, 7, 0, "O_DIRECT read") ||
	    verify(b + 2 * BLK, BLK, 8, 2 * BLK, "O_DIRECT read") ||
	    verify(b + 3 * BLK, BLK, 7, 3 * BLK, "O_DIRECT read"))
		return R_FAIL;
	/* buffered and direct views must agree both ways */
	bfd = open("f", O_RDWR);
	if (ok(bfd, "buffered open") || eq(4 * BLK, pread(bfd, b, 4 * BLK, 0), "buffered pread") ||
	    verify(b + 2 * BLK, BLK, 8, 2 * BLK, "buffered read of O_DIRECT data"))
		return R_FAIL;
	fill(a, BLK, 9, BLK);
	if (eq(BLK, pwrite(bfd, a, BLK, BLK), "buffered pwrite") ||
	    eq(BLK, pread(fd, b, BLK, BLK), "O_DIRECT pread") ||
	    verify(b, BLK, 9, BLK, "O_DIRECT read of buffered data"))
		return R_FAIL;
	if (eq(BLK, pread(fd, b, 2 * BLK, 3 * BLK), "O_DIRECT short read at EOF") ||
	    eq(0, pread(fd, b, BLK, 4 * BLK), "O_DIRECT read at EOF"))
		return R_FAIL;
	close(bfd);
	close(fd);
	free(a);
	free(b);
	return R_PASS;
}

static int t_o_nofollow(void)
{
	int fd;

	if (mkfile("target", 10, 1) || ok(symlink("target", "link"), "symlink"))
		return R_FAIL;
	if (err(open("link", O_RDONLY | O_NOFOLLOW), ELOOP, 0, "O_NOFOLLOW on a symlink"))
		return R_FAIL;
	fd = open("target", O_RDONLY | O_NOFOLLOW);
	if (ok(fd, "O_NOFOLLOW on a regular file"))
		return R_FAIL;
	close(fd);
	fd = open("link", O_PATH | O_NOFOLLOW);
	if (ok(fd, "O_PATH|O_NOFOLLOW on a symlink"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_open_errors(void)
{
	char name[PATH_MAX];
	struct statfs sf;
	int fd;

	if (mkfile("f", 1, 1) || ok(mkdir("d", 0755), "mkdir"))
		return R_FAIL;
	if (err(open("missing", O_RDONLY), ENOENT, 0, "open a missing file") ||
	    err(open("d", O_WRONLY), EISDIR, 0, "open a directory O_WRONLY") ||
	    err(open("d", O_RDWR | O_CREAT, 0644), EISDIR, 0, "O_CREAT on a directory") ||
	    err(open("f/x", O_RDONLY), ENOTDIR, 0, "open below a file") ||
	    err(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR, 0, "O_DIRECTORY on a file") ||
	    err(open("missing/x", O_RDWR | O_CREAT, 0644), ENOENT, 0, "create in a missing dir"))
		return R_FAIL;
	if (ok(statfs(".", &sf), "statfs"))
		return R_FAIL;
	if (sf.f_namelen <= 0 || sf.f_namelen >= (long)sizeof(name) - 1)
		return fail("statfs f_namelen %ld is not sane", (long)sf.f_namelen);
	memset(name, 'n', (size_t)sf.f_namelen);
	name[sf.f_namelen] = 0;
	fd = open(name, O_CREAT | O_WRONLY, 0644);
	if (ok(fd, "create a name of f_namelen bytes"))
		return R_FAIL;
	close(fd);
	name[sf.f_namelen] = 'n';
	name[sf.f_namelen + 1] = 0;
	if (err(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG, 0,
		"create a name of f_namelen + 1 bytes"))
		return R_FAIL;
	return R_PASS;
}

/* --------------------------------------------------------------- read/write */

static int t_read_eof(void)
{
	unsigned char b[BLK];
	int fd;

	if (mkfile("f", 5000, 11))
		return R_FAIL;
	fd = open("f", O_RDONLY);
	if (ok(fd, "open"))
		return R_FAIL;
	if (eq(50, pread(fd, b, 100, 4950), "pread across EOF") ||
	    verify(b, 50, 11, 4950, "pread across EOF") ||
	    eq(0, pread(fd, b, 100, 5000), "pread at EOF") ||
	    eq(0, pread(fd, b, 100, 1 << 20), "pread far past EOF"))
		return R_FAIL;
	if (eq(BLK, read(fd, b, BLK), "read 1") || verify(b, BLK, 11, 0, "read 1") ||
	    eq(5000 - BLK, read(fd, b, BLK), "read 2 (short at EOF)") ||
	    verify(b, 5000 - BLK, 11, BLK, "read 2") || eq(0, read(fd, b, BLK), "read 3 at EOF"))
		return R_FAIL;
	if (eq(0, pread(fd, b, 0, 10), "zero-length pread"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_pread_pwrite(void)
{
	static const off_t offs[] = { 0, 1, 4095, 4096, 8191, 12345, 40000, 598015, 598016 };
	unsigned char a[9000], b[9000];
	unsigned int i;
	off_t end = 0;
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	if (ok(fd, "create"))
		return R_FAIL;
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		size_t len = 1 + (i * 2311) % sizeof(a);

		if (offs[i] + (off_t)len > end)
			end = offs[i] + (off_t)len;

		fill(a, len, 20 + i, 0);
		if (eq((long long)len, pwrite(fd, a, len, offs[i]), "pwrite") ||
		    eq((long long)len, pread(fd, b, len, offs[i]), "pread") ||
		    verify(b, len, 20 + i, 0, "pread after pwrite"))
			return R_FAIL;
	}
	if (eq(0, lseek(fd, 0, SEEK_CUR), "file position after pread/pwrite"))
		return R_FAIL;
	if (eq(end, fsize(fd), "size"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_readv_writev(void)
{
	static unsigned char a[10000], b[10000];
	struct iovec w[3] = {
		{ a, 100 }, { a + 100, 5000 }, { a + 5100, 3 }
	};
	struct iovec r[4] = {
		{ b, 1 }, { b + 1, 4095 }, { b + 4096, 1000 }, { b + 5096, 4000 }
	};
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	if (ok(fd, "create"))
		return R_FAIL;
	fill(a, sizeof(a), 30, 0);
	if (eq(5103, writev(fd, w, 3), "writev") ||
	    eq(5103, lseek(fd, 0, SEEK_SET) + 5103, "lseek") ||
	    eq(5103, readv(fd, r, 4), "readv (short at EOF)") ||
	    verify(b, 5103, 30, 0, "readv data"))
		return R_FAIL;
	fill(a, sizeof(a), 31, 7000);
	if (eq(5103, pwritev(fd, w, 3, 7000), "pwritev") ||
	    eq(5103, preadv(fd, r, 4, 7000), "preadv") || verify(b, 5103, 31, 7000, "preadv data"))
		return R_FAIL;
	if (eq(5103, lseek(fd, 0, SEEK_CUR), "position after preadv/pwritev") ||
	    eq(12103, fsize(fd), "size"))
		return R_FAIL;
	if (eq(BLK, preadv(fd, r, 4, 12103 - BLK), "preadv across EOF") ||
	    eq(0, preadv(fd, r, 4, 12103), "preadv at EOF"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_sparse(void)
{
	const off_t far = (10 << 20) + 123;
	unsigned char *b = malloc(1 << 20), a[100];
	off_t o;
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	if (!b || ok(fd, "create"))
		return R_FAIL;
	fill(b, BLK, 40, 0);
	fill(a, sizeof(a), 41, 0);
	if (eq(BLK, pwrite(fd, b, BLK, 0), "write block 0") ||
	    eq(100, pwrite(fd, a, 100, far), "write far past EOF") ||
	    eq(far + 100, fsize(fd), "size after writing past EOF"))
		return R_FAIL;
	for (o = BLK; o < far; o += 1 << 20) {
		size_t len = far - o < (1 << 20) ? (size_t)(far - o) : 1 << 20;

		if (eq((long long)len, rall(fd, b, len, o), "read the hole") ||
		    verify(b, len, 0, (size_t)o, "hole"))
			return R_FAIL;
	}
	fill(a, 1, 42, 0);
	if (eq(1, pwrite(fd, a, 1, 3 * BLK + 5), "write into the hole") ||
	    eq(3 * BLK, pread(fd, b, 3 * BLK, 2 * BLK), "read around it") ||
	    verify(b, BLK + 5, 0, 2 * BLK, "hole before") ||
	    eq(a[0], b[BLK + 5], "byte written into the hole") ||
	    verify(b + BLK + 6, BLK - 6, 0, 3 * BLK + 6, "hole after"))
		return R_FAIL;
	if (eq(100, pread(fd, b, 200, far), "read the far data") || verify(b, 100, 41, 0, "far"))
		return R_FAIL;
	close(fd);
	free(b);
	return R_PASS;
}

static int t_truncate(void)
{
	unsigned char b[40000];
	int fd;

	if (mkfile("f", 3 * BLK + 100, 50))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open"))
		return R_FAIL;
	if (ok(ftruncate(fd, 5000), "truncate down to mid-block") || eq(5000, fsize(fd), "size") ||
	    eq(5000, rall(fd, b, sizeof(b), 0), "read after truncate down") ||
	    verify(b, 5000, 50, 0, "data kept by truncate"))
		return R_FAIL;
	/* growing again must not bring back the old bytes of the cut block */
	if (ok(ftruncate(fd, 20000), "truncate up") || eq(20000, fsize(fd), "size") ||
	    eq(20000, rall(fd, b, sizeof(b), 0), "read after truncate up") ||
	    verify(b, 5000, 50, 0, "data before the old EOF") ||
	    verify(b + 5000, 15000, 0, 5000, "zeros after truncate up"))
		return R_FAIL;
	if (ok(truncate("f", 4096), "truncate(path) to a block boundary") ||
	    eq(4096, fsize(fd), "size") || eq(4096, rall(fd, b, sizeof(b), 0), "read") ||
	    verify(b, 4096, 50, 0, "data"))
		return R_FAIL;
	if (ok(ftruncate(fd, 4097), "truncate up by one") ||
	    eq(4097, rall(fd, b, sizeof(b), 0), "read") || eq(0, b[4096], "byte past old EOF"))
		return R_FAIL;
	if (ok(ftruncate(fd, 0), "truncate to 0") || eq(0, rall(fd, b, sizeof(b), 0), "read"))
		return R_FAIL;
	if (ok(ftruncate(fd, 598016 + 10), "truncate up across a group") ||
	    eq(20, rall(fd, b, 100, 598006), "read") || verify(b, 20, 0, 598006, "zeros"))
		return R_FAIL;
	fill(b, 100, 51, 0);
	if (eq(100, pwrite(fd, b, 100, 598000), "write at the group boundary") ||
	    ok(ftruncate(fd, 598016), "truncate to the group boundary") ||
	    eq(16, rall(fd, b, 100, 598000), "read") || verify(b, 16, 51, 0, "data"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_truncate_errors(void)
{
	int fd;

	if (mkfile("f", 100, 1) || ok(mkdir("d", 0755), "mkdir"))
		return R_FAIL;
	fd = open("f", O_RDONLY);
	if (ok(fd, "open") || err(ftruncate(fd, 10), EINVAL, EBADF, "ftruncate on O_RDONLY fd"))
		return R_FAIL;
	close(fd);
	fd = open("f", O_RDWR);
	if (ok(fd, "open") || err(ftruncate(fd, -1), EINVAL, 0, "ftruncate to -1") ||
	    err(truncate("d", 0), EISDIR, 0, "truncate a directory") ||
	    err(truncate("missing", 0), ENOENT, 0, "truncate a missing file"))
		return R_FAIL;
	close(fd);
	return ckfile("f", 100, 1);
}

static int t_fallocate(void)
{
	unsigned char b[BLK * 4];
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	if (ok(fd, "create"))
		return R_FAIL;
	if (fallocate(fd, 0, 0, 1 << 20)) {
		if (errno == EOPNOTSUPP) {
			printf("# posix:fallocate: not supported (EOPNOTSUPP), as allowed\n");
			return R_PASS;
		}
		return fail("fallocate: expected success or EOPNOTSUPP, got %s", ename(errno));
	}
	if (eq(1 << 20, fsize(fd), "size after fallocate") ||
	    eq(sizeof(b), pread(fd, b, sizeof(b), 5000), "read allocated range") ||
	    verify(b, sizeof(b), 0, 5000, "allocated range"))
		return R_FAIL;
	fill(b, sizeof(b), 60, 0);
	if (eq(sizeof(b), pwrite(fd, b, sizeof(b), BLK), "write"))
		return R_FAIL;
	/* allocating over data leaves it alone; KEEP_SIZE does not grow the file */
	if (ok(fallocate(fd, 0, 0, 2 * BLK), "fallocate over data") ||
	    ok(fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 20), "fallocate KEEP_SIZE") ||
	    eq(1 << 20, fsize(fd), "size after KEEP_SIZE") ||
	    eq(sizeof(b), pread(fd, b, sizeof(b), BLK), "read") ||
	    verify(b, sizeof(b), 60, 0, "data after fallocate"))
		return R_FAIL;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * BLK, BLK) == 0) {
		if (eq(sizeof(b), pread(fd, b, sizeof(b), BLK), "read") ||
		    verify(b, BLK, 60, 0, "before the punched hole") ||
		    verify(b + BLK, BLK, 0, 0, "punched hole") ||
		    verify(b + 2 * BLK, 2 * BLK, 60, 2 * BLK, "after the punched hole") ||
		    eq(1 << 20, fsize(fd), "size after punch"))
			return R_FAIL;
	} else if (errno != EOPNOTSUPP) {
		return fail("punch hole: expected success or EOPNOTSUPP, got %s", ename(errno));
	}
	close(fd);
	return R_PASS;
}

/* -------------------------------------------------------------------- lseek */

static int t_lseek(void)
{
	char c = 'x';
	int fd;

	if (mkfile("f", 1000, 70))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open"))
		return R_FAIL;
	if (eq(10, lseek(fd, 10, SEEK_SET), "SEEK_SET") ||
	    eq(15, lseek(fd, 5, SEEK_CUR), "SEEK_CUR") ||
	    eq(990, lseek(fd, -10, SEEK_END), "SEEK_END") ||
	    eq(1100, lseek(fd, 100, SEEK_END), "SEEK_END past EOF") ||
	    err(lseek(fd, -2000, SEEK_END), EINVAL, 0, "seek before 0") ||
	    err(lseek(fd, 0, 12345), EINVAL, 0, "bad whence") ||
	    eq(1100, lseek(fd, 0, SEEK_CUR), "position kept after failed seek") ||
	    eq(1, write(fd, &c, 1), "write past EOF") || eq(1101, fsize(fd), "size"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_seek_data_hole(void)
{
	const off_t far = 4 << 20;
	unsigned char b[BLK];
	off_t d, h, size = far + BLK;
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	if (ok(fd, "create"))
		return R_FAIL;
	fill(b, BLK, 80, 0);
	if (eq(BLK, pwrite(fd, b, BLK, 0), "write") || eq(BLK, pwrite(fd, b, BLK, far), "write"))
		return R_FAIL;
	d = lseek(fd, 0, SEEK_DATA);
	if (d < 0 && errno == EINVAL)
		return skip("SEEK_DATA not supported");
	if (eq(0, d, "SEEK_DATA at 0"))
		return R_FAIL;
	h = lseek(fd, 0, SEEK_HOLE);
	if (h < BLK || h > size)
		return fail("SEEK_HOLE from 0 gave %lld: data at [0, 4096) and EOF at %lld",
			    (long long)h, (long long)size);
	d = lseek(fd, 2 * BLK, SEEK_DATA);
	if (d < 2 * BLK || d > far)
		return fail("SEEK_DATA from 8192 gave %lld, want 8192..%lld", (long long)d,
			    (long long)far);
	if (eq(far, lseek(fd, far, SEEK_DATA), "SEEK_DATA at the far data") ||
	    eq(size, lseek(fd, far, SEEK_HOLE), "SEEK_HOLE in the last data (EOF)") ||
	    eq(size, lseek(fd, size - 1, SEEK_HOLE), "SEEK_HOLE at EOF - 1") ||
	    err(lseek(fd, size, SEEK_DATA), ENXIO, 0, "SEEK_DATA at EOF") ||
	    err(lseek(fd, size, SEEK_HOLE), ENXIO, 0, "SEEK_HOLE at EOF") ||
	    err(lseek(fd, size + 100, SEEK_DATA), ENXIO, 0, "SEEK_DATA past EOF") ||
	    err(lseek(fd, size + 100, SEEK_HOLE), ENXIO, 0, "SEEK_HOLE past EOF"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

/* ------------------------------------------------------------------ syncing */

static int t_fsync(void)
{
	int fd, dfd;

	if (mkfile("f", 70000, 90))
		return R_FAIL;
	fd = open("f", O_RDWR);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	if (ok(fd, "open") || ok(dfd, "open dir"))
		return R_FAIL;
	if (ok(fsync(fd), "fsync") || ok(fdatasync(fd), "fdatasync") ||
	    ok(fsync(dfd), "fsync on a directory") || ok(syncfs(fd), "syncfs") ||
	    ok(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			       SYNC_FILE_RANGE_WAIT_AFTER), "sync_file_range"))
		return R_FAIL;
	close(fd);
	fd = open("f", O_RDONLY);
	if (ok(fd, "open O_RDONLY") || ok(fsync(fd), "fsync on O_RDONLY fd"))
		return R_FAIL;
	close(fd);
	close(dfd);
	fd = open("g", O_WRONLY | O_CREAT | O_SYNC, 0644);
	if (ok(fd, "open O_SYNC"))
		return R_FAIL;
	if (eq(5, write(fd, "hello", 5), "O_SYNC write"))
		return R_FAIL;
	close(fd);
	fd = open("h", O_WRONLY | O_CREAT | O_DSYNC, 0644);
	if (ok(fd, "open O_DSYNC") || eq(5, write(fd, "hello", 5), "O_DSYNC write"))
		return R_FAIL;
	close(fd);
	return ckfile("f", 70000, 90);
}

/* ------------------------------------------------------------------ renames */

static ino_t ino(const char *name)
{
	struct stat st;

	return lstat(name, &st) ? 0 : st.st_ino;
}

static int t_rename(void)
{
	ino_t i;

	if (mkfile("a", 3000, 100) || ok(mkdir("sub", 0755), "mkdir"))
		return R_FAIL;
	i = ino("a");
	if (ok(rename("a", "b"), "rename") || err(access("a", F_OK), ENOENT, 0, "old name") ||
	    eq((long long)i, (long long)ino("b"), "inode number kept"))
		return R_FAIL;
	if (ok(rename("b", "sub/c"), "rename into a subdirectory") || ckfile("sub/c", 3000, 100))
		return R_FAIL;
	if (ok(rename("sub/c", "sub/c"), "rename onto itself") || ckfile("sub/c", 3000, 100))
		return R_FAIL;
	if (ok(rename("sub", "sub2"), "rename a directory") || ckfile("sub2/c", 3000, 100) ||
	    err(rename("missing", "x"), ENOENT, 0, "rename a missing file"))
		return R_FAIL;
	return R_PASS;
}

static int t_rename_over(void)
{
	ino_t i;

	if (mkfile("a", 3000, 101) || mkfile("b", 9000, 102))
		return R_FAIL;
	i = ino("a");
	if (ok(rename("a", "b"), "rename over a file") ||
	    err(access("a", F_OK), ENOENT, 0, "old name") ||
	    eq((long long)i, (long long)ino("b"), "inode of the target"))
		return R_FAIL;
	return ckfile("b", 3000, 101);
}

static int t_rename_noreplace(void)
{
	if (mkfile("a", 3000, 103) || mkfile("b", 4000, 104))
		return R_FAIL;
	if (err(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST, 0,
		"RENAME_NOREPLACE onto an existing name"))
		return R_FAIL;
	if (ckfile("a", 3000, 103) || ckfile("b", 4000, 104))
		return R_FAIL;
	if (ok(renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE),
	       "RENAME_NOREPLACE onto a new name"))
		return R_FAIL;
	return ckfile("c", 3000, 103);
}

static int t_rename_exchange(void)
{
	ino_t ia, ib;

	if (mkfile("a", 3000, 105) || mkfile("b", 7000, 106) || ok(mkdir("d", 0755), "mkdir") ||
	    mkfile("d/x", 10, 107))
		return R_FAIL;
	ia = ino("a");
	ib = ino("b");
	if (ok(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE), "RENAME_EXCHANGE") ||
	    eq((long long)ib, (long long)ino("a"), "inode now at a") ||
	    eq((long long)ia, (long long)ino("b"), "inode now at b") ||
	    ckfile("a", 7000, 106) || ckfile("b", 3000, 105))
		return R_FAIL;
	if (ok(renameat2(AT_FDCWD, "a", AT_FDCWD, "d", RENAME_EXCHANGE),
	       "RENAME_EXCHANGE of a file and a directory") ||
	    ckfile("d", 7000, 106) || ckfile("a/x", 10, 107))
		return R_FAIL;
	if (err(renameat2(AT_FDCWD, "a", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT, 0,
		"RENAME_EXCHANGE with a missing name"))
		return R_FAIL;
	return R_PASS;
}

static int t_rename_dirs(void)
{
	if (ok(mkdir("d1", 0755), "mkdir") || ok(mkdir("d2", 0755), "mkdir") ||
	    mkfile("d2/f", 10, 1) || ok(mkdir("empty", 0755), "mkdir") || mkfile("file", 10, 2))
		return R_FAIL;
	if (err(rename("d1", "d2"), ENOTEMPTY, EEXIST, "directory over a non-empty directory") ||
	    err(rename("file", "d1"), EISDIR, 0, "file over a directory") ||
	    err(rename("d1", "file"), ENOTDIR, 0, "directory over a file") ||
	    err(rename("d2", "d2/sub"), EINVAL, 0, "directory into itself"))
		return R_FAIL;
	if (ok(rename("d2", "empty"), "directory over an empty directory") ||
	    ckfile("empty/f", 10, 1) || err(access("d2", F_OK), ENOENT, 0, "old directory name"))
		return R_FAIL;
	return R_PASS;
}

static int t_rename_open(void)
{
	unsigned char b[100];
	struct stat st;
	ino_t i;
	int fd;

	if (mkfile("a", 5000, 108) || ok(mkdir("d", 0755), "mkdir"))
		return R_FAIL;
	i = ino("a");
	fd = open("a", O_RDWR);
	if (ok(fd, "open") || ok(rename("a", "d/b"), "rename while open"))
		return R_FAIL;
	fill(b, sizeof(b), 108, 5000);
	if (eq(sizeof(b), pwrite(fd, b, sizeof(b), 5000), "write after rename") ||
	    ok(fstat(fd, &st), "fstat") || eq((long long)i, (long long)st.st_ino, "inode"))
		return R_FAIL;
	if (ckfile("d/b", 5100, 108))
		return R_FAIL;
	if (ok(rename("d/b", "c"), "rename back") || ok(fsync(fd), "fsync after rename"))
		return R_FAIL;
	close(fd);
	return ckfile("c", 5100, 108);
}

/* ------------------------------------------------------------ links, dirs */

static int t_link(void)
{
	struct stat a, b;
	unsigned char x[10];

	if (mkfile("a", 5000, 110) || ok(mkdir("d", 0755), "mkdir"))
		return R_FAIL;
	if (ok(link("a", "d/b"), "link") || ok(stat("a", &a), "stat") ||
	    ok(stat("d/b", &b), "stat"))
		return R_FAIL;
	if (eq(2, a.st_nlink, "nlink of a") || eq(2, b.st_nlink, "nlink of b") ||
	    eq((long long)a.st_ino, (long long)b.st_ino, "st_ino of the two names"))
		return R_FAIL;
	{
		int fd = open("d/b", O_WRONLY);

		fill(x, sizeof(x), 110, 5000);
		if (ok(fd, "open") || eq(10, pwrite(fd, x, 10, 5000), "write through link"))
			return R_FAIL;
		close(fd);
	}
	if (ckfile("a", 5010, 110))
		return R_FAIL;
	if (err(link("a", "d/b"), EEXIST, 0, "link onto an existing name") ||
	    err(link("d", "d2"), EPERM, 0, "link a directory") ||
	    err(link("missing", "x"), ENOENT, 0, "link a missing file"))
		return R_FAIL;
	if (ok(unlink("a"), "unlink one name") || ok(stat("d/b", &b), "stat") ||
	    eq(1, b.st_nlink, "nlink after unlink"))
		return R_FAIL;
	return ckfile("d/b", 5010, 110);
}

static int t_symlink(void)
{
	char t[1001], r[1100];	/* XFS's limit is 1024 */
	struct stat st;
	ssize_t n;

	if (ok(symlink("target-xyz", "l"), "symlink"))
		return R_FAIL;
	n = readlink("l", r, sizeof(r));
	if (eq(10, n, "readlink length") || memcmp(r, "target-xyz", 10))
		return fail("readlink: got '%.*s'", (int)(n > 0 ? n : 0), r);
	if (ok(lstat("l", &st), "lstat") || eq(1, S_ISLNK(st.st_mode), "S_ISLNK") ||
	    eq(10, st.st_size, "symlink st_size") ||
	    err(stat("l", &st), ENOENT, 0, "stat through a dangling symlink"))
		return R_FAIL;
	if (mkfile("target-xyz", 100, 111) || ok(stat("l", &st), "stat through a symlink") ||
	    eq(1, S_ISREG(st.st_mode), "target is a regular file") || ckfile("l", 100, 111))
		return R_FAIL;
	memset(t, 'p', sizeof(t) - 1);
	t[sizeof(t) - 1] = 0;
	if (ok(symlink(t, "long"), "symlink with a 1000-byte target"))
		return R_FAIL;
	n = readlink("long", r, sizeof(r));
	if (eq(sizeof(t) - 1, n, "readlink length") || memcmp(r, t, sizeof(t) - 1))
		return fail("long symlink target differs");
	if (err(readlink("target-xyz", r, sizeof(r)), EINVAL, 0, "readlink on a file") ||
	    err(symlink("x", "l"), EEXIST, 0, "symlink onto an existing name"))
		return R_FAIL;
	if (ok(mkdir("d", 0755), "mkdir") || ok(symlink("../target-xyz", "d/up"), "symlink") ||
	    ckfile("d/up", 100, 111))
		return R_FAIL;
	return R_PASS;
}

static int t_mkdir_rmdir(void)
{
	struct stat st;

	umask(022);
	if (ok(mkdir("d", 0777), "mkdir") || ok(stat("d", &st), "stat") ||
	    eq(1, S_ISDIR(st.st_mode), "S_ISDIR") || eq(0755, st.st_mode & 07777, "mode") ||
	    eq(2, st.st_nlink, "nlink of a new directory"))
		return R_FAIL;
	if (ok(mkdir("d/sub", 0700), "mkdir sub") || ok(stat("d", &st), "stat") ||
	    eq(3, st.st_nlink, "nlink with one subdirectory"))
		return R_FAIL;
	if (err(mkdir("d", 0755), EEXIST, 0, "mkdir an existing name") ||
	    err(mkdir("missing/d", 0755), ENOENT, 0, "mkdir in a missing directory") ||
	    err(rmdir("d"), ENOTEMPTY, EEXIST, "rmdir a non-empty directory") ||
	    mkfile("f", 1, 1) || err(rmdir("f"), ENOTDIR, 0, "rmdir on a file") ||
	    err(rmdir("d/sub/."), EINVAL, 0, "rmdir .") ||
	    err(rmdir("missing"), ENOENT, 0, "rmdir a missing name"))
		return R_FAIL;
	if (ok(rmdir("d/sub"), "rmdir") || ok(stat("d", &st), "stat") ||
	    eq(2, st.st_nlink, "nlink after rmdir") || ok(rmdir("d"), "rmdir") ||
	    err(access("d", F_OK), ENOENT, 0, "removed directory"))
		return R_FAIL;
	return R_PASS;
}

static int t_unlink(void)
{
	if (mkfile("f", 100, 1) || ok(mkdir("d", 0755), "mkdir"))
		return R_FAIL;
	if (err(unlink("d"), EISDIR, 0, "unlink a directory") ||
	    err(unlink("missing"), ENOENT, 0, "unlink a missing name") ||
	    ok(unlink("f"), "unlink") || err(access("f", F_OK), ENOENT, 0, "unlinked name") ||
	    err(unlink("f"), ENOENT, 0, "unlink twice"))
		return R_FAIL;
	return R_PASS;
}

static int t_unlink_open(void)
{
	unsigned char b[400];
	struct stat st;
	int fd;

	if (mkfile("f", 10000, 112))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open") || ok(unlink("f"), "unlink while open"))
		return R_FAIL;
	if (ok(fstat(fd, &st), "fstat") || eq(0, st.st_nlink, "nlink after unlink") ||
	    eq(10000, st.st_size, "size"))
		return R_FAIL;
	if (eq(200, pread(fd, b, 200, 9000), "read after unlink") ||
	    verify(b, 200, 112, 9000, "data after unlink"))
		return R_FAIL;
	fill(b, 200, 112, 10000);
	if (eq(200, pwrite(fd, b, 200, 10000), "write after unlink") || ok(fsync(fd), "fsync") ||
	    eq(200, pread(fd, b, 300, 10000), "read back") ||
	    verify(b, 200, 112, 10000, "data written after unlink"))
		return R_FAIL;
	if (err(access("f", F_OK), ENOENT, 0, "unlinked name") || mkfile("f", 10, 113) ||
	    ckfile("f", 10, 113))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

/* ---------------------------------------------------------- special files */

static int t_mknod_fifo(void)
{
	struct stat st;
	char b[8];
	int fd;

	if (ok(mkfifo("p", 0644), "mkfifo") || ok(mknod("q", S_IFIFO | 0600, 0), "mknod S_IFIFO"))
		return R_FAIL;
	if (ok(stat("p", &st), "stat") || eq(1, S_ISFIFO(st.st_mode), "S_ISFIFO") ||
	    ok(stat("q", &st), "stat") || eq(1, S_ISFIFO(st.st_mode), "S_ISFIFO"))
		return R_FAIL;
	fd = open("p", O_RDWR);
	if (ok(fd, "open fifo") || eq(5, write(fd, "hello", 5), "write to fifo") ||
	    eq(5, read(fd, b, sizeof(b)), "read from fifo") || memcmp(b, "hello", 5))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_mknod_socket(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	char b[8];
	int s, c;

	strcpy(a.sun_path, "sock");
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (ok(s, "socket") || ok(c, "socket") ||
	    ok(bind(s, (struct sockaddr *)&a, sizeof(a)), "bind AF_UNIX"))
		return R_FAIL;
	if (ok(stat("sock", &st), "stat") || eq(1, S_ISSOCK(st.st_mode), "S_ISSOCK"))
		return R_FAIL;
	if (eq(5, sendto(c, "hello", 5, 0, (struct sockaddr *)&a, sizeof(a)),
	       "sendto the bound socket") ||
	    eq(5, recv(s, b, sizeof(b), MSG_DONTWAIT), "recv") || memcmp(b, "hello", 5))
		return R_FAIL;
	close(s);
	close(c);
	if (ok(mknod("s2", S_IFSOCK | 0644, 0), "mknod S_IFSOCK") || ok(stat("s2", &st), "stat") ||
	    eq(1, S_ISSOCK(st.st_mode), "S_ISSOCK"))
		return R_FAIL;
	return R_PASS;
}

static int t_mknod_chardev(void)
{
	struct stat st;
	char b[8];
	int fd;

	if (geteuid())
		return skip("not root");
	if (ok(mknod("null", S_IFCHR | 0666, makedev(1, 3)), "mknod S_IFCHR 1:3"))
		return R_FAIL;
	if (ok(stat("null", &st), "stat") || eq(1, S_ISCHR(st.st_mode), "S_ISCHR") ||
	    eq((long long)makedev(1, 3), (long long)st.st_rdev, "st_rdev"))
		return R_FAIL;
	fd = open("null", O_RDWR);
	if (ok(fd, "open the device node") || eq(5, write(fd, "hello", 5), "write to /dev/null") ||
	    eq(0, read(fd, b, sizeof(b)), "read from /dev/null"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

/* --------------------------------------------------------------- attributes */

static int t_chmod(void)
{
	struct stat st;
	int fd;

	if (mkfile("f", 10, 1))
		return R_FAIL;
	if (ok(chmod("f", 0600), "chmod") || ok(stat("f", &st), "stat") ||
	    eq(0600, st.st_mode & 07777, "mode after chmod"))
		return R_FAIL;
	fd = open("f", O_RDONLY);
	if (ok(fd, "open") || ok(fchmod(fd, 04751), "fchmod") || ok(fstat(fd, &st), "fstat") ||
	    eq(04751, st.st_mode & 07777, "mode after fchmod"))
		return R_FAIL;
	close(fd);
	if (ok(mkdir("d", 0755), "mkdir") || ok(chmod("d", 01777), "chmod dir") ||
	    ok(stat("d", &st), "stat") || eq(01777, st.st_mode & 07777, "directory mode"))
		return R_FAIL;
	return ckfile("f", 10, 1);
}

static int t_chown(void)
{
	struct stat st;
	int fd;

	if (geteuid())
		return skip("not root");
	if (mkfile("f", 10, 1) || ok(symlink("f", "l"), "symlink"))
		return R_FAIL;
	if (ok(chown("f", 1234, 5678), "chown") || ok(stat("f", &st), "stat") ||
	    eq(1234, st.st_uid, "uid") || eq(5678, st.st_gid, "gid"))
		return R_FAIL;
	fd = open("f", O_RDONLY);
	if (ok(fd, "open") || ok(fchown(fd, (uid_t)-1, 42), "fchown gid only") ||
	    ok(fstat(fd, &st), "fstat") || eq(1234, st.st_uid, "uid kept") ||
	    eq(42, st.st_gid, "gid"))
		return R_FAIL;
	close(fd);
	if (ok(lchown("l", 99, 98), "lchown") || ok(lstat("l", &st), "lstat") ||
	    eq(99, st.st_uid, "symlink uid") || ok(stat("f", &st), "stat") ||
	    eq(1234, st.st_uid, "target uid unchanged by lchown"))
		return R_FAIL;
	return R_PASS;
}

static int t_utimensat(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1500000000, 987654321 } };
	struct stat st, st2;
	time_t now = time(NULL);
	int fd;

	if (mkfile("f", 10, 1))
		return R_FAIL;
	if (ok(utimensat(AT_FDCWD, "f", ts, 0), "utimensat") || ok(stat("f", &st), "stat") ||
	    eq(ts[0].tv_sec, st.st_atim.tv_sec, "atime") ||
	    eq(ts[0].tv_nsec, st.st_atim.tv_nsec, "atime ns") ||
	    eq(ts[1].tv_sec, st.st_mtim.tv_sec, "mtime") ||
	    eq(ts[1].tv_nsec, st.st_mtim.tv_nsec, "mtime ns"))
		return R_FAIL;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1600000000;
	ts[1].tv_nsec = 0;
	if (ok(utimensat(AT_FDCWD, "f", ts, 0), "utimensat UTIME_OMIT") ||
	    ok(stat("f", &st), "stat") ||
	    eq(1000000000, st.st_atim.tv_sec, "atime kept by UTIME_OMIT") ||
	    eq(123456789, st.st_atim.tv_nsec, "atime ns kept by UTIME_OMIT") ||
	    eq(1600000000, st.st_mtim.tv_sec, "mtime"))
		return R_FAIL;
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	if (ok(utimensat(AT_FDCWD, "f", ts, 0), "utimensat UTIME_NOW") ||
	    ok(stat("f", &st), "stat") || eq(1600000000, st.st_mtim.tv_sec, "mtime kept"))
		return R_FAIL;
	if (st.st_atim.tv_sec < now - 5 || st.st_atim.tv_sec > now + 5)
		return fail("UTIME_NOW set atime to %lld, now is %lld",
			    (long long)st.st_atim.tv_sec, (long long)now);
	/* a write moves mtime and ctime forward */
	fd = open("f", O_WRONLY);
	if (ok(fd, "open") || ok(fstat(fd, &st), "fstat") || eq(1, write(fd, "x", 1), "write") ||
	    ok(fstat(fd, &st2), "fstat"))
		return R_FAIL;
	if (st2.st_mtim.tv_sec < now - 5 || st2.st_ctim.tv_sec < now - 5)
		return fail("write did not update mtime/ctime (mtime %lld, ctime %lld, now %lld)",
			    (long long)st2.st_mtim.tv_sec, (long long)st2.st_ctim.tv_sec,
			    (long long)now);
	ts[0].tv_sec = 2000000000;
	ts[0].tv_nsec = 5;
	ts[1] = ts[0];
	if (ok(futimens(fd, ts), "futimens") || ok(fstat(fd, &st), "fstat") ||
	    eq(2000000000, st.st_mtim.tv_sec, "mtime after futimens"))
		return R_FAIL;
	close(fd);
	if (ok(symlink("f", "l"), "symlink") ||
	    ok(utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW), "utimensat on a symlink"))
		return R_FAIL;
	return R_PASS;
}

static int t_stat_sizes(void)
{
	struct statx sx;
	struct stat st;
	int fd;

	if (mkfile("f", 12345, 120))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open") || ok(fsync(fd), "fsync") || ok(fstat(fd, &st), "fstat"))
		return R_FAIL;
	if (eq(12345, st.st_size, "st_size") || eq(1, S_ISREG(st.st_mode), "S_ISREG"))
		return R_FAIL;
	if (st.st_blocks <= 0 || st.st_blocks * 512 > 4 * 12345 + (1 << 20) || st.st_blksize <= 0)
		return fail("st_blocks %lld / st_blksize %ld not sane for a 12345-byte file",
			    (long long)st.st_blocks, (long)st.st_blksize);
	if (ok(ftruncate(fd, 100 << 20), "truncate up to 100 MiB") || ok(fsync(fd), "fsync") ||
	    ok(fstat(fd, &st), "fstat") || eq(100 << 20, st.st_size, "st_size"))
		return R_FAIL;
	if (st.st_blocks * 512 > 50 << 20)
		printf("# posix:stat-sizes: a 100 MiB hole uses %lld KiB\n",
		       (long long)st.st_blocks / 2);
	if (statx(AT_FDCWD, "f", 0, STATX_SIZE | STATX_BTIME | STATX_BASIC_STATS, &sx))
		return fail("statx: %s", ename(errno));
	if (!(sx.stx_mask & STATX_SIZE))
		return fail("statx did not report STATX_SIZE (mask 0x%x)", sx.stx_mask);
	if (eq(100 << 20, (long long)sx.stx_size, "stx_size") ||
	    eq((long long)st.st_ino, (long long)sx.stx_ino, "stx_ino") ||
	    eq(st.st_blocks, (long long)sx.stx_blocks, "stx_blocks"))
		return R_FAIL;
	if ((sx.stx_mask & STATX_BTIME) &&
	    (sx.stx_btime.tv_sec <= 0 || sx.stx_btime.tv_sec > st.st_mtim.tv_sec + 1))
		return fail("stx_btime %lld is not sane (mtime %lld)",
			    (long long)sx.stx_btime.tv_sec, (long long)st.st_mtim.tv_sec);
	if (err(statx(AT_FDCWD, "missing", 0, STATX_SIZE, &sx), ENOENT, 0, "statx a missing name"))
		return R_FAIL;
	close(fd);
	fd = open("empty", O_CREAT | O_RDWR, 0644);
	if (ok(fd, "create") || ok(fstat(fd, &st), "fstat") || eq(0, st.st_size, "empty st_size"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_xattr(void)
{
	char v[2000], list[1000];
	ssize_t n;
	bool found = false;
	char *p;

	if (mkfile("f", 10, 1) || ok(mkdir("d", 0755), "mkdir"))
		return R_FAIL;
	if (setxattr("f", "user.test", "value", 5, 0)) {
		if (errno == EOPNOTSUPP)
			return skip("user xattrs not supported here (EOPNOTSUPP)");
		return fail("setxattr user.test: %s", ename(errno));
	}
	if (eq(5, getxattr("f", "user.test", NULL, 0), "getxattr size query") ||
	    eq(5, getxattr("f", "user.test", v, sizeof(v)), "getxattr") || memcmp(v, "value", 5))
		return R_FAIL;
	if (err(getxattr("f", "user.test", v, 2), ERANGE, 0, "getxattr into a short buffer") ||
	    err(getxattr("f", "user.missing", v, sizeof(v)), ENODATA, 0, "getxattr missing") ||
	    err(setxattr("f", "user.test", "x", 1, XATTR_CREATE), EEXIST, 0,
		"XATTR_CREATE on an existing attribute") ||
	    err(setxattr("f", "user.missing", "x", 1, XATTR_REPLACE), ENODATA, 0,
		"XATTR_REPLACE on a missing attribute"))
		return R_FAIL;
	memset(v, 'v', sizeof(v));
	if (ok(setxattr("f", "user.big", v, 500, XATTR_CREATE), "setxattr 500 bytes") ||
	    ok(setxattr("f", "user.test", "new", 3, XATTR_REPLACE), "XATTR_REPLACE") ||
	    eq(3, getxattr("f", "user.test", v, sizeof(v)), "getxattr") || memcmp(v, "new", 3) ||
	    eq(500, getxattr("f", "user.big", v, sizeof(v)), "getxattr 500 bytes"))
		return R_FAIL;
	n = listxattr("f", list, sizeof(list));
	if (ok(n, "listxattr"))
		return R_FAIL;
	for (p = list; p < list + n; p += strlen(p) + 1)
		found |= !strcmp(p, "user.test");
	if (!found)
		return fail("listxattr does not list user.test");
	if (ok(removexattr("f", "user.test"), "removexattr") ||
	    err(getxattr("f", "user.test", v, sizeof(v)), ENODATA, 0, "getxattr after remove") ||
	    err(removexattr("f", "user.test"), ENODATA, 0, "removexattr missing") ||
	    ok(setxattr("d", "user.dir", "1", 1, 0), "setxattr on a directory") ||
	    eq(1, getxattr("d", "user.dir", v, sizeof(v)), "getxattr on a directory"))
		return R_FAIL;
	return ckfile("f", 10, 1);
}

static int t_statfs(void)
{
	struct statfs a, b;
	struct statvfs v;
	int fd = open(".", O_RDONLY | O_DIRECTORY);

	if (ok(fd, "open") || ok(statfs(".", &a), "statfs") || ok(fstatfs(fd, &b), "fstatfs") ||
	    ok(statvfs(".", &v), "statvfs"))
		return R_FAIL;
	if (a.f_bsize <= 0 || a.f_blocks == 0 || a.f_bfree > a.f_blocks ||
	    a.f_bavail > a.f_bfree || a.f_namelen <= 0 || a.f_ffree > a.f_files)
		return fail("statfs: bsize %ld blocks %llu/%llu/%llu files %llu/%llu name %ld",
			    (long)a.f_bsize, (unsigned long long)a.f_blocks,
			    (unsigned long long)a.f_bfree, (unsigned long long)a.f_bavail,
			    (unsigned long long)a.f_files, (unsigned long long)a.f_ffree,
			    (long)a.f_namelen);
	if (eq(a.f_type, b.f_type, "fstatfs f_type") || eq(a.f_blocks, b.f_blocks, "f_blocks") ||
	    eq(a.f_namelen, (long long)v.f_namemax, "statvfs f_namemax"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

/* ------------------------------------------------------------------ readdir */

/* The directory must list exactly NAMES[0..N) plus . and .. */
static int list_exact(const char *dir, const char * const *names, int n, const int *types)
{
	char *seen = calloc((size_t)n, 1);
	struct dirent *e;
	int dots = 0, i, count = 0;
	DIR *d = opendir(dir);

	if (!d || !seen)
		return fail("opendir %s: %s", dir, ename(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		for (i = 0; i < n && strcmp(names[i], e->d_name); i++)
			;
		if (i == n)
			return fail("readdir lists unexpected entry '%s'", e->d_name);
		if (seen[i]++)
			return fail("readdir lists '%s' twice", e->d_name);
		if (types && e->d_type != DT_UNKNOWN && e->d_type != types[i])
			return fail("d_type of '%s' is %d, expected %d", e->d_name, e->d_type,
				    types[i]);
		count++;
	}
	closedir(d);
	if (dots != 2)
		return fail("readdir listed . and .. %d times in all, expected 2", dots);
	for (i = 0; i < n; i++)
		if (!seen[i])
			return fail("readdir does not list '%s' (%d of %d listed)", names[i],
				    count, n);
	free(seen);
	return R_PASS;
}

static int t_readdir(void)
{
	char longname[130];
	const char * const names[] = { "file", "dir", "link", "fifo", longname };
	int types[] = { DT_REG, DT_DIR, DT_LNK, DT_FIFO, DT_REG };
	char path[200];

	memset(longname, 'L', 120);
	longname[120] = 0;
	snprintf(path, sizeof(path), "t/%s", longname);
	if (ok(mkdir("t", 0755), "mkdir") || list_exact("t", names, 0, NULL))
		return R_FAIL;
	if (mkfile("t/file", 10, 1) || ok(mkdir("t/dir", 0755), "mkdir") ||
	    ok(symlink("file", "t/link"), "symlink") || ok(mkfifo("t/fifo", 0644), "mkfifo") ||
	    mkfile(path, 1, 1))
		return R_FAIL;
	if (list_exact("t", names, 5, types))
		return R_FAIL;
	if (ok(unlink("t/file"), "unlink") || list_exact("t", names + 1, 4, types + 1))
		return R_FAIL;
	return R_PASS;
}

enum { MANY = 300 };

static int t_readdir_many(void)
{
	static char buf[MANY][40], first[MANY][NAME_MAX + 1];
	const char *names[MANY];
	struct dirent *e;
	int i, n, nfirst = 0;
	long pos;
	DIR *d;

	if (ok(mkdir("t", 0755), "mkdir"))
		return R_FAIL;
	for (i = 0; i < MANY; i++) {
		char path[sizeof(buf[0]) + 8];
		int fd;

		snprintf(buf[i], sizeof(buf[i]), "entry-%03d-%s", i, i % 2 ? "odd" : "even-longer");
		names[i] = buf[i];
		snprintf(path, sizeof(path), "t/%.39s", buf[i]);
		fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (ok(fd, "create"))
			return R_FAIL;
		close(fd);
	}
	if (list_exact("t", names, MANY, NULL))
		return R_FAIL;
	for (i = n = 0; i < MANY; i++) {
		char path[sizeof(buf[0]) + 8];

		snprintf(path, sizeof(path), "t/%.39s", buf[i]);
		if (i % 3 == 0) {
			if (ok(unlink(path), "unlink"))
				return R_FAIL;
		} else {
			names[n++] = buf[i];
		}
	}
	if (list_exact("t", names, n, NULL))
		return R_FAIL;
	/* telldir/seekdir: reading again from a remembered position gives the same entries */
	d = opendir("t");
	if (!d)
		return fail("opendir: %s", ename(errno));
	for (i = 0; i < 50 && readdir(d); i++)
		;
	pos = telldir(d);
	while ((e = readdir(d)) && nfirst < MANY)
		snprintf(first[nfirst++], sizeof(first[0]), "%s", e->d_name);
	seekdir(d, pos);
	for (i = 0; i < nfirst; i++) {
		e = readdir(d);
		if (!e || strcmp(e->d_name, first[i]))
			return fail("after seekdir entry %d is '%s', was '%s'", i,
				    e ? e->d_name : "(end)", first[i]);
	}
	if (readdir(d))
		return fail("after seekdir readdir lists more entries than before");
	rewinddir(d);
	for (i = 0; readdir(d); i++)
		;
	if (eq(n + 2, i, "entries after rewinddir"))
		return R_FAIL;
	closedir(d);
	return R_PASS;
}

/* -------------------------------------------------------------------- locks */

static int t_flock(void)
{
	int a, b, c;

	if (mkfile("f", 10, 1))
		return R_FAIL;
	a = open("f", O_RDWR);
	b = open("f", O_RDWR);
	if (ok(a, "open") || ok(b, "open") || ok(flock(a, LOCK_EX), "flock LOCK_EX"))
		return R_FAIL;
	if (err(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK, 0,
		"LOCK_EX|LOCK_NB from a second open file description") ||
	    err(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK, 0, "LOCK_SH|LOCK_NB against LOCK_EX"))
		return R_FAIL;
	c = dup(a);
	if (ok(c, "dup") || ok(flock(c, LOCK_EX | LOCK_NB), "flock through a dup (same lock)") ||
	    ok(flock(a, LOCK_UN), "LOCK_UN") || ok(flock(b, LOCK_SH | LOCK_NB), "LOCK_SH") ||
	    ok(flock(a, LOCK_SH | LOCK_NB), "second LOCK_SH") ||
	    err(flock(c, LOCK_EX | LOCK_NB), EWOULDBLOCK, 0, "LOCK_EX against two LOCK_SH"))
		return R_FAIL;
	close(a);
	close(b);
	close(c);
	return R_PASS;
}

/* In a child: try to lock [START, START+LEN) with TYPE; exit 0 locked, 1 EAGAIN/EACCES, 2 other */
static int child_lock(const char *name, short type, off_t start, off_t len, pid_t *holder)
{
	int pfd[2], st;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start,
				    .l_len = len };
		int fd = open(name, O_RDWR);
		pid_t who = 0;
		int r;

		r = fcntl(fd, F_SETLK, &fl);
		if (r && (errno == EAGAIN || errno == EACCES)) {
			fl.l_type = type;
			if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
				who = fl.l_pid;
			if (write(pfd[1], &who, sizeof(who)) < 0)
				_exit(2);
			_exit(1);
		}
		_exit(r ? 2 : 0);
	}
	close(pfd[1]);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	*holder = 0;
	if (read(pfd[0], holder, sizeof(*holder)) < 0)
		*holder = -1;
	close(pfd[0]);
	return WEXITSTATUS(st);
}

static int t_fcntl_lock(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 100 };
	pid_t who;
	int fd, a, b;

	if (mkfile("f", 1000, 1))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open") || ok(fcntl(fd, F_SETLK, &fl), "F_SETLK F_WRLCK [0,100)"))
		return R_FAIL;
	if (eq(1, child_lock("f", F_WRLCK, 50, 10, &who),
	       "child F_SETLK F_WRLCK [50,60): 1 = EAGAIN/EACCES") ||
	    eq(getpid(), who, "F_GETLK l_pid of the holder") ||
	    eq(1, child_lock("f", F_RDLCK, 0, 1, &who), "child F_RDLCK [0,1)") ||
	    eq(0, child_lock("f", F_WRLCK, 100, 100, &who), "child F_WRLCK [100,200)"))
		return R_FAIL;
	fl.l_type = F_RDLCK;
	if (ok(fcntl(fd, F_SETLK, &fl), "downgrade to F_RDLCK") ||
	    eq(0, child_lock("f", F_RDLCK, 0, 100, &who), "child F_RDLCK on a read lock") ||
	    eq(1, child_lock("f", F_WRLCK, 99, 1, &who), "child F_WRLCK on a read lock"))
		return R_FAIL;
	fl.l_type = F_UNLCK;
	if (ok(fcntl(fd, F_SETLK, &fl), "F_UNLCK") ||
	    eq(0, child_lock("f", F_WRLCK, 0, 0, &who), "child F_WRLCK on the whole file"))
		return R_FAIL;
	/* open file description locks conflict between two opens in one process */
	a = open("f", O_RDWR);
	b = open("f", O_RDWR);
	fl.l_type = F_WRLCK;
	fl.l_pid = 0;
	if (ok(a, "open") || ok(b, "open") || ok(fcntl(a, F_OFD_SETLK, &fl), "F_OFD_SETLK"))
		return R_FAIL;
	fl.l_pid = 0;
	if (err(fcntl(b, F_OFD_SETLK, &fl), EAGAIN, EACCES, "conflicting F_OFD_SETLK"))
		return R_FAIL;
	close(a);
	close(b);
	close(fd);
	return R_PASS;
}

/* ---------------------------------------------------------- copy-ish paths */

static int t_sendfile(void)
{
	const size_t len = 200000;
	unsigned char *b = malloc(len);
	off_t off = 0;
	int in, out;

	if (!b || mkfile("src", len, 140))
		return R_FAIL;
	in = open("src", O_RDONLY);
	out = open("dst", O_WRONLY | O_CREAT, 0644);
	if (ok(in, "open") || ok(out, "create"))
		return R_FAIL;
	while (off < (off_t)len) {
		ssize_t n = sendfile(out, in, &off, len - (size_t)off);

		if (ok(n, "sendfile"))
			return R_FAIL;
		if (!n)
			return fail("sendfile stopped at %lld", (long long)off);
	}
	close(out);
	if (ckfile("dst", len, 140))
		return R_FAIL;
	/* from an offset, up to EOF */
	out = open("dst2", O_WRONLY | O_CREAT, 0644);
	off = 150000;
	if (ok(out, "create") || eq(50000, sendfile(out, in, &off, 100000), "sendfile to EOF") ||
	    eq(len, off, "offset after sendfile"))
		return R_FAIL;
	close(out);
	out = open("dst2", O_RDONLY);
	if (eq(50000, rall(out, b, len, 0), "read") || verify(b, 50000, 140, 150000, "dst2"))
		return R_FAIL;
	close(out);
	close(in);
	free(b);
	return R_PASS;
}

static int t_splice(void)
{
	const size_t len = 300000;
	loff_t in_off = 0, out_off = 1000;
	unsigned char *b = malloc(len);
	int in, out, p[2];

	if (!b || mkfile("src", len, 141) || ok(pipe(p), "pipe"))
		return R_FAIL;
	in = open("src", O_RDONLY);
	out = open("dst", O_WRONLY | O_CREAT, 0644);
	if (ok(in, "open") || ok(out, "create"))
		return R_FAIL;
	while (in_off < (loff_t)len) {
		ssize_t n = splice(in, &in_off, p[1], NULL, 65536, 0), m;

		if (ok(n, "splice file to pipe"))
			return R_FAIL;
		if (!n)
			return fail("splice stopped at %lld", (long long)in_off);
		while (n > 0) {
			m = splice(p[0], NULL, out, &out_off, (size_t)n, 0);
			if (ok(m, "splice pipe to file"))
				return R_FAIL;
			n -= m;
		}
	}
	close(out);
	out = open("dst", O_RDONLY);
	if (ok(out, "open") || eq(len + 1000, rall(out, b, len, 0) + 1000, "read") ||
	    verify(b, 1000, 0, 0, "hole before the spliced data") ||
	    eq(len, rall(out, b, len, 1000), "read") || verify(b, len, 141, 0, "spliced data"))
		return R_FAIL;
	close(out);
	close(in);
	free(b);
	return R_PASS;
}

static int t_copy_file_range(void)
{
	const size_t len = 300000, n = 250000;
	loff_t in_off = 1000, out_off = 5000;
	unsigned char *b = malloc(len + 10000);
	int in, out;

	if (!b || mkfile("src", len, 142))
		return R_FAIL;
	in = open("src", O_RDONLY);
	out = open("dst", O_RDWR | O_CREAT, 0644);
	if (ok(in, "open") || ok(out, "create"))
		return R_FAIL;
	while (in_off < 1000 + (loff_t)n) {
		ssize_t r = copy_file_range(in, &in_off, out, &out_off,
					    1000 + n - (size_t)in_off, 0);

		if (ok(r, "copy_file_range"))
			return R_FAIL;
		if (!r)
			return fail("copy_file_range stopped at %lld", (long long)in_off);
	}
	if (eq(5000 + n, fsize(out), "size of the copy") ||
	    eq(5000 + n, rall(out, b, len + 10000, 0), "read") ||
	    verify(b, 5000, 0, 0, "zeros before the copied range") ||
	    verify(b + 5000, n, 142, 1000, "copied range"))
		return R_FAIL;
	close(out);
	close(in);
	free(b);
	return R_PASS;
}

/* --------------------------------------------------------------------- mmap */

static int t_mmap_shared(void)
{
	const size_t len = 3 * BLK + 100;
	unsigned char *m, *b = malloc(len + 1);
	int fd;

	if (!b || mkfile("f", len, 130))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open"))
		return R_FAIL;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap MAP_SHARED: %s", ename(errno));
	if (verify(m, len, 130, 0, "mapped data"))
		return R_FAIL;
	fill(b, len, 131, 0);
	memcpy(m + 100, b + 100, len - 100);
	if (ok(msync(m, len, MS_SYNC), "msync") ||
	    eq(len, rall(fd, b, len + 1, 0), "read after mmap write") ||
	    verify(b, 100, 130, 0, "untouched bytes") ||
	    verify(b + 100, len - 100, 131, 100, "bytes written through the mapping"))
		return R_FAIL;
	/* write() is seen by the mapping */
	fill(b, 50, 132, BLK);
	if (eq(50, pwrite(fd, b, 50, BLK), "pwrite") || verify(m + BLK, 50, 132, BLK, "mapping"))
		return R_FAIL;
	if (ok(munmap(m, len), "munmap"))
		return R_FAIL;
	/* MAP_PRIVATE writes stay private */
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap MAP_PRIVATE: %s", ename(errno));
	memset(m, 0xee, 10);
	if (eq(10, pread(fd, b, 10, 0), "pread") ||
	    verify(b, 10, 130, 0, "after MAP_PRIVATE write"))
		return R_FAIL;
	munmap(m, len);
	/* a shared mapping outlives its descriptor; munmap without msync still lands */
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap: %s", ename(errno));
	close(fd);
	fill(b, len, 133, 0);
	memcpy(m, b, len);
	if (ok(munmap(m, len), "munmap"))
		return R_FAIL;
	return ckfile("f", len, 133);
}

static void sigbus_exit(int sig)
{
	_exit(sig == SIGBUS ? 42 : 43);
}

static int t_mmap_eof(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m;
	pid_t pid;
	int fd, st;

	if (mkfile("f", 100, 134))
		return R_FAIL;
	fd = open("f", O_RDWR);
	if (ok(fd, "open"))
		return R_FAIL;
	m = mmap(NULL, 2 * (size_t)pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return fail("mmap: %s", ename(errno));
	if (verify(m, 100, 134, 0, "mapped data") ||
	    verify(m + 100, (size_t)pg - 100, 0, 100, "mapped page beyond EOF"))
		return R_FAIL;
	pid = fork();
	if (pid == 0) {
		signal(SIGBUS, sigbus_exit);
		signal(SIGSEGV, sigbus_exit);
		_exit(m[pg + 1] == 0xee ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return fail("fork/wait: %s", ename(errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 42)
		return fail("touching a mapped page wholly past EOF: expected SIGBUS, status 0x%x",
			    st);
	/* after growing the file the second page is readable (and zero) */
	if (ok(ftruncate(fd, pg + 10), "ftruncate") ||
	    verify(m + pg, 10, 0, (size_t)pg, "page after extending"))
		return R_FAIL;
	munmap(m, 2 * (size_t)pg);
	close(fd);
	return R_PASS;
}

/* -------------------------------------------------------------- concurrency */

enum { NWRITERS = 4, STRIPES = 200, STRIPE = 3000 };

static int stripe_writer(int fd, int who, unsigned int seed)
{
	unsigned char b[STRIPE];
	int order[STRIPES / NWRITERS], n = 0, i, j;

	for (i = who; i < STRIPES; i += NWRITERS)
		order[n++] = i;
	srand(seed + (unsigned int)who);
	for (i = n - 1; i > 0; i--) {
		int t, k = rand() % (i + 1);

		t = order[i];
		order[i] = order[k];
		order[k] = t;
	}
	for (j = 0; j < n; j++) {
		off_t off = (off_t)order[j] * STRIPE;

		fill(b, STRIPE, seed + (unsigned int)who, (size_t)off);
		if (wall(fd, b, STRIPE, off) != STRIPE)
			return -1;
	}
	return 0;
}

static int check_stripes(unsigned int seed)
{
	unsigned char *b = malloc(STRIPES * STRIPE + 1);
	int fd = open("f", O_RDONLY), i;

	if (!b || ok(fd, "open") ||
	    eq(STRIPES * STRIPE, rall(fd, b, STRIPES * STRIPE + 1, 0), "size after writers"))
		return R_FAIL;
	for (i = 0; i < STRIPES; i++)
		if (verify(b + i * STRIPE, STRIPE, seed + (unsigned int)(i % NWRITERS),
			   (size_t)i * STRIPE, "stripe"))
			return R_FAIL;
	close(fd);
	free(b);
	return R_PASS;
}

static int t_concurrent_procs(void)
{
	pid_t pids[NWRITERS];
	int i, st, bad = 0;
	unsigned int round;

	for (round = 0; round < 2; round++) {
		unsigned int seed = 150 + round * 10;

		for (i = 0; i < NWRITERS; i++) {
			pids[i] = fork();
			if (pids[i] == 0) {
				int fd = open("f", O_WRONLY | O_CREAT, 0644);

				_exit(fd < 0 || stripe_writer(fd, i, seed) || close(fd));
			}
		}
		for (i = 0; i < NWRITERS; i++)
			if (pids[i] < 0 || waitpid(pids[i], &st, 0) != pids[i] ||
			    !WIFEXITED(st) || WEXITSTATUS(st))
				bad++;
		if (bad)
			return fail("%d of %d writer processes failed (round %u)", bad, NWRITERS,
				    round);
		if (check_stripes(seed))
			return R_FAIL;
	}
	return R_PASS;
}

struct twriter {
	pthread_t t;
	int fd;
	int who;
	unsigned int seed;
	int ret;
};

static void *twriter_run(void *arg)
{
	struct twriter *w = arg;

	w->ret = stripe_writer(w->fd, w->who, w->seed);
	return NULL;
}

static int t_concurrent_threads(void)
{
	struct twriter w[NWRITERS];
	int fd = open("f", O_RDWR | O_CREAT, 0644), i;

	if (ok(fd, "create"))
		return R_FAIL;
	for (i = 0; i < NWRITERS; i++) {
		w[i] = (struct twriter){ .fd = fd, .who = i, .seed = 170 };
		if (pthread_create(&w[i].t, NULL, twriter_run, &w[i]))
			return fail("pthread_create failed");
	}
	for (i = 0; i < NWRITERS; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].ret)
			return fail("writer thread %d: pwrite failed", i);
	}
	close(fd);
	return check_stripes(170);
}

/*
 * Readers concurrent with writers. Writers write whole aligned 4 KiB blocks;
 * every 8-byte word of a block is tagged (block, writer, word index, sequence).
 * POSIX wants reads and writes to be atomic with respect to each other, but
 * Linux does not serialise buffered reads against writes on most filesystems
 * (XFS does), and the copy may tear even inside a word (seen on ext4 under
 * QEMU's byte-wise rep movsb). So a reader checks what tearing cannot explain:
 * every byte of a word that is the same in all writes to that place (block
 * and word index) must be right and the writer byte must name a writer: no
 * zeros, no stale or foreign blocks, no garbage. Blocks whose words do not all
 * come from one write are counted as "mixed" and fail the check only with -t.
 * When the writers are done, every block must be whole and its sequence one
 * that writer issued (writes are atomic with each other).
 */
enum { CR_BLOCKS = 64, CR_WRITERS = 2, CR_READERS = 2, CR_WRITES = 3000 };

struct cr_shared {
	uint64_t issued[CR_WRITERS + 1];
	int stop;
	unsigned long reads;
	unsigned long mixed;
	char why[256];
};

static uint64_t cr_word(unsigned int blk, unsigned int w, unsigned int j, uint64_t seq)
{
	return (uint64_t)blk << 48 | (uint64_t)w << 40 | (uint64_t)(j & 0xff) << 32 | seq;
}

static void cr_block(uint64_t *b, unsigned int blk, unsigned int w, uint64_t seq)
{
	unsigned int j;

	for (j = 0; j < BLK / 8; j++)
		b[j] = cr_word(blk, w, j, seq);
}

/* 0: whole block, 1: mixed, -1: a bad word (described in WHY); ISSUED NULL: no seq check */
static int cr_check(const uint64_t *b, unsigned int blk, const uint64_t *issued, char *why,
		    size_t whylen)
{
	unsigned int j;
	int mixed = 0;

	for (j = 0; j < BLK / 8; j++) {
		uint64_t v = b[j], seq = v & 0xffffffffULL;
		unsigned int w = (v >> 40) & 0xff;

		if (v >> 48 != blk || ((v >> 32) & 0xff) != (j & 0xff) || w > CR_WRITERS ||
		    (issued && (seq > issued[w] || (w == 0 && seq)))) {
			snprintf(why, whylen,
				 "block %u word %u is 0x%016llx: not a word any writer wrote there",
				 blk, j, (unsigned long long)v);
			return -1;
		}
		if (v >> 40 != b[0] >> 40 || seq != (b[0] & 0xffffffffULL))
			mixed = 1;
	}
	return mixed;
}

static int t_concurrent_readers(void)
{
	struct cr_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[CR_WRITERS + CR_READERS];
	uint64_t *b;
	unsigned int i;
	int fd, st, bad = 0;

	if (sh == MAP_FAILED || posix_memalign((void **)&b, BLK, 4 * BLK))
		return fail("out of memory");
	fd = open("f", O_RDWR | O_CREAT, 0644);
	if (ok(fd, "create"))
		return R_FAIL;
	for (i = 0; i < CR_BLOCKS; i++) {
		cr_block(b, i, 0, 0);
		if (eq(BLK, wall(fd, b, BLK, (off_t)i * BLK), "initial write"))
			return R_FAIL;
	}
	for (i = 0; i < CR_WRITERS + CR_READERS; i++) {
		pids[i] = fork();
		if (pids[i])
			continue;
		fd = open("f", O_RDWR);
		srand(i * 7919 + 1);
		if (i < CR_WRITERS) {
			unsigned int w = i + 1;
			uint64_t seq;

			for (seq = 1; seq <= CR_WRITES; seq++) {
				unsigned int blk = (unsigned int)rand() % CR_BLOCKS;

				cr_block(b, blk, w, seq);
				__atomic_store_n(&sh->issued[w], seq, __ATOMIC_SEQ_CST);
				if (wall(fd, b, BLK, (off_t)blk * BLK) != BLK)
					_exit(1);
			}
			_exit(0);
		}
		while (!__atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST)) {
			unsigned int blk = (unsigned int)rand() % (CR_BLOCKS - 3), k;

			if (rall(fd, b, 4 * BLK, (off_t)blk * BLK) != 4 * BLK)
				_exit(1);
			for (k = 0; k < 4; k++) {
				char why[200];
				int r = cr_check(b + k * (BLK / 8), blk + k, NULL, why,
						 sizeof(why));

				if (r < 0) {
					snprintf(sh->why, sizeof(sh->why), "reader: %s", why);
					_exit(1);
				}
				__atomic_add_fetch(&sh->mixed, (unsigned long)r, __ATOMIC_SEQ_CST);
				__atomic_add_fetch(&sh->reads, 1, __ATOMIC_SEQ_CST);
			}
		}
		_exit(0);
	}
	for (i = 0; i < CR_WRITERS + CR_READERS; i++) {
		if (i == CR_WRITERS)
			__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
		if (pids[i] < 0 || waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			bad++;
	}
	if (sh->why[0])
		return fail("%s", sh->why);
	if (bad)
		return fail("%d of %d writer/reader processes failed", bad,
			    CR_WRITERS + CR_READERS);
	printf("# posix:concurrent-readers: %lu block reads, %lu saw a mix of two writes%s\n",
	       sh->reads, sh->mixed, sh->mixed ? " (Linux does not serialise buffered reads)" : "");
	if (strict_atomic && sh->mixed)
		return fail("%lu of %lu block reads saw parts of two writes (-t)", sh->mixed,
			    sh->reads);
	for (i = 0; i < CR_BLOCKS; i++) {
		char why[200];

		if (eq(BLK, pread(fd, b, BLK, (off_t)i * BLK), "final read"))
			return R_FAIL;
		if (cr_check(b, i, sh->issued, why, sizeof(why)) < 0)
			return fail("after the writers: %s", why);
		if (cr_check(b, i, sh->issued, why, sizeof(why)))
			return fail("after the writers block %u holds parts of two writes", i);
	}
	close(fd);
	return R_PASS;
}

/* ------------------------------------------------------------ other data paths */

static int t_rmw(void)
{
	const size_t len = 3 * 598016 / 2;
	unsigned char *model = malloc(len), *b = malloc(len + 1), tmp[9000];
	unsigned int i;
	int fd;

	if (!model || !b || mkfile("f", len, 180))
		return R_FAIL;
	fill(model, len, 180, 0);
	fd = open("f", O_RDWR);
	if (ok(fd, "open"))
		return R_FAIL;
	srand(180);
	for (i = 0; i < 400; i++) {
		size_t n = 1 + (size_t)rand() % (i % 4 ? 100 : sizeof(tmp));
		off_t off = (off_t)((size_t)rand() % (len - n));

		if (i % 5 == 0)
			off = (off_t)(i % 2 ? 598016 : BLK * (1 + i % 100)) - (off_t)(n / 2);
		fill(tmp, n, 181 + i, 0);
		memcpy(model + off, tmp, n);
		if (eq((long long)n, pwrite(fd, tmp, n, off), "partial overwrite"))
			return R_FAIL;
	}
	if (eq(len, rall(fd, b, len + 1, 0), "read"))
		return R_FAIL;
	for (i = 0; i < len; i++)
		if (b[i] != model[i])
			return fail("byte %u is 0x%02x after partial overwrites, expected 0x%02x",
				    i, b[i], model[i]);
	close(fd);
	free(model);
	free(b);
	return R_PASS;
}

static int t_small_appends(void)
{
	unsigned char b[8];
	size_t total = 0;
	int fd = open("f", O_WRONLY | O_CREAT | O_APPEND, 0644), i;

	if (ok(fd, "create"))
		return R_FAIL;
	for (i = 0; i < 3000; i++) {
		size_t n = 1 + (size_t)i % 7;

		fill(b, n, 190, total);
		if (eq((long long)n, write(fd, b, n), "small append"))
			return R_FAIL;
		total += n;
	}
	close(fd);
	return ckfile("f", total, 190);
}

static int t_large_file(void)
{
	const off_t big = (5LL << 30) + 5;
	unsigned char a[BLK], b[2 * BLK];
	int fd = open("f", O_RDWR | O_CREAT, 0644);

	if (ok(fd, "create"))
		return R_FAIL;
	fill(a, BLK, 191, 0);
	if (pwrite(fd, a, BLK, big) < 0 && errno == EFBIG)
		return skip("files of 5 GiB are not supported (EFBIG)");
	if (eq(big + BLK, fsize(fd), "size after a write at 5 GiB") ||
	    eq(BLK, pread(fd, b, 2 * BLK, big), "read at 5 GiB") ||
	    verify(b, BLK, 191, 0, "data at 5 GiB") ||
	    eq(2 * BLK, pread(fd, b, 2 * BLK, (4LL << 30) - BLK), "read across 4 GiB") ||
	    verify(b, 2 * BLK, 0, 0, "hole across 4 GiB"))
		return R_FAIL;
	if (ok(ftruncate(fd, big + 100), "truncate") ||
	    eq(100, pread(fd, b, BLK, big), "read after truncate") ||
	    verify(b, 100, 191, 0, "data after truncate"))
		return R_FAIL;
	close(fd);
	return R_PASS;
}

static int t_drop_caches(void)
{
	const size_t len = 3 << 20;
	int fd, i;

	for (i = 0; i < 2; i++) {
		char name[8];

		snprintf(name, sizeof(name), "f%d", i);
		if (mkfile(name, len + 1234 * (size_t)i, 200 + (unsigned int)i))
			return R_FAIL;
		fd = open(name, O_RDONLY);
		if (ok(fd, "open") || ok(fsync(fd), "fsync") ||
		    ok(-posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), "fadvise DONTNEED"))
			return R_FAIL;
		close(fd);
		if (ckfile(name, len + 1234 * (size_t)i, 200 + (unsigned int)i))
			return R_FAIL;
	}
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return skip("cannot open /proc/sys/vm/drop_caches: %s", ename(errno));
	sync();
	if (eq(2, write(fd, "3\n", 2), "write to drop_caches"))
		return R_FAIL;
	close(fd);
	if (ckfile("f0", len, 200) || ckfile("f1", len + 1234, 201))
		return R_FAIL;
	return R_PASS;
}

/* -------------------------------------------------------------------- main */

static const struct check {
	const char *name;
	int (*fn)(void);
} checks[] = {
	{ "open-excl", t_open_excl },
	{ "open-trunc", t_open_trunc },
	{ "open-append", t_open_append },
	{ "open-errors", t_open_errors },
	{ "o-tmpfile", t_o_tmpfile },
	{ "o-direct", t_o_direct },
	{ "o-nofollow", t_o_nofollow },
	{ "read-eof", t_read_eof },
	{ "pread-pwrite", t_pread_pwrite },
	{ "readv-writev", t_readv_writev },
	{ "sparse", t_sparse },
	{ "truncate", t_truncate },
	{ "truncate-errors", t_truncate_errors },
	{ "fallocate", t_fallocate },
	{ "rmw", t_rmw },
	{ "small-appends", t_small_appends },
	{ "large-file", t_large_file },
	{ "lseek", t_lseek },
	{ "seek-data-hole", t_seek_data_hole },
	{ "fsync", t_fsync },
	{ "rename", t_rename },
	{ "rename-over", t_rename_over },
	{ "rename-noreplace", t_rename_noreplace },
	{ "rename-exchange", t_rename_exchange },
	{ "rename-dirs", t_rename_dirs },
	{ "rename-open", t_rename_open },
	{ "link", t_link },
	{ "symlink", t_symlink },
	{ "mkdir-rmdir", t_mkdir_rmdir },
	{ "unlink", t_unlink },
	{ "unlink-open", t_unlink_open },
	{ "mknod-fifo", t_mknod_fifo },
	{ "mknod-socket", t_mknod_socket },
	{ "mknod-chardev", t_mknod_chardev },
	{ "chmod", t_chmod },
	{ "chown", t_chown },
	{ "utimensat", t_utimensat },
	{ "stat-sizes", t_stat_sizes },
	{ "xattr", t_xattr },
	{ "statfs", t_statfs },
	{ "readdir", t_readdir },
	{ "readdir-many", t_readdir_many },
	{ "flock", t_flock },
	{ "fcntl-lock", t_fcntl_lock },
	{ "sendfile", t_sendfile },
	{ "splice", t_splice },
	{ "copy-file-range", t_copy_file_range },
	{ "mmap-shared", t_mmap_shared },
	{ "mmap-eof", t_mmap_eof },
	{ "concurrent-procs", t_concurrent_procs },
	{ "concurrent-threads", t_concurrent_threads },
	{ "concurrent-readers", t_concurrent_readers },
	{ "drop-caches", t_drop_caches },
};

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int rm_tree(const char *path)
{
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Run one check in a child, in DIR/NAME; returns R_PASS, R_FAIL or R_SKIP. */
static int run_check(const char *dir, const struct check *c, char *shmsg)
{
	char sub[PATH_MAX];
	int st, r;
	pid_t pid;

	snprintf(sub, sizeof(sub), "%s/%s", dir, c->name);
	if (rm_tree(sub) || mkdir(sub, 0755)) {
		printf("FAIL posix:%s (cannot make a fresh %s: %s)\n", c->name, sub, ename(errno));
		return R_FAIL;
	}
	shmsg[0] = 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		alarm(CHECK_TIMEOUT);
		if (chdir(sub))
			_exit(R_FAIL);
		r = c->fn();
		snprintf(shmsg, sizeof(msg), "%s", msg);
		fflush(stdout);
		_exit(r);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		printf("FAIL posix:%s (fork/wait: %s)\n", c->name, ename(errno));
		return R_FAIL;
	}
	kill(-pid, SIGKILL);	/* whatever the check left running */
	if (WIFSIGNALED(st))
		snprintf(shmsg, sizeof(msg), "%s", WTERMSIG(st) == SIGALRM ?
			 "timed out" : strsignal(WTERMSIG(st)));
	r = WIFEXITED(st) ? WEXITSTATUS(st) : R_FAIL;
	if (r != R_PASS && r != R_SKIP)
		r = R_FAIL;
	if (r == R_PASS)
		printf("PASS posix:%s\n", c->name);
	else
		printf("%s posix:%s (%s)\n", r == R_SKIP ? "SKIP" : "FAIL", c->name,
		       shmsg[0] ? shmsg : "no reason given");
	if (rm_tree(sub)) {
		printf("FAIL posix:%s-cleanup (removing %s: %s)\n", c->name, sub, ename(errno));
		r = R_FAIL;
	}
	fflush(stdout);
	return r;
}

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: ezn-posix [-k REGEX] [-t] DIR   run the checks in DIR\n"
		"       ezn-posix -l [-k REGEX]         list the checks\n"
		"  -k REGEX  only the checks whose name matches (extended regex)\n"
		"  -t        strict: concurrent-readers fails on reads that see two writes\n");
	exit(status);
}

int main(int argc, char **argv)
{
	unsigned int i, n = 0, failed = 0, skipped = 0;
	const char *pattern = NULL;
	bool list = false;
	char *shmsg;
	regex_t re;
	int c;

	while ((c = getopt(argc, argv, "k:lth")) != -1) {
		switch (c) {
		case 'k':
			pattern = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 't':
			strict_atomic = true;
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "ezn-posix: bad regular expression '%s'\n", pattern);
		return 2;
	}
	if (list ? optind != argc : optind != argc - 1)
		usage(2);
	shmsg = mmap(NULL, sizeof(msg), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (shmsg == MAP_FAILED)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		int r;

		if (pattern && regexec(&re, checks[i].name, 0, NULL, 0))
			continue;
		n++;
		if (list) {
			printf("%s\n", checks[i].name);
			continue;
		}
		r = run_check(argv[optind], &checks[i], shmsg);
		failed += r == R_FAIL;
		skipped += r == R_SKIP;
	}
	if (!n) {
		fprintf(stderr, "ezn-posix: no check matches '%s'\n", pattern);
		return 2;
	}
	if (!list)
		printf("# ezn-posix: %u checks, %u passed, %u failed, %u skipped\n", n,
		       n - failed - skipped, failed, skipped);
	return failed ? 1 : 0;
}
