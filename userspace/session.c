// SPDX-License-Identifier: GPL-2.0
/*
 * Unlocked keystore plus an admin connection; see session.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ezn.h"
#include "session.h"

const char *ezn_self_exe(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		return "ezn";
	path[n] = 0;
	return path;
}

void ezn_admin_report(struct ezn_admin *a, const char *what, int err)
{
	const char *msg = a ? ezn_admin_errmsg(a) : "";
	const char *hint = "";

	switch (err) {
	case -ENOKEY:
		hint = " (no admin key is bound: run 'ezn service start')";
		break;
	case -EPERM:
		hint = " (signature refused: not the keystore the service started with?)";
		break;
	case -EKEYREJECTED:
		hint = " (the executable's fingerprint does not match)";
		break;
	default:
		break;
	}
	ezn_err("%s: %s%s%s%s", what, strerror(-err), msg && *msg ? ": " : "", msg ? msg : "",
		hint);
}

int ezn_session_open(struct ezn_session *s, const char *passfile)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = ezn_admin_open(&s->adm);
	if (err == -ENOENT) {
		ezn_err("the ezncryptfs module is not loaded (ezn service start)");
		return EZN_EXIT_NOT_RUNNING;
	}
	if (err) {
		ezn_err("cannot talk to the ezncryptfs module: %s", strerror(-err));
		return EZN_EXIT_FAIL;
	}
	s->ks = ezn_ks_new();
	if (!s->ks) {
		ezn_err("out of locked memory");
		goto close_admin;
	}
	err = ezn_ks_unlock(passfile, s->ks);
	if (err) {
		ezn_ks_free(s->ks);
		s->ks = NULL;
		ezn_admin_close(s->adm);
		s->adm = NULL;
		return err == EZN_KS_EWRONGPASS ? EZN_EXIT_AUTH : EZN_EXIT_FAIL;
	}
	return EZN_EXIT_OK;
close_admin:
	ezn_admin_close(s->adm);
	s->adm = NULL;
	return EZN_EXIT_FAIL;
}

void ezn_session_close(struct ezn_session *s)
{
	ezn_ks_free(s->ks);
	s->ks = NULL;
	if (s->adm)
		ezn_admin_close(s->adm);
	s->adm = NULL;
}

int ezn_session_grant(struct ezn_session *s, pid_t pid, const char *category,
		      uint32_t timeout_s, uint32_t *id)
{
	int err;

	err = ezn_admin_grant_add(s->adm, s->ks->admin, pid, category, timeout_s, id);
	if (err)
		ezn_admin_report(s->adm, "the kernel refused the grant", err);
	return err;
}

void ezn_session_revoke(struct ezn_session *s, uint32_t id)
{
	int err;

	err = ezn_admin_grant_revoke(s->adm, s->ks->admin, id);
	if (err && err != -ENOENT)
		ezn_admin_report(s->adm, "revoking the grant", err);
}
