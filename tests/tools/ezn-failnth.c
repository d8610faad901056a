// SPDX-License-Identifier: GPL-2.0
/*
 * ezn-failnth: sweep the kernel's fail-nth fault injection over one operation
 * on ezncryptfs (tests/vm/cases/90-fault-inject.sh).
 *
 *   ezn-failnth [-m MAX] OP LOWER UPPER MOUNTOPTS
 *
 * For N = 1, 2, ... it writes N to /proc/thread-self/fail-nth, performs OP's
 * one system call, and reads fail-nth back: 0 means the N-th fault-injectable
 * call in the kernel (an allocation, with failslab and fail_page_alloc set up
 * by the caller) was made to fail. The sweep ends at the first N at which the
 * call completes without a fault injected. Every call must either succeed or
 * fail with an errno; a failure without an injected fault, or a read that
 * returns other bytes than were written, is an error. Between iterations the
 * state OP needs is rebuilt without faults.
 *
 * OPs (UPPER is mounted by the tool when OP needs it, unmounted at the end):
 *   mount	mount(2) of LOWER on UPPER
 *   umount	umount(2) of UPPER
 *   create	open(O_CREAT) of a new file
 *   open	open(2) of an existing file (its header read and unwrapped)
 *   write	write(2) of 3 blocks and a tail into an empty file
 *   fsync	fsync(2) of a file with dirty data
 *   read	pread(2) of a file whose page cache was dropped
 *   unlink	unlink(2) of a file
 *   rename	rename(2) of a file
 *   shrink	ftruncate(2) of a file into its second block (re-seals it, zeroes entries)
 *   grow	ftruncate(2) of a file past its short last block (re-seals it)
 *   extend	fsync(2) of a block written past a file's short last block
 *
 * After shrink, grow and extend the file is read back through a fresh mount:
 * it must hold the old data after a failed call and the new after a
 * successful one (extend: a failed writeback may have grown the old last
 * block to full length with zeroes, nothing else), and never fail to read.
 *
 * Prints one line per failed call ("N errno") and a summary; exits 0 when
 * every call failed cleanly or succeeded, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define DATA_LEN	(3 * 4096 + 100)
#define SHRINK_LEN	(4096 + 50)
#define GROW_LEN	(5 * 4096 + 10)
#define EXTEND_POS	(5 * 4096)
#define EXTEND_LEN	4096

static const char *op, *lower, *upper, *opts;
static char path[4096], path2[4096];
static unsigned char data[DATA_LEN], back[GROW_LEN + EXTEND_LEN];
static int nth_fd = -1;
static int mounted;

static void die(const char *what)
{
	fprintf(stderr, "ezn-failnth %s: %s: %s\n", op, what, strerror(errno));
	exit(1);
}

static void arm(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		die("write fail-nth");
}

/* Disarm; whether the fault was injected (fail-nth read back as 0). */
static int disarm(void)
{
	char buf[16] = "";
	int injected;

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		die("read fail-nth");
	injected = atoi(buf) == 0;
	if (pwrite(nth_fd, "0", 1, 0) != 1)
		die("reset fail-nth");
	return injected;
}

static void do_mount(void)
{
	if (mounted)
		return;
	if (mount(lower, upper, "ezncryptfs", 0, opts))
		die("mount (no fault)");
	mounted = 1;
}

static void do_umount(void)
{
	if (!mounted)
		return;
	if (umount(upper))
		die("umount (no fault)");
	mounted = 0;
}

static void write_file(const char *p, int do_sync)
{
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die("open (no fault)");
	if (write(fd, data, DATA_LEN) != DATA_LEN)
		die("write (no fault)");
	if (do_sync && fsync(fd))
		die("fsync (no fault)");
	if (close(fd))
		die("close (no fault)");
}

/* Mount afresh: the next access to a file reads its header and blocks from the lower file. */
static void remount(void)
{
	do_umount();
	do_mount();
}

/* The test file, written, synced and opened with @flags after a remount. */
static int open_synced(int flags)
{
	int fd;

	write_file(path, 1);
	remount();
	fd = open(path, flags);
	if (fd < 0)
		die("open (no fault)");
	return fd;
}

/* Remove what an iteration may have left; a failed create may leave nothing. */
static void cleanup_files(void)
{
	if (unlink(path) && errno != ENOENT)
		die("unlink (no fault)");
	if (unlink(path2) && errno != ENOENT)
		die("unlink (no fault)");
}

/* Whether @buf[@from..@to) is all zeroes. */
static int zeroes(const unsigned char *buf, long from, long to)
{
	for (; from < to; from++)
		if (buf[from])
			return 0;
	return 1;
}

/*
 * Read the file back through a fresh mount after shrink, grow or extend, whose
 * call returned @ret, and check it holds what it must (see the top).
 */
static void check_resized(unsigned int n, long ret)
{
	long len, zero_end, want = DATA_LEN;
	int fd, ok;

	remount();
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open to check (no fault)");
	len = pread(fd, back, sizeof(back), 0);
	if (len < 0) {
		fprintf(stderr, "ezn-failnth %s: N=%u (call %s): the file no longer reads: %s\n",
			op, n, ret < 0 ? "failed" : "succeeded", strerror(errno));
		exit(1);
	}
	close(fd);
	if (!ret && !strcmp(op, "shrink"))
		want = SHRINK_LEN;
	else if (!ret && !strcmp(op, "grow"))
		want = GROW_LEN;
	else if (!ret && !strcmp(op, "extend"))
		want = EXTEND_POS + EXTEND_LEN;
	ok = len == want;
	if (ret && !strcmp(op, "extend"))
		ok = len == DATA_LEN || len == 4 * 4096;
	/* Past the old data: zeroes, up to the block that extend wrote. */
	zero_end = !strcmp(op, "extend") && len > EXTEND_POS ? EXTEND_POS : len;
	ok = ok && !memcmp(back, data, len < DATA_LEN ? len : DATA_LEN) &&
	     zeroes(back, DATA_LEN, zero_end) &&
	     (zero_end == len || !memcmp(back + EXTEND_POS, data, len - EXTEND_POS));
	if (!ok) {
		fprintf(stderr,
			"ezn-failnth %s: N=%u (call %s): %ld bytes read back, not the %s data\n",
			op, n, ret < 0 ? "failed" : "succeeded", len, ret < 0 ? "old" : "new");
		exit(1);
	}
}

/* Set up, arm, do OP's call; returns its result with errno kept. */
static long run_once(unsigned int n, int *injected)
{
	long ret = 0;
	int fd = -1, err;

	if (strcmp(op, "mount"))
		do_mount();
	else
		do_umount();
	if (!strcmp(op, "umount")) {
		arm(n);
		ret = umount(upper);
		err = errno;
		*injected = disarm();
		if (!ret)
			mounted = 0;
		errno = err;
		return ret;
	}
	if (!strcmp(op, "mount")) {
		arm(n);
		ret = mount(lower, upper, "ezncryptfs", 0, opts);
		err = errno;
		*injected = disarm();
		if (!ret)
			mounted = 1;
		errno = err;
		return ret;
	}

	cleanup_files();
	if (!strcmp(op, "create")) {
		arm(n);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
		ret = fd < 0 ? -1 : 0;
	} else if (!strcmp(op, "open")) {
		write_file(path, 1);
		/* Let the upper inode go so the open reads the header again. */
		remount();
		arm(n);
		fd = open(path, O_RDONLY);
		ret = fd < 0 ? -1 : 0;
	} else if (!strcmp(op, "write")) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open (no fault)");
		arm(n);
		ret = write(fd, data, DATA_LEN);
	} else if (!strcmp(op, "fsync")) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			die("open (no fault)");
		if (write(fd, data, DATA_LEN) != DATA_LEN)
			die("write (no fault)");
		arm(n);
		ret = fsync(fd);
	} else if (!strcmp(op, "read")) {
		fd = open_synced(O_RDONLY);
		memset(back, 0, sizeof(back));
		arm(n);
		ret = pread(fd, back, DATA_LEN, 0);
	} else if (!strcmp(op, "shrink") || !strcmp(op, "grow") || !strcmp(op, "extend")) {
		fd = open_synced(O_RDWR);
		if (!strcmp(op, "extend")) {
			if (pwrite(fd, data, EXTEND_LEN, EXTEND_POS) != EXTEND_LEN)
				die("pwrite (no fault)");
			arm(n);
			ret = fsync(fd);
		} else {
			arm(n);
			ret = ftruncate(fd, !strcmp(op, "shrink") ? SHRINK_LEN : GROW_LEN);
		}
	} else if (!strcmp(op, "unlink")) {
		write_file(path, 0);
		arm(n);
		ret = unlink(path);
	} else if (!strcmp(op, "rename")) {
		write_file(path, 0);
		arm(n);
		ret = rename(path, path2);
	} else {
		fprintf(stderr, "ezn-failnth: unknown operation '%s'\n", op);
		exit(2);
	}
	err = errno;
	*injected = disarm();
	if (ret >= 0 && !strcmp(op, "read") &&
	    (ret > DATA_LEN || memcmp(back, data, ret))) {
		fprintf(stderr, "ezn-failnth read: N=%u: %ld bytes unlike the data\n", n, ret);
		exit(1);
	}
	if (fd >= 0 && close(fd) && !*injected)
		die("close (no fault)");
	if (!strcmp(op, "shrink") || !strcmp(op, "grow") || !strcmp(op, "extend"))
		check_resized(n, ret);
	errno = err;
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int n, max = 5000, failed = 0, faulted_ok = 0;
	int c, injected = 0;
	long ret;

	while ((c = getopt(argc, argv, "m:")) != -1) {
		if (c != 'm')
			return 2;
		max = strtoul(optarg, NULL, 10);
	}
	if (argc - optind != 4) {
		fprintf(stderr, "usage: ezn-failnth [-m MAX] OP LOWER UPPER MOUNTOPTS\n");
		return 2;
	}
	op = argv[optind];
	lower = argv[optind + 1];
	upper = argv[optind + 2];
	opts = argv[optind + 3];
	snprintf(path, sizeof(path), "%s/failnth-a", upper);
	snprintf(path2, sizeof(path2), "%s/failnth-b", upper);
	for (n = 0; n < DATA_LEN; n++)
		data[n] = (unsigned char)(n * 7 + n / 4096);
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		die("open /proc/thread-self/fail-nth");

	for (n = 1; n <= max; n++) {
		ret = run_once(n, &injected);
		if (!injected) {
			if (ret < 0) {
				fprintf(stderr, "ezn-failnth %s: N=%u failed without a fault: %s\n",
					op, n, strerror(errno));
				return 1;
			}
			break;
		}
		if (ret < 0) {
			printf("%s N=%u %s\n", op, n, strerrorname_np(errno) ?: "?");
			failed++;
		} else {
			faulted_ok++;
		}
	}
	if (n > max) {
		fprintf(stderr, "ezn-failnth %s: still injecting after %u calls\n", op, max);
		return 1;
	}
	if (strcmp(op, "mount") && strcmp(op, "umount"))
		cleanup_files();
	do_umount();
	printf("%s: %u fault points, %u failed with an errno, %u succeeded regardless\n",
	       op, n - 1, failed, faulted_ok);
	return 0;
}
