// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-recover: verify an ezncryptfs lower directory without the kernel module
 * and, with --recover, write its cleartext into another directory. The way
 * out when a server is lost: all it needs is the lower tree and the 32-byte
 * master key (the payload given to `keyctl padd logon`).
 *
 *	ezn-recover --key-file FILE [--recover OUTDIR] [--verbose] LOWER
 *	ezn-recover --key-file=- ... LOWER	(key on stdin)
 *
 * Every damaged item is reported on stdout as one line,
 *	DAMAGED <path>: header: <reason>
 *	DAMAGED <path>: block <index>: <reason>
 *	DAMAGED <path>: <reason>
 * followed by a summary line. Exit status: 0 when everything verified, 1 when
 * something is damaged or could not be read, 2 on a usage error or when the
 * key is not the lower directory's key.
 *
 * With --recover, damaged blocks are written as zeroes (and listed), damaged
 * headers leave the file out; OUTDIR must not exist or be empty.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ezn_v1.h"

#define PROG "ezn-recover"

struct ctx {
	struct ezn_keys keys;
	int out_root;		/* -1 unless --recover */
	int verbose;
	int is_root;
	unsigned long files, blocks, holes, dirs, others;
	unsigned long bad_files, bad_blocks, problems;
	uint8_t meta[EZN_BLOCK_SIZE];
	uint8_t cipher[EZN_BLOCK_SIZE];
	uint8_t clear[EZN_BLOCK_SIZE];
};

static void print_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " --key-file FILE|- [--recover OUTDIR] [--verbose] LOWER\n"
		"Verify every file and block of the ezncryptfs lower directory LOWER with\n"
		"the 32-byte master key read from FILE (- for stdin), report what is\n"
		"damaged, and with --recover write the cleartext tree into OUTDIR.\n"
		"Exit: 0 all verified, 1 damage found, 2 usage error or wrong key.\n");
}

static void say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* One damage report line; counts a problem for the exit status. */
static void damaged(struct ctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;

	printf("DAMAGED %s: ", path);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	c->problems++;
}

static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENODATA;
			return -1;
		}
		done += n;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, (const char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += n;
	}
	return 0;
}

/* Read exactly EZN_KEY_SIZE bytes from @path ("-": stdin) into @key. */
static int read_key(const char *path, uint8_t key[EZN_KEY_SIZE])
{
	uint8_t buf[EZN_KEY_SIZE + 1];
	size_t got = 0;
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		say("cannot open key file '%s': %s", path, strerror(errno));
		return -1;
	}
	if (fd != STDIN_FILENO && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & 0077))
		say("warning: key file '%s' is accessible by group or others", path);
	while (got < sizeof(buf)) {
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say("cannot read key file '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += n;
	}
	if (got != EZN_KEY_SIZE) {
		say("key file '%s' must hold exactly %d raw bytes, not %zu%s", path, EZN_KEY_SIZE,
		    got, got > EZN_KEY_SIZE ? " or more" : "");
		goto out;
	}
	memcpy(key, buf, EZN_KEY_SIZE);
	ret = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

static void copy_attrs(struct ctx *c, int fd, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (c->is_root && fchown(fd, st->st_uid, st->st_gid))
		say("warning: cannot set owner: %s", strerror(errno));
	if (fchmod(fd, st->st_mode & 07777))
		say("warning: cannot set mode: %s", strerror(errno));
	if (futimens(fd, times))
		say("warning: cannot set times: %s", strerror(errno));
}

/* Verify (and recover) one regular lower file. */
static void do_file(struct ctx *c, int dfd, int odfd, const char *name, const char *path,
		    const struct stat *st)
{
	uint64_t size = st->st_size, clear_size, nblocks, index;
	unsigned long bad = 0;
	struct ezn_file file;
	enum ezn_status s;
	const char *why;
	long long cs;
	int fd, ofd = -1;

	c->files++;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		damaged(c, path, "cannot open: %s", strerror(errno));
		c->bad_files++;
		return;
	}
	if (size == 0) {
		/* No header yet (FORMAT.md, "Lower file layout"): an empty file. */
		if (c->out_root >= 0) {
			ofd = openat(odfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC, 0600);
			if (ofd < 0) {
				say("cannot create '%s' in the output: %s", path, strerror(errno));
				c->problems++;
			} else {
				copy_attrs(c, ofd, st);
				close(ofd);
			}
		}
		if (c->verbose)
			printf("OK %s: 0 bytes, no header yet\n", path);
		close(fd);
		return;
	}
	if (size < EZN_HEADER_SIZE) {
		damaged(c, path, "header: lower file is %llu bytes, shorter than its header",
			(unsigned long long)size);
		goto bad_file;
	}
	if (pread_full(fd, c->meta, EZN_HEADER_SIZE, 0)) {
		damaged(c, path, "header: cannot read: %s", strerror(errno));
		goto bad_file;
	}
	s = ezn_header_open(&c->keys, c->meta, &file, &why);
	if (s != EZN_OK) {
		damaged(c, path, "header: %s", why);
		goto bad_file;
	}

	cs = ezn_clear_size(size);
	if (cs < 0) {
		/* Cut inside a metadata block: that group and what follows are lost. */
		uint64_t groups = (size - EZN_HEADER_SIZE) / EZN_GROUP_LOWER_SIZE;

		clear_size = groups * EZN_GROUP_CLEAR_SIZE;
		damaged(c, path, "block %llu: lower size %llu is cut inside a metadata block; "
			"blocks from %llu on are lost", (unsigned long long)(clear_size /
			EZN_BLOCK_SIZE), (unsigned long long)size,
			(unsigned long long)(clear_size / EZN_BLOCK_SIZE));
		bad++;
	} else {
		clear_size = cs;
	}

	if (c->out_root >= 0) {
		ofd = openat(odfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     0600);
		if (ofd < 0) {
			say("cannot create '%s' in the output: %s", path, strerror(errno));
			c->problems++;
		}
	}

	nblocks = (clear_size + EZN_BLOCK_SIZE - 1) / EZN_BLOCK_SIZE;
	for (index = 0; index < nblocks; index++) {
		unsigned int len = EZN_BLOCK_SIZE;
		const uint8_t *entry;

		if (index == nblocks - 1 && clear_size % EZN_BLOCK_SIZE)
			len = clear_size % EZN_BLOCK_SIZE;
		if (index % EZN_BLOCKS_PER_GROUP == 0 &&
		    pread_full(fd, c->meta, EZN_BLOCK_SIZE, ezn_meta_block_offset(index))) {
			damaged(c, path, "block %llu: cannot read its metadata block: %s",
				(unsigned long long)index, strerror(errno));
			bad++;
			break;
		}
		entry = c->meta + ezn_meta_entry_offset(index);
		if (pread_full(fd, c->cipher, len, ezn_data_block_offset(index))) {
			damaged(c, path, "block %llu: cannot read: %s", (unsigned long long)index,
				strerror(errno));
			bad++;
			continue;
		}
		c->blocks++;
		if (ezn_meta_is_hole(entry)) {
			unsigned int i;
			uint8_t acc = 0;

			for (i = 0; i < len; i++)
				acc |= c->cipher[i];
			if (acc) {
				damaged(c, path, "block %llu: %s", (unsigned long long)index,
					"metadata entry zeroed (hole) over non-zero data");
				bad++;
			} else {
				c->holes++;
			}
			continue;	/* the output stays sparse here */
		}
		s = ezn_block_open(&file, index, c->cipher, len, entry, c->clear);
		if (s != EZN_OK) {
			damaged(c, path, "block %llu: authentication failed%s",
				(unsigned long long)index,
				index == nblocks - 1 && len < EZN_BLOCK_SIZE ?
				" (last block: modified, or the file was cut mid-block)" :
				" (modified, moved or copied from elsewhere)");
			bad++;
			continue;
		}
		if (ofd >= 0 && pwrite_full(ofd, c->clear, len, index * EZN_BLOCK_SIZE)) {
			say("cannot write '%s' in the output: %s", path, strerror(errno));
			c->problems++;
			close(ofd);
			ofd = -1;
		}
	}
	OPENSSL_cleanse(c->clear, sizeof(c->clear));
	ezn_file_wipe(&file);

	if (ofd >= 0) {
		if (ftruncate(ofd, clear_size)) {
			say("cannot size '%s' in the output: %s", path, strerror(errno));
			c->problems++;
		}
		copy_attrs(c, ofd, st);
		close(ofd);
	}
	if (bad) {
		c->bad_files++;
		c->bad_blocks += bad;
	} else if (c->verbose) {
		printf("OK %s: %llu bytes, %llu blocks\n", path, (unsigned long long)clear_size,
		       (unsigned long long)nblocks);
	}
	close(fd);
	return;

bad_file:
	c->bad_files++;
	close(fd);
}

static void do_dir(struct ctx *c, int dfd, int odfd, const char *path, int depth);

/* One directory entry of @dfd (@path relative to the lower root). */
static void do_entry(struct ctx *c, int dfd, int odfd, const char *name, const char *path,
		     int depth)
{
	char target[4096];
	struct stat st;
	ssize_t n;
	int sub, osub = -1;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		damaged(c, path, "cannot stat: %s", strerror(errno));
		return;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		do_file(c, dfd, odfd, name, path, &st);
		break;
	case S_IFDIR:
		c->dirs++;
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			damaged(c, path, "cannot open directory: %s", strerror(errno));
			return;
		}
		if (odfd >= 0) {
			if (!mkdirat(odfd, name, 0700))
				osub = openat(odfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					      O_CLOEXEC);
			if (osub < 0) {
				say("cannot create directory '%s' in the output: %s", path,
				    strerror(errno));
				c->problems++;
			}
		}
		do_dir(c, sub, osub, path, depth + 1);
		if (osub >= 0) {
			copy_attrs(c, osub, &st);
			close(osub);
		}
		close(sub);
		break;
	case S_IFLNK:
		c->others++;
		n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			damaged(c, path, "cannot read symlink: %s", strerror(errno));
			return;
		}
		target[n] = '\0';
		if (odfd >= 0) {
			struct timespec times[2] = { st.st_atim, st.st_mtim };

			if (symlinkat(target, odfd, name)) {
				say("cannot create symlink '%s': %s", path, strerror(errno));
				c->problems++;
				return;
			}
			if (c->is_root &&
			    fchownat(odfd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW))
				say("warning: cannot set owner of '%s': %s", path, strerror(errno));
			if (utimensat(odfd, name, times, AT_SYMLINK_NOFOLLOW))
				say("warning: cannot set times of '%s': %s", path, strerror(errno));
		}
		break;
	default:
		/* fifos, sockets and devices carry no data; recreate what we may. */
		c->others++;
		if (odfd >= 0 && !S_ISSOCK(st.st_mode) &&
		    mknodat(odfd, name, st.st_mode, st.st_rdev))
			say("warning: cannot recreate special file '%s': %s", path,
			    strerror(errno));
		break;
	}
}

static void do_dir(struct ctx *c, int dfd, int odfd, const char *path, int depth)
{
	struct dirent **list;
	char *sub;
	int i, n;

	if (depth > 256) {
		damaged(c, path, "directories nested too deep");
		return;
	}
	n = scandirat(dfd, ".", &list, NULL, alphasort);
	if (n < 0) {
		damaged(c, *path ? path : ".", "cannot list directory: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		if (!strcmp(name, ".") || !strcmp(name, "..") ||
		    (depth == 0 && !strcmp(name, EZN_MARKER_NAME))) {
			free(list[i]);
			continue;
		}
		if (asprintf(&sub, "%s%s%s", path, *path ? "/" : "", name) < 0) {
			say("out of memory");
			exit(2);
		}
		do_entry(c, dfd, odfd, name, sub, depth);
		free(sub);
		free(list[i]);
	}
	free(list);
}

static int dir_is_empty(int dfd)
{
	struct dirent **list;
	int i, n;

	n = scandirat(dfd, ".", &list, NULL, NULL);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return n <= 2;
}

/* Check the lower root's marker; returns 0 to go on, 2 to stop (wrong key). */
static int check_marker(struct ctx *c, int root)
{
	uint8_t buf[EZN_MARKER_SIZE + 1];
	const char *why;
	ssize_t n;
	int fd;

	fd = openat(root, EZN_MARKER_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		damaged(c, EZN_MARKER_NAME, "mount marker missing: %s", strerror(errno));
		return 0;
	}
	n = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0) {
		damaged(c, EZN_MARKER_NAME, "cannot read: %s", strerror(errno));
		return 0;
	}
	switch (ezn_marker_check(&c->keys, buf, n, &why)) {
	case EZN_OK:
		return 0;
	case EZN_OTHER_KEY:
		say("%s: %s; refusing to go on", EZN_MARKER_NAME, why);
		return 2;
	case EZN_NEWER:
		say("%s: %s; this tool reads format version %d only", EZN_MARKER_NAME, why,
		    EZN_FORMAT_VERSION_1);
		return 2;
	default:
		damaged(c, EZN_MARKER_NAME, "%s", why);
		return 0;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key-file", required_argument, NULL, 'k' },
		{ "recover", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_file = NULL, *out_dir = NULL, *lower;
	uint8_t master[EZN_KEY_SIZE];
	struct ctx *c;
	int opt, root, ret;

	c = calloc(1, sizeof(*c));
	if (!c) {
		say("out of memory");
		return 2;
	}
	c->out_root = -1;
	while ((opt = getopt_long(argc, argv, "k:r:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			key_file = optarg;
			break;
		case 'r':
			out_dir = optarg;
			break;
		case 'v':
			c->verbose = 1;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		say(optind < argc ? "exactly one lower directory, please (got '%s' and more)" :
		    "no lower directory given", optind < argc ? argv[optind] : "");
		print_usage(stderr);
		return 2;
	}
	if (!key_file) {
		say("--key-file FILE (or - for stdin) is required; the key is never an argument");
		return 2;
	}
	lower = argv[optind];
	c->is_root = geteuid() == 0;

	/* Keep the key material out of swap; best effort. */
	mlock(master, sizeof(master));
	mlock(c, sizeof(*c));
	if (read_key(key_file, master))
		return 2;
	if (ezn_keys_derive(master, &c->keys)) {
		OPENSSL_cleanse(master, sizeof(master));
		say("key derivation failed (OpenSSL)");
		return 2;
	}
	OPENSSL_cleanse(master, sizeof(master));

	ret = 2;
	root = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		say("cannot open lower directory '%s': %s", lower, strerror(errno));
		goto wipe;
	}
	if (out_dir) {
		if (mkdir(out_dir, 0700) && errno != EEXIST) {
			say("cannot create '%s': %s", out_dir, strerror(errno));
			goto close_root;
		}
		c->out_root = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->out_root < 0) {
			say("cannot open '%s': %s", out_dir, strerror(errno));
			goto close_root;
		}
		if (!dir_is_empty(c->out_root)) {
			say("'%s' is not empty; recover into a new directory", out_dir);
			goto close_out;
		}
	}
	if (check_marker(c, root))
		goto close_out;

	do_dir(c, root, c->out_root, "", 0);
	printf("summary: %lu files, %lu blocks (%lu holes), %lu directories, %lu other; "
	       "%lu damaged files, %lu damaged blocks, %lu problems\n",
	       c->files, c->blocks, c->holes, c->dirs, c->others, c->bad_files, c->bad_blocks,
	       c->problems);
	ret = c->problems ? 1 : 0;

close_out:
	if (c->out_root >= 0)
		close(c->out_root);
close_root:
	close(root);
wipe:
	ezn_keys_wipe(&c->keys);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
	return ret;
}
