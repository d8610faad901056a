/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Asking for secrets: the passphrase and, in dual-passphrase mode, the second
 * secret the seed calls "salt".
 *
 * Prompts are written to and answers read from /dev/tty with echo off, never
 * from stdin (which may be a pipe carrying data) and never echoed; a signal
 * during the prompt restores the terminal. --passfile FILE reads the
 * passphrase from the first line and the salt from the optional second line,
 * for automation: the file is then the key to every secret, and the tools say
 * so. Secrets live in sodium_malloc() memory (locked, guarded, wiped when
 * freed); they never go to argv, the environment or the log.
 */
#ifndef EZN_PROMPT_H
#define EZN_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#define EZN_SECRET_MAX		512
/* Shortest passphrase accepted when one is set. */
#define EZN_PASSPHRASE_MIN	15

struct ezn_secret {
	size_t len;
	char buf[EZN_SECRET_MAX];	/* NUL-terminated */
};

struct ezn_creds {
	struct ezn_secret pass;
	struct ezn_secret salt;
	bool have_salt;
};

/* Locked, guarded memory; NULL when it cannot be had. */
struct ezn_creds *ezn_creds_new(void);
/* Wipes and frees; NULL is fine. */
void ezn_creds_free(struct ezn_creds *c);

/*
 * Writes "LABEL " to the terminal and reads one line without echo. Returns 0,
 * -ENXIO when there is no terminal, -EINTR on a signal, -ENAMETOOLONG for an
 * answer longer than EZN_SECRET_MAX - 1, -ENODATA on end of input.
 */
int ezn_prompt_secret(const char *label, struct ezn_secret *s);

/*
 * Reads FILE: first line the passphrase, optional second line the salt.
 * Refuses a file others can read or write (mode & 077) with -EPERM.
 * Prints the warning about what a passfile costs on stderr.
 */
int ezn_passfile_read(const char *path, struct ezn_creds *c, char *err, size_t errsz);

/*
 * Gets credentials for an existing keystore: from passfile when non-NULL,
 * else prompts "passphrase:" and, when need_salt, "salt:". prefix is put
 * before the labels ("new " for change-passphrase), may be "". Errors are
 * reported with ezn_err(). Returns 0 or -errno.
 */
int ezn_creds_get(struct ezn_creds *c, const char *passfile, const char *prefix, bool need_salt);

/*
 * As ezn_creds_get() for a new secret: asks twice on a terminal (the second
 * time "repeat ..."), refuses a passphrase shorter than EZN_PASSPHRASE_MIN
 * and an empty salt. Returns 0 or -errno.
 */
int ezn_creds_get_new(struct ezn_creds *c, const char *passfile, const char *prefix,
		      bool want_salt);

/* 0 if s is acceptable as a new passphrase, else -EINVAL with *why set. */
int ezn_passphrase_check(const struct ezn_secret *s, const char **why);

#endif /* EZN_PROMPT_H */
