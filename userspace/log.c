// SPDX-License-Identifier: GPL-2.0
/*
 * Log file and step lines; see log.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ezn.h"
#include "log.h"

static FILE *ezn_log_file;
static char ezn_log_tool[32] = "ezn";
static char ezn_step_text[256];

const char *ezn_log_dir(void)
{
	const char *dir = getenv("EZN_LOG_DIR");

	return dir && *dir ? dir : EZN_LOG_DEFAULT_DIR;
}

int ezn_mkdir_p(const char *path, unsigned int mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	char *p, c;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		c = *p;
		*p = 0;
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

void ezn_log_open(const char *tool)
{
	char path[PATH_MAX];
	int fd;

	snprintf(ezn_log_tool, sizeof(ezn_log_tool), "%s", tool);
	if (ezn_log_file)
		return;
	if (ezn_mkdir_p(ezn_log_dir(), 0700))
		return;
	if (snprintf(path, sizeof(path), "%s/ezncrypt.log", ezn_log_dir()) >= (int)sizeof(path))
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ezn_log_file = fdopen(fd, "a");
	if (!ezn_log_file)
		close(fd);
}

void ezn_log_close(void)
{
	if (ezn_log_file)
		fclose(ezn_log_file);
	ezn_log_file = NULL;
}

static void ezn_vlog(const char *fmt, va_list ap)
{
	char stamp[40];
	struct tm tm;
	time_t now;

	if (!ezn_log_file)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", &tm);
	fprintf(ezn_log_file, "%s %s[%d]: ", stamp, ezn_log_tool, (int)getpid());
	vfprintf(ezn_log_file, fmt, ap);
	fputc('\n', ezn_log_file);
	fflush(ezn_log_file);
}

void ezn_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ezn_vlog(fmt, ap);
	va_end(ap);
}

void ezn_step_begin(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ezn_step_text, sizeof(ezn_step_text), fmt, ap);
	va_end(ap);
	printf("%s ... ", ezn_step_text);
	fflush(stdout);
}

void ezn_step_done(void)
{
	printf("done!\n");
	fflush(stdout);
	ezn_log("%s: done", ezn_step_text);
}

static void ezn_step_end(const char *word, const char *fmt, va_list ap)
{
	char why[512];

	vsnprintf(why, sizeof(why), fmt, ap);
	printf("%s: %s\n", word, why);
	fflush(stdout);
	ezn_log("%s: %s: %s", ezn_step_text, word, why);
}

void ezn_step_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ezn_step_end("skipped", fmt, ap);
	va_end(ap);
}

void ezn_step_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ezn_step_end("failed", fmt, ap);
	va_end(ap);
}
