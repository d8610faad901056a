/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tools' log file and the seed-style step lines.
 *
 * ezn_log() appends a timestamped line to LOGDIR/ezncrypt.log (LOGDIR is
 * $EZN_LOG_DIR or /var/log/ezncrypt); a tool that cannot open it still works
 * and says so once. Secrets are never passed to these functions.
 *
 * A step prints "Doing something ... " and then "done!" or the reason it
 * failed, on the same line, and logs both.
 */
#ifndef EZN_LOG_H
#define EZN_LOG_H

#define EZN_LOG_DEFAULT_DIR	"/var/log/ezncrypt"

/* The log directory: $EZN_LOG_DIR or the default. */
const char *ezn_log_dir(void);
/* Opens the log for this tool (name goes into each line). Never fails hard. */
void ezn_log_open(const char *tool);
void ezn_log_close(void);
void ezn_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void ezn_step_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ezn_step_done(void);
void ezn_step_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ezn_step_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* mkdir -p with mode for the directories created. Returns 0 or -errno. */
int ezn_mkdir_p(const char *path, unsigned int mode);

#endif /* EZN_LOG_H */
