// SPDX-License-Identifier: GPL-2.0
/*
 * Progress lines; see progress.h.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double ezn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *ezn_human(uint64_t bytes, char *buf, unsigned int size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

static void ezn_progress_draw(struct ezn_progress *p, bool final)
{
	char done[32], total[32], rate[32], eta[32] = "--:--";
	double el = ezn_now() - p->start;
	double bps = el > 0 ? p->bytes / el : 0;
	unsigned int pct = p->total_bytes ? 100 * p->bytes / p->total_bytes :
			   p->total_files ? 100 * p->files / p->total_files : 100;

	if (!p->tty)
		return;
	if (bps > 0 && p->total_bytes >= p->bytes) {
		unsigned long s = (p->total_bytes - p->bytes) / bps;

		snprintf(eta, sizeof(eta), "%lu:%02lu", s / 60, s % 60);
	}
	ezn_human(p->bytes, done, sizeof(done));
	ezn_human(p->total_bytes, total, sizeof(total));
	ezn_human((uint64_t)bps, rate, sizeof(rate));
	printf("\r  %s: %llu/%llu files, %s/%s (%u%%), %s/s, ETA %s\033[K%s", p->what,
	       (unsigned long long)p->files, (unsigned long long)p->total_files, done, total, pct,
	       rate, final ? "0:00" : eta, final ? "\n" : "");
	fflush(stdout);
}

void ezn_progress_start(struct ezn_progress *p, const char *what, uint64_t files,
			uint64_t bytes)
{
	p->what = what;
	p->total_files = files;
	p->total_bytes = bytes;
	p->files = 0;
	p->bytes = 0;
	p->start = ezn_now();
	p->last = 0;
	p->tty = isatty(STDOUT_FILENO);
}

void ezn_progress_add(struct ezn_progress *p, uint64_t files, uint64_t bytes)
{
	double now = ezn_now();

	p->files += files;
	p->bytes += bytes;
	if (!p->tty || now - p->last < 0.1)
		return;
	p->last = now;
	ezn_progress_draw(p, false);
}

void ezn_progress_end(struct ezn_progress *p)
{
	ezn_progress_draw(p, true);
}
