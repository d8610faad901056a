// SPDX-License-Identifier: GPL-2.0
/*
 * smallfiles: the metadata-heavy workloads of the benchmark, in one process
 * so that fork costs do not drown the filesystem's.
 *
 * usage: smallfiles DIR COUNT
 * Prints "NAME OPS_PER_SECOND" lines for: create (create + write 4 KiB +
 * close), read (open + read + close), stat (stat storm over the files, 10
 * passes), stat-new (one pass by a new process, whose first access to each
 * file an access check must decide afresh), open (open + fstat + close storm,
 * 10 passes: each open pays for the access check) and delete (unlink).
 *
 * It works inside DIR, by relative names: the walk of each name starts at the
 * directory, as it does on a real machine once the absolute prefix has been
 * walked in RCU mode. In the VM that prefix crosses the 9p root, whose
 * revalidation ends RCU mode for the rest of every walk, a cost no real
 * machine has that would dilute every filesystem's ratio to plaintext.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *name, long ops, double start)
{
	printf("%s %.0f\n", name, ops / (now() - start));
}

int main(int argc, char **argv)
{
	static char buf[4096];
	char path[4096];
	double start;
	long i, n, pass;
	struct stat st;
	pid_t child;
	int fd, status;

	n = argc == 3 ? atol(argv[2]) : 0;
	if (n <= 0) {
		fprintf(stderr, "usage: smallfiles DIR COUNT\n");
		return 2;
	}
	if (chdir(argv[1])) {
		perror(argv[1]);
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	start = now();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "f%06ld", i);
		fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd)) {
			perror(path);
			return 1;
		}
	}
	sync();
	report("create", n, start);
	start = now();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "f%06ld", i);
		fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, sizeof(buf)) != sizeof(buf) || close(fd)) {
			perror(path);
			return 1;
		}
	}
	report("read", n, start);
	start = now();
	for (pass = 0; pass < 10; pass++) {
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "f%06ld", i);
			if (stat(path, &st)) {
				perror(path);
				return 1;
			}
		}
	}
	report("stat", 10 * n, start);
	fflush(stdout);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (!child) {
		start = now();
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "f%06ld", i);
			if (stat(path, &st)) {
				perror(path);
				_exit(1);
			}
		}
		report("stat-new", n, start);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	start = now();
	for (pass = 0; pass < 10; pass++) {
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "f%06ld", i);
			fd = open(path, O_RDONLY);
			if (fd < 0 || fstat(fd, &st) || close(fd)) {
				perror(path);
				return 1;
			}
		}
	}
	report("open", 10 * n, start);
	start = now();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "f%06ld", i);
		if (unlink(path)) {
			perror(path);
			return 1;
		}
	}
	sync();
	report("delete", n, start);
	return 0;
}
