// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-fsx: a random-operation file verifier in the spirit of fsx.
 *
 * It drives random reads, writes (appends, writes far past EOF that leave holes,
 * writes across 4 KiB block and 146-block group boundaries), truncates, mmap
 * reads and MAP_SHARED writes with msync, fsync/fdatasync, close/reopen and
 * optional "remounts" (a shell command run with the file closed) against one
 * file, mirrors every change into an in-memory copy (and optionally into a
 * reference file elsewhere) and compares byte for byte after every read and
 * at checkpoints. On a mismatch it prints where, a hex window of expected and
 * actual bytes and the last operations, and exits 1.
 *
 * usage: ezn-fsx [options] FILE      (see usage() below)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK		4096L
#define GROUP		(146L * BLOCK)	/* cleartext bytes per metadata group */
#define LOG_SIZE	64
#define LOG_SHOW	50

enum op {
	OP_READ,
	OP_WRITE,
	OP_APPEND,
	OP_HOLE,
	OP_EDGE,	/* a write across a block or group boundary */
	OP_TRUNC,
	OP_MAPREAD,
	OP_MAPWRITE,
	OP_FSYNC,
	OP_FDATASYNC,
	OP_REOPEN,
	OP_NR,
	/* not drawn at random */
	OP_REMOUNT = OP_NR,
	OP_CHECK,
	OP_CORRUPT,
	OP_ALL
};

static const char * const op_names[OP_ALL] = {
	[OP_READ] = "read",
	[OP_WRITE] = "write",
	[OP_APPEND] = "append",
	[OP_HOLE] = "holewrite",
	[OP_EDGE] = "edgewrite",
	[OP_TRUNC] = "truncate",
	[OP_MAPREAD] = "mapread",
	[OP_MAPWRITE] = "mapwrite",
	[OP_FSYNC] = "fsync",
	[OP_FDATASYNC] = "fdatasync",
	[OP_REOPEN] = "reopen",
	[OP_REMOUNT] = "remount",
	[OP_CHECK] = "check",
	[OP_CORRUPT] = "corrupt",
};

/* Relative frequencies of the randomly drawn operations. */
static unsigned int op_weight[OP_NR] = {
	[OP_READ] = 20,
	[OP_WRITE] = 18,
	[OP_APPEND] = 6,
	[OP_HOLE] = 3,
	[OP_EDGE] = 10,
	[OP_TRUNC] = 7,
	[OP_MAPREAD] = 8,
	[OP_MAPWRITE] = 8,
	[OP_FSYNC] = 1,
	[OP_FDATASYNC] = 1,
	[OP_REOPEN] = 2,
};

struct log_entry {
	unsigned long nr;
	enum op op;
	off_t off;
	size_t len;
	off_t size_before;
	off_t size_after;
};

static struct {
	const char *path;
	const char *ref_path;
	const char *remount_cmd;
	unsigned long ops;
	unsigned long check_every;
	unsigned long remount_every;
	unsigned long progress_every;
	unsigned long corrupt_after;
	uint64_t seed;
	off_t max_len;
	size_t max_op;
	bool quiet;
	bool verbose;
} opt = {
	.ops = 10000,
	.check_every = 500,
	.remount_every = 5000,
	.max_len = 1L << 20,
	.max_op = 16384,
};

static int fd = -1;
static int ref_fd = -1;
static unsigned char *good;	/* the expected contents; zero beyond size */
static unsigned char *buf;
static off_t size;		/* the expected file size */
static unsigned long opnr;
static unsigned long counts[OP_ALL];
static struct log_entry oplog[LOG_SIZE];
static unsigned long logged;
static uint64_t rng_state;
static long page_size;

static uint64_t rnd64(void)
{
	/* splitmix64: small, fast and the same on every libc */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A random number in [0, n); n == 0 gives 0. */
static uint64_t rnd(uint64_t n)
{
	return n ? rnd64() % n : 0;
}

static void log_op(enum op op, off_t off, size_t len, off_t before)
{
	struct log_entry *e = &oplog[logged++ % LOG_SIZE];

	e->nr = opnr;
	e->op = op;
	e->off = off;
	e->len = len;
	e->size_before = before;
	e->size_after = size;
	counts[op]++;
	if (opt.verbose)
		printf("%lu %s off=0x%llx len=0x%zx size 0x%llx -> 0x%llx\n", opnr, op_names[op],
		       (long long)off, len, (long long)before, (long long)size);
}

static void dump_log(void)
{
	unsigned long first = logged > LOG_SHOW ? logged - LOG_SHOW : 0;
	unsigned long i;

	fprintf(stderr, "last %lu operations (number, op, offset, length, size before -> after):\n",
		logged - first);
	for (i = first; i < logged; i++) {
		struct log_entry *e = &oplog[i % LOG_SIZE];
		long long end = (long long)e->off + (long long)e->len;

		fprintf(stderr, "  %7lu %-9s off 0x%08llx len 0x%05zx end 0x%08llx", e->nr,
			op_names[e->op], (long long)e->off, e->len, end);
		fprintf(stderr, "%s%s size 0x%llx -> 0x%llx\n",
			e->len && e->off / BLOCK != (end - 1) / BLOCK ? " xblk" : "",
			e->len && e->off / GROUP != (end - 1) / GROUP ? " xgrp" : "",
			(long long)e->size_before, (long long)e->size_after);
	}
}

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "ezn-fsx: FAILED at op %lu (seed %llu): ", opnr,
		(unsigned long long)opt.seed);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump_log();
	fprintf(stderr, "ezn-fsx: reproduce with -S %llu -N %lu -l %lld -o %zu\n",
		(unsigned long long)opt.seed, opt.ops, (long long)opt.max_len, opt.max_op);
	exit(1);
}

static void hexline(const char *what, const unsigned char *p, off_t base, off_t from, off_t to,
		    const unsigned char *other)
{
	off_t o;

	fprintf(stderr, "  %s 0x%08llx:", what, (long long)from);
	for (o = from; o < to; o++)
		fprintf(stderr, "%s%02x", p[o - base] != other[o - base] ? "*" : " ", p[o - base]);
	fputc('\n', stderr);
}

/*
 * Compare LEN bytes read at file offset OFF with the expected copy and die with
 * a report on the first difference.
 */
static void compare(const char *what, off_t off, const unsigned char *got, size_t len)
{
	const unsigned char *want = good + off;
	off_t bad, from, to, o;
	size_t i, ndiff = 0;

	if (!memcmp(want, got, len))
		return;
	for (i = 0; i < len && want[i] == got[i]; i++)
		;
	bad = off + (off_t)i;
	for (; i < len; i++)
		ndiff += want[i] != got[i];
	fflush(stdout);
	fprintf(stderr, "ezn-fsx: MISMATCH in %s: first bad byte at offset 0x%llx (%lld), ", what,
		(long long)bad, (long long)bad);
	fprintf(stderr, "block %lld, group %lld; %zu of %zu bytes differ (read 0x%llx+0x%zx, ",
		(long long)(bad / BLOCK), (long long)(bad / GROUP), ndiff, len, (long long)off,
		len);
	fprintf(stderr, "size 0x%llx)\n", (long long)size);
	from = bad - 16 > off ? (bad - 16) & ~15L : off;
	if (from < off)
		from = off;
	to = from + 64 < off + (off_t)len ? from + 64 : off + (off_t)len;
	for (o = from; o < to; o += 16) {
		off_t end = o + 16 < to ? o + 16 : to;

		hexline("expected", want, off, o, end, got);
		hexline("actual  ", got, off, o, end, want);
	}
	die("data mismatch at offset 0x%llx: expected 0x%02x, got 0x%02x", (long long)bad,
	    good[bad], got[bad - off]);
}

static void check_size(const char *when)
{
	struct stat st;

	if (fstat(fd, &st))
		die("fstat after %s: %s", when, strerror(errno));
	if (st.st_size != size)
		die("size mismatch after %s: expected 0x%llx (%lld), fstat says 0x%llx (%lld)",
		    when, (long long)size, (long long)size, (long long)st.st_size,
		    (long long)st.st_size);
}

/* pread everything up to LEN bytes (fewer only at EOF) */
static ssize_t read_full(int f, unsigned char *p, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(f, p + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static void write_full(int f, const unsigned char *p, size_t len, off_t off, const char *what)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(f, p + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: pwrite 0x%zx at 0x%llx: %s", what, len - done,
			    (long long)(off + (off_t)done), n ? strerror(errno) : "wrote 0 bytes");
		done += (size_t)n;
	}
}

static void do_read(off_t off, size_t len)
{
	size_t want = off >= size ? 0 : (size_t)(size - off < (off_t)len ? size - off : (off_t)len);
	ssize_t n;

	n = read_full(fd, buf, len, off);
	if (n < 0)
		die("read 0x%zx at 0x%llx: %s", len, (long long)off, strerror(errno));
	if ((size_t)n != want)
		die("short read: 0x%zx at 0x%llx returned 0x%zx, expected 0x%zx (size 0x%llx)", len,
		    (long long)off, (size_t)n, want, (long long)size);
	log_op(OP_READ, off, len, size);
	compare("read", off, buf, want);
}

static void full_check(const char *why)
{
	ssize_t n;

	check_size(why);
	n = read_full(fd, buf, (size_t)size + 1, 0);
	if (n < 0)
		die("full read (%s): %s", why, strerror(errno));
	if (n != size)
		die("full read (%s) returned 0x%zx bytes, expected size 0x%llx", why, (size_t)n,
		    (long long)size);
	compare(why, 0, buf, (size_t)size);
	if (ref_fd >= 0) {
		n = read_full(ref_fd, buf, (size_t)size + 1, 0);
		if (n != size)
			die("reference file %s has 0x%zx bytes, expected 0x%llx", opt.ref_path,
			    (size_t)n, (long long)size);
		compare("reference file", 0, buf, (size_t)size);
	}
}

/* Fill LEN fresh bytes at OFF into the expected copy and into buf. */
static void make_data(off_t off, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t x = rnd64() | 1, w;
	size_t i;

	for (i = 0; i < len; i += 8) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		w = x;
		/* no zero bytes, so that a hole read by mistake stands out */
		if ((w - ones) & ~w & highs)
			w |= ones;
		memcpy(buf + i, &w, len - i < 8 ? len - i : 8);
	}
	memcpy(good + off, buf, len);
}

static void set_size(off_t new)
{
	if (new < size)
		memset(good + new, 0, (size_t)(size - new));
	size = new;
}

static void do_write(enum op op, off_t off, size_t len)
{
	off_t before = size;

	make_data(off, len);
	if (op == OP_APPEND) {
		off_t pos = lseek(fd, 0, SEEK_END);

		if (pos != size)
			die("append: lseek(SEEK_END) = %lld, expected size %lld", (long long)pos,
			    (long long)size);
		if (write(fd, buf, len) != (ssize_t)len)
			die("append: write 0x%zx at 0x%llx failed or was short: %s", len,
			    (long long)off, strerror(errno));
	} else {
		write_full(fd, buf, len, off, op_names[op]);
	}
	if (ref_fd >= 0)
		write_full(ref_fd, buf, len, off, "reference write");
	if (off + (off_t)len > size)
		size = off + (off_t)len;
	log_op(op, off, len, before);
}

static void do_truncate(off_t new)
{
	off_t before = size;

	if (ftruncate(fd, new))
		die("ftruncate to 0x%llx: %s", (long long)new, strerror(errno));
	if (ref_fd >= 0 && ftruncate(ref_fd, new))
		die("reference ftruncate: %s", strerror(errno));
	set_size(new);
	log_op(OP_TRUNC, new, 0, before);
}

static void do_mapread(off_t off, size_t len)
{
	off_t pg = off & ~((off_t)page_size - 1);
	size_t maplen;
	unsigned char *p;

	if (off >= size)
		off = size ? (off_t)rnd((uint64_t)size) : 0;
	if (!size)
		return;
	if (off + (off_t)len > size)
		len = (size_t)(size - off);
	pg = off & ~((off_t)page_size - 1);
	maplen = (size_t)(off - pg) + len;
	p = mmap(NULL, maplen, PROT_READ, MAP_SHARED, fd, pg);
	if (p == MAP_FAILED)
		die("mapread: mmap 0x%zx at 0x%llx: %s", maplen, (long long)pg, strerror(errno));
	memcpy(buf, p + (off - pg), len);
	if (munmap(p, maplen))
		die("mapread: munmap: %s", strerror(errno));
	log_op(OP_MAPREAD, off, len, size);
	compare("mapread", off, buf, len);
}

static void do_mapwrite(off_t off, size_t len)
{
	off_t before = size, pg, end = off + (off_t)len;
	size_t maplen;
	unsigned char *p;

	/* a mapping cannot extend the file: grow it first, as fsx does */
	if (end > size) {
		if (ftruncate(fd, end))
			die("mapwrite: ftruncate to 0x%llx: %s", (long long)end, strerror(errno));
		if (ref_fd >= 0 && ftruncate(ref_fd, end))
			die("reference ftruncate: %s", strerror(errno));
		size = end;
	}
	pg = off & ~((off_t)page_size - 1);
	maplen = (size_t)(end - pg);
	p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	if (p == MAP_FAILED)
		die("mapwrite: mmap 0x%zx at 0x%llx: %s", maplen, (long long)pg, strerror(errno));
	make_data(off, len);
	memcpy(p + (off - pg), buf, len);
	if (msync(p, maplen, rnd(2) ? MS_SYNC : MS_ASYNC))
		die("mapwrite: msync: %s", strerror(errno));
	if (munmap(p, maplen))
		die("mapwrite: munmap: %s", strerror(errno));
	if (ref_fd >= 0)
		write_full(ref_fd, buf, len, off, "reference write");
	log_op(OP_MAPWRITE, off, len, before);
}

static void open_file(void)
{
	fd = open(opt.path, O_RDWR);
	if (fd < 0)
		die("open %s: %s", opt.path, strerror(errno));
}

static void close_file(const char *what)
{
	if (close(fd))
		die("%s: close: %s", what, strerror(errno));
	fd = -1;
}

static void do_remount(void)
{
	int status;

	close_file("remount");
	fflush(stdout);
	status = system(opt.remount_cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("remount command '%s' failed (status 0x%x)", opt.remount_cmd, status);
	open_file();
	log_op(OP_REMOUNT, 0, 0, size);
	full_check("check after remount");
}

/*
 * Corrupt one byte behind the verifier's back (for the tools' self-test): the
 * byte is changed through a separate descriptor and the expected copy is not.
 */
static void do_corrupt(void)
{
	unsigned char c;
	off_t off;
	int f;

	if (!size)
		do_write(OP_WRITE, 0, 1 + (size_t)rnd(BLOCK));
	off = (off_t)rnd((uint64_t)size);
	f = open(opt.path, O_RDWR);
	if (f < 0 || pread(f, &c, 1, off) != 1)
		die("corrupt: cannot read %s: %s", opt.path, strerror(errno));
	c ^= 0x5a;
	if (pwrite(f, &c, 1, off) != 1 || close(f))
		die("corrupt: cannot write %s: %s", opt.path, strerror(errno));
	log_op(OP_CORRUPT, off, 1, size);
	if (!opt.quiet)
		printf("ezn-fsx: injected corruption at offset 0x%llx after op %lu\n",
		       (long long)off, opnr);
}

static size_t pick_len(void)
{
	/* mostly small, sometimes up to the maximum */
	switch (rnd(4)) {
	case 0:
		return 1 + (size_t)rnd(64);
	case 1:
		return 1 + (size_t)rnd(BLOCK);
	default:
		return 1 + (size_t)rnd(opt.max_op);
	}
}

/* An offset that is often at or near an interesting place. */
static off_t pick_off(off_t limit)
{
	off_t o;

	if (limit <= 0)
		return 0;
	switch (rnd(8)) {
	case 0:
		o = (off_t)rnd((uint64_t)limit / BLOCK + 1) * BLOCK;
		break;
	case 1:
		o = (off_t)rnd((uint64_t)limit / BLOCK + 1) * BLOCK + BLOCK - 1 - (off_t)rnd(16);
		break;
	case 2:
		o = size - (off_t)rnd(BLOCK) + (off_t)rnd(BLOCK);
		break;
	case 3:
		o = (off_t)rnd((uint64_t)limit / GROUP + 1) * GROUP - (off_t)rnd(2 * BLOCK) +
		    (off_t)rnd(BLOCK);
		break;
	default:
		o = (off_t)rnd((uint64_t)limit);
		break;
	}
	if (o < 0)
		o = 0;
	if (o >= limit)
		o = limit - 1;
	return o;
}

/* A new size for truncate: up or down, often mid-block or near a boundary. */
static off_t pick_trunc(void)
{
	off_t s;

	switch (rnd(6)) {
	case 0:
		s = (off_t)rnd((uint64_t)opt.max_len / BLOCK + 1) * BLOCK;
		break;
	case 1:
		s = size ? (off_t)rnd((uint64_t)size) : 0;	/* down, anywhere */
		break;
	case 2:
		s = size + 1 + (off_t)rnd(4 * BLOCK);		/* a little up */
		break;
	case 3:
		s = (size & ~(BLOCK - 1)) + 1 + (off_t)rnd(BLOCK - 2);	/* mid-block */
		break;
	case 4:
		s = (off_t)rnd((uint64_t)opt.max_len / GROUP + 1) * GROUP + (off_t)rnd(3) - 1;
		break;
	default:
		s = (off_t)rnd((uint64_t)opt.max_len + 1);
		break;
	}
	if (s < 0)
		s = 0;
	if (s > opt.max_len)
		s = opt.max_len;
	return s;
}

static void step(void)
{
	unsigned int total = 0, r, i;
	size_t len = pick_len();
	off_t off;

	for (i = 0; i < OP_NR; i++)
		total += op_weight[i];
	r = (unsigned int)rnd(total);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	if ((off_t)len > opt.max_len)
		len = (size_t)opt.max_len;

	switch ((enum op)i) {
	case OP_READ:
		/* sometimes read past EOF on purpose */
		off = pick_off(rnd(8) ? (size ? size : 1) : opt.max_len);
		do_read(off, len);
		break;
	case OP_WRITE:
		off = pick_off(opt.max_len - (off_t)len + 1);
		do_write(OP_WRITE, off, len);
		break;
	case OP_APPEND:
		if (size + (off_t)len > opt.max_len) {
			do_truncate(pick_trunc() / 2);
			break;
		}
		do_write(OP_APPEND, size, len);
		break;
	case OP_HOLE: {
		off_t room = opt.max_len - (off_t)len - size;

		if (room < 2 * BLOCK) {
			do_truncate(size / 4);
			break;
		}
		off = size + BLOCK + (off_t)rnd((uint64_t)(room - BLOCK));
		do_write(OP_HOLE, off, len);
		break;
	}
	case OP_EDGE: {
		off_t b;

		if (len < 2)
			len = 2;
		if (opt.max_len > GROUP && rnd(3) == 0)
			b = GROUP * (1 + (off_t)rnd((uint64_t)(opt.max_len - 1) / GROUP));
		else
			b = BLOCK * (1 + (off_t)rnd((uint64_t)(opt.max_len - 1) / BLOCK));
		off = b - 1 - (off_t)rnd(len - 1);
		if (off < 0)
			off = 0;
		if (off + (off_t)len > opt.max_len)
			len = (size_t)(opt.max_len - off);
		do_write(OP_EDGE, off, len);
		break;
	}
	case OP_TRUNC:
		do_truncate(pick_trunc());
		break;
	case OP_MAPREAD:
		do_mapread(pick_off(size), len);
		break;
	case OP_MAPWRITE:
		off = pick_off(opt.max_len - (off_t)len + 1);
		do_mapwrite(off, len);
		break;
	case OP_FSYNC:
		if (fsync(fd))
			die("fsync: %s", strerror(errno));
		log_op(OP_FSYNC, 0, 0, size);
		break;
	case OP_FDATASYNC:
		if (fdatasync(fd))
			die("fdatasync: %s", strerror(errno));
		log_op(OP_FDATASYNC, 0, 0, size);
		break;
	case OP_REOPEN:
		close_file("reopen");
		open_file();
		log_op(OP_REOPEN, 0, 0, size);
		break;
	default:
		die("internal error: op %u", i);
	}
	check_size(op_names[oplog[(logged - 1) % LOG_SIZE].op]);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rate(unsigned long n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: ezn-fsx [options] FILE\n"
		"  -N OPS            number of operations (default 10000)\n"
		"  -S SEED           random seed (default: time and pid; always printed)\n"
		"  -l LEN            maximum file length (default 1048576)\n"
		"  -o LEN            maximum size of one read or write (default 16384)\n"
		"  -c N              compare the whole file every N ops (default 500, 0: only at end)\n"
		"  -p N              print progress every N ops (default: ops/10)\n"
		"  -r FILE           also mirror the operations into this reference file\n"
		"  -R, -W            no mmap reads, no mmap writes\n"
		"  -T                no truncates\n"
		"  -H                no hole writes (writes far past EOF)\n"
		"  -F                no fsync/fdatasync\n"
		"  -C                no close/reopen\n"
		"  -q                quiet: only the seed, errors and the summary\n"
		"  -v                log every operation\n"
		"  --remount-cmd CMD run CMD with /bin/sh every N ops with the file closed\n"
		"  --remount-every N (default 5000)\n"
		"The file is created if missing and truncated at the start.\n"
		"Exit status: 0 clean, 1 mismatch or I/O error (report on stderr), 2 usage.\n");
	exit(status);
}

static unsigned long long parse_num(const char *s, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-') {
		fprintf(stderr, "ezn-fsx: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "remount-cmd", required_argument, NULL, 'M' },
		{ "remount-every", required_argument, NULL, 'E' },
		{ "inject-corruption", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool seeded = false;
	double start, elapsed;
	int c;

	while ((c = getopt_long(argc, argv, "N:S:l:o:c:p:r:RWTHFCqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'N':
			opt.ops = parse_num(optarg, "op count");
			break;
		case 'S':
			opt.seed = parse_num(optarg, "seed");
			seeded = true;
			break;
		case 'l':
			opt.max_len = (off_t)parse_num(optarg, "maximum length");
			break;
		case 'o':
			opt.max_op = parse_num(optarg, "maximum op size");
			break;
		case 'c':
			opt.check_every = parse_num(optarg, "check interval");
			break;
		case 'p':
			opt.progress_every = parse_num(optarg, "progress interval");
			break;
		case 'r':
			opt.ref_path = optarg;
			break;
		case 'R':
			op_weight[OP_MAPREAD] = 0;
			break;
		case 'W':
			op_weight[OP_MAPWRITE] = 0;
			break;
		case 'T':
			op_weight[OP_TRUNC] = 0;
			break;
		case 'H':
			op_weight[OP_HOLE] = 0;
			break;
		case 'F':
			op_weight[OP_FSYNC] = 0;
			op_weight[OP_FDATASYNC] = 0;
			break;
		case 'C':
			op_weight[OP_REOPEN] = 0;
			break;
		case 'q':
			opt.quiet = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'M':
			opt.remount_cmd = optarg;
			break;
		case 'E':
			opt.remount_every = parse_num(optarg, "remount interval");
			break;
		case 'X':
			opt.corrupt_after = parse_num(optarg, "corruption op");
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc - 1)
		usage(2);
	opt.path = argv[optind];
	if (opt.max_len < 2 * BLOCK || opt.max_len > (1L << 30) || !opt.max_op ||
	    opt.max_op > (1U << 24)) {
		fprintf(stderr, "ezn-fsx: need 8192 <= -l <= 1 GiB and 1 <= -o <= 16 MiB\n");
		return 2;
	}
	if (!opt.progress_every)
		opt.progress_every = opt.ops / 10 ? opt.ops / 10 : 1;
	if (!seeded)
		opt.seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
	rng_state = opt.seed;
	page_size = sysconf(_SC_PAGESIZE);

	good = calloc(1, (size_t)opt.max_len + 1);
	buf = malloc((size_t)opt.max_len + opt.max_op + 1);
	if (!good || !buf) {
		fprintf(stderr, "ezn-fsx: out of memory\n");
		return 1;
	}
	fd = open(opt.path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create %s: %s", opt.path, strerror(errno));
	if (opt.ref_path) {
		ref_fd = open(opt.ref_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (ref_fd < 0)
			die("create reference %s: %s", opt.ref_path, strerror(errno));
	}
	printf("ezn-fsx: seed %llu, %lu ops, file %s, max length %lld, max op %zu, ",
	       (unsigned long long)opt.seed, opt.ops, opt.path, (long long)opt.max_len, opt.max_op);
	if (opt.remount_cmd && opt.remount_every)
		printf("remount every %lu ops\n", opt.remount_every);
	else
		printf("no remounts\n");
	fflush(stdout);

	start = now();
	for (opnr = 1; opnr <= opt.ops; opnr++) {
		step();
		if (opt.corrupt_after && opnr == opt.corrupt_after) {
			do_corrupt();
			full_check("check after injected corruption");
		}
		if (opt.check_every && opnr % opt.check_every == 0) {
			full_check("checkpoint");
			log_op(OP_CHECK, 0, size, size);
		}
		if (opt.remount_cmd && opt.remount_every && opnr % opt.remount_every == 0)
			do_remount();
		if (!opt.quiet && opnr % opt.progress_every == 0 && opnr < opt.ops) {
			printf("ezn-fsx: %lu ops, size %lld, %.0f ops/s\n", opnr, (long long)size,
			       rate(opnr, now() - start));
			fflush(stdout);
		}
	}
	opnr = opt.ops;
	full_check("final check");
	close_file("final close");
	open_file();
	full_check("final check after reopen");
	elapsed = now() - start;

	printf("ezn-fsx: PASS %lu ops in %.1fs (%.0f ops/s), final size %lld, seed %llu:",
	       opt.ops, elapsed, rate(opt.ops, elapsed), (long long)size,
	       (unsigned long long)opt.seed);
	for (c = 0; c < OP_ALL; c++)
		if (counts[c])
			printf(" %s %lu", op_names[c], counts[c]);
	printf("\n");
	close(fd);
	if (ref_fd >= 0)
		close(ref_fd);
	free(good);
	free(buf);
	return 0;
}
