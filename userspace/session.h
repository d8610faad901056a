/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An administrator's session with the module: the keystore unlocked (with
 * the passphrase prompt or --passfile) and a netlink connection to sign
 * requests with the admin key. Used by ezn acl, run, encrypt and decrypt.
 */
#ifndef EZN_SESSION_H
#define EZN_SESSION_H

#include <stdint.h>
#include <sys/types.h>

#include "admin.h"
#include "keystore.h"

struct ezn_session {
	struct ezn_keystore *ks;	/* locked memory */
	struct ezn_admin *adm;
};

/*
 * Opens the connection first (so a module that is not loaded is reported
 * before asking for the passphrase), then unlocks. Errors are reported;
 * returns an EZN_EXIT_* status.
 */
int ezn_session_open(struct ezn_session *s, const char *passfile);
void ezn_session_close(struct ezn_session *s);

/* Explains an admin request's failure through ezn_err(). */
void ezn_admin_report(struct ezn_admin *a, const char *what, int err);

/*
 * Grants pid's process tree access to category (NULL: all) for timeout_s
 * seconds; reports errors. Returns 0 or -errno.
 */
int ezn_session_grant(struct ezn_session *s, pid_t pid, const char *category,
		      uint32_t timeout_s, uint32_t *id);
void ezn_session_revoke(struct ezn_session *s, uint32_t id);

/* Path of the running ezn binary (for re-executing subcommands). */
const char *ezn_self_exe(void);

#endif /* EZN_SESSION_H */
