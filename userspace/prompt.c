// SPDX-License-Identifier: GPL-2.0
/*
 * Secret prompts and passfiles; see prompt.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "prompt.h"

struct ezn_creds *ezn_creds_new(void)
{
	struct ezn_creds *c;

	if (sodium_init() < 0)
		return NULL;
	c = sodium_malloc(sizeof(*c));
	if (c)
		sodium_memzero(c, sizeof(*c));
	return c;
}

void ezn_creds_free(struct ezn_creds *c)
{
	if (c)
		sodium_free(c);	/* wipes before freeing */
}

/* The terminal being prompted on, restored from a signal handler. */
static _Atomic int ezn_tty_fd = -1;
static struct termios ezn_tty_saved;
static _Atomic int ezn_tty_signal;

static void ezn_tty_on_signal(int sig)
{
	if (ezn_tty_fd >= 0)
		tcsetattr(ezn_tty_fd, TCSAFLUSH, &ezn_tty_saved);
	ezn_tty_signal = sig;
}

int ezn_prompt_secret(const char *label, struct ezn_secret *s)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	struct sigaction sa, old[ARRAY_SIZE(sigs)];
	struct termios noecho;
	size_t i, len = 0;
	int fd, err = 0;
	ssize_t n;
	char ch;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -ENXIO;
	if (tcgetattr(fd, &ezn_tty_saved)) {
		err = -ENXIO;
		goto close_tty;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ezn_tty_on_signal;
	sigemptyset(&sa.sa_mask);
	ezn_tty_signal = 0;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	noecho = ezn_tty_saved;
	noecho.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL);
	noecho.c_lflag |= ICANON;
	ezn_tty_fd = fd;
	if (tcsetattr(fd, TCSAFLUSH, &noecho)) {
		err = -ENXIO;
		goto restore_signals;
	}
	if (write(fd, label, strlen(label)) < 0 || write(fd, " ", 1) < 0) {
		err = -EIO;
		goto restore_tty;
	}
	for (;;) {
		n = read(fd, &ch, 1);
		if (n < 0 && errno == EINTR && !ezn_tty_signal)
			continue;
		if (n < 0 || ezn_tty_signal) {
			err = -EINTR;
			break;
		}
		if (n == 0) {
			err = len ? 0 : -ENODATA;
			break;
		}
		if (ch == '\n' || ch == '\r')
			break;
		if (len >= sizeof(s->buf) - 1) {
			err = -ENAMETOOLONG;
			continue;	/* swallow the rest of the line */
		}
		s->buf[len++] = ch;
	}
	ch = 0;
	if (write(fd, "\n", 1) < 0 && !err)
		err = -EIO;
restore_tty:
	tcsetattr(fd, TCSAFLUSH, &ezn_tty_saved);
restore_signals:
	ezn_tty_fd = -1;
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
close_tty:
	close(fd);
	if (err) {
		sodium_memzero(s, sizeof(*s));
		if (ezn_tty_signal)
			raise(ezn_tty_signal);
		return err;
	}
	s->buf[len] = 0;
	s->len = len;
	return 0;
}

static int ezn_secret_from_line(struct ezn_secret *s, const char *line, size_t len)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(s->buf))
		return -ENAMETOOLONG;
	memcpy(s->buf, line, len);
	s->buf[len] = 0;
	s->len = len;
	return 0;
}

int ezn_passfile_read(const char *path, struct ezn_creds *c, char *err, size_t errsz)
{
	/* Room for two maximal lines; read into locked memory, wiped after. */
	struct { char data[2 * EZN_SECRET_MAX + 4]; } *raw;
	size_t total = 0, first;
	struct stat st;
	char *nl;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errsz, "cannot open passfile '%s': %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "passfile '%s' is not a regular file", path);
		ret = -EINVAL;
		goto close_file;
	}
	if (st.st_mode & 077) {
		snprintf(err, errsz, "passfile '%s' is open to others (mode %04o): chmod 600 it",
			 path, (unsigned int)(st.st_mode & 07777));
		ret = -EPERM;
		goto close_file;
	}
	raw = sodium_malloc(sizeof(*raw));
	if (!raw) {
		snprintf(err, errsz, "out of locked memory");
		ret = -ENOMEM;
		goto close_file;
	}
	while (total < sizeof(raw->data)) {
		n = read(fd, raw->data + total, sizeof(raw->data) - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, errsz, "cannot read passfile '%s': %s", path,
				 strerror(errno));
			goto free_raw;
		}
		if (n == 0)
			break;
		total += n;
	}
	if (total == sizeof(raw->data)) {
		snprintf(err, errsz, "passfile '%s' is too long (at most 2 lines of %d bytes)",
			 path, EZN_SECRET_MAX - 1);
		ret = -EFBIG;
		goto free_raw;
	}
	nl = memchr(raw->data, '\n', total);
	first = nl ? (size_t)(nl - raw->data) : total;
	if (ezn_secret_from_line(&c->pass, raw->data, first)) {
		snprintf(err, errsz, "passfile '%s': line 1 is longer than %d bytes", path,
			 EZN_SECRET_MAX - 1);
		ret = -ENAMETOOLONG;
		goto free_raw;
	}
	c->have_salt = false;
	if (nl && first + 1 < total) {
		const char *line2 = nl + 1;
		size_t rest = total - first - 1;
		char *nl2 = memchr(line2, '\n', rest);
		size_t len2 = nl2 ? (size_t)(nl2 - line2) : rest;

		if (nl2 && (size_t)(nl2 - line2) + 1 < rest) {
			snprintf(err, errsz, "passfile '%s' has more than 2 lines", path);
			ret = -EINVAL;
			goto free_raw;
		}
		if (ezn_secret_from_line(&c->salt, line2, len2)) {
			snprintf(err, errsz, "passfile '%s': line 2 is longer than %d bytes", path,
				 EZN_SECRET_MAX - 1);
			ret = -ENAMETOOLONG;
			goto free_raw;
		}
		c->have_salt = c->salt.len > 0;
	}
	fprintf(stderr,
		"warning: reading the passphrase from '%s': whoever can read that file (root, a backup of\n"
		"         it, a copy of this disk) holds every key in the keystore; keep it off the\n"
		"         encrypted data's disk and prefer the prompt for interactive use\n", path);
free_raw:
	sodium_free(raw);
close_file:
	close(fd);
	if (ret)
		sodium_memzero(c, sizeof(*c));
	return ret;
}

int ezn_passphrase_check(const struct ezn_secret *s, const char **why)
{
	if (s->len < EZN_PASSPHRASE_MIN) {
		*why = "passphrase too short: at least 15 characters";
		return -EINVAL;
	}
	return 0;
}

static int ezn_prompt_one(const char *prefix, const char *what, struct ezn_secret *s)
{
	char label[64];
	int err;

	snprintf(label, sizeof(label), "%s%s:", prefix, what);
	err = ezn_prompt_secret(label, s);
	if (err == -ENXIO)
		ezn_err("no terminal to ask for the %s%s on: use --passfile FILE", prefix, what);
	else if (err == -ENAMETOOLONG)
		ezn_err("%s%s too long (at most %d bytes)", prefix, what, EZN_SECRET_MAX - 1);
	else if (err == -ENODATA)
		ezn_err("no %s%s given", prefix, what);
	else if (err)
		ezn_err("reading the %s%s: %s", prefix, what, strerror(-err));
	return err;
}

int ezn_creds_get(struct ezn_creds *c, const char *passfile, const char *prefix, bool need_salt)
{
	char why[512];
	int err;

	if (passfile) {
		err = ezn_passfile_read(passfile, c, why, sizeof(why));
		if (err) {
			ezn_err("%s", why);
			return err;
		}
		if (need_salt && !c->have_salt) {
			ezn_err("the keystore is in dual-passphrase mode: passfile '%s' needs the salt on its second line",
				passfile);
			sodium_memzero(c, sizeof(*c));
			return -EINVAL;
		}
		if (!need_salt)
			sodium_memzero(&c->salt, sizeof(c->salt));
		c->have_salt = need_salt;
		return 0;
	}
	err = ezn_prompt_one(prefix, "passphrase", &c->pass);
	if (err)
		return err;
	c->have_salt = false;
	if (need_salt) {
		err = ezn_prompt_one(prefix, "salt", &c->salt);
		if (err) {
			sodium_memzero(c, sizeof(*c));
			return err;
		}
		c->have_salt = true;
	}
	return 0;
}

static int ezn_prompt_twice(const char *prefix, const char *what, struct ezn_secret *s)
{
	struct ezn_secret *again;
	char rprefix[48];
	int err;

	again = sodium_malloc(sizeof(*again));
	if (!again)
		return -ENOMEM;
	err = ezn_prompt_one(prefix, what, s);
	if (err)
		goto free_again;
	snprintf(rprefix, sizeof(rprefix), "repeat %s", prefix);
	err = ezn_prompt_one(rprefix, what, again);
	if (err)
		goto free_again;
	if (s->len != again->len || sodium_memcmp(s->buf, again->buf, s->len)) {
		ezn_err("the two %s%ss differ", prefix, what);
		err = -EINVAL;
	}
free_again:
	sodium_free(again);
	if (err)
		sodium_memzero(s, sizeof(*s));
	return err;
}

int ezn_creds_get_new(struct ezn_creds *c, const char *passfile, const char *prefix,
		      bool want_salt)
{
	const char *why;
	int err;

	if (passfile) {
		err = ezn_creds_get(c, passfile, prefix, want_salt);
		if (err)
			return err;
	} else {
		err = ezn_prompt_twice(prefix, "passphrase", &c->pass);
		if (err)
			return err;
		if (ezn_passphrase_check(&c->pass, &why))
			goto refuse;
		if (want_salt) {
			err = ezn_prompt_twice(prefix, "salt", &c->salt);
			if (err)
				goto wipe;
			c->have_salt = true;
		}
	}
	if (ezn_passphrase_check(&c->pass, &why))
		goto refuse;
	if (want_salt && c->salt.len == 0) {
		ezn_err("the salt must not be empty");
		err = -EINVAL;
		goto wipe;
	}
	return 0;
refuse:
	ezn_err("%s", why);
	err = -EINVAL;
wipe:
	sodium_memzero(c, sizeof(*c));
	return err;
}
