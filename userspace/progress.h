/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Progress of long work: files, bytes, rate and ETA, on a terminal: one line
 * redrawn in place at most 10 times a second. Nothing when standard output
 * is not a terminal (a log or a pipe gets the tools' step lines only).
 */
#ifndef EZN_PROGRESS_H
#define EZN_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct ezn_progress {
	const char *what;
	uint64_t total_files, total_bytes;
	uint64_t files, bytes;
	double start, last;
	bool tty;
};

void ezn_progress_start(struct ezn_progress *p, const char *what, uint64_t files,
			uint64_t bytes);
void ezn_progress_add(struct ezn_progress *p, uint64_t files, uint64_t bytes);
void ezn_progress_end(struct ezn_progress *p);
/* "1.5 GiB" */
const char *ezn_human(uint64_t bytes, char *buf, unsigned int size);

#endif /* EZN_PROGRESS_H */
