// SPDX-License-Identifier: GPL-2.0
/*
 * The keystore file; the layout is in keystore.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "ezn.h"
#include "config.h"
#include "keystore.h"

#define EZN_KS_MAGIC		"EZNKEYS\n"
#define EZN_KS_HDR_SIZE		84
#define EZN_KS_SUM_SIZE		32
#define EZN_KS_KDF_ARGON2ID13	1
#define EZN_KS_PAYLOAD_MAGIC	"EZNP"
#define EZN_KS_ENTRY_MAX	(1 + EZN_CATEGORY_MAX + EZN_KEY_SIZE)
#define EZN_KS_ROTATION_MAGIC	"EZNR"
/* The admin key, the keys, then the optional rotation journal (as many). */
#define EZN_KS_PAYLOAD_MAX	(8 + EZN_KEY_SIZE + 2 * EZN_KS_MAX_KEYS * EZN_KS_ENTRY_MAX + 8)
#define EZN_KS_FILE_MAX		(EZN_KS_HDR_SIZE + EZN_KS_PAYLOAD_MAX + \
				 crypto_aead_xchacha20poly1305_ietf_ABYTES + EZN_KS_SUM_SIZE)
/* Bounds on the limits a file may ask for, so a forged file cannot exhaust memory. */
#define EZN_KS_MEMLIMIT_MAX	(4ULL << 30)
#define EZN_KS_OPSLIMIT_MAX	64

struct ezn_keystore *ezn_ks_new(void)
{
	struct ezn_keystore *ks;

	if (sodium_init() < 0)
		return NULL;
	ks = sodium_malloc(sizeof(*ks));
	if (ks)
		sodium_memzero(ks, sizeof(*ks));
	return ks;
}

void ezn_ks_free(struct ezn_keystore *ks)
{
	if (ks)
		sodium_free(ks);
}

int ezn_category_name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > EZN_CATEGORY_MAX || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

int ezn_ks_create(struct ezn_keystore *ks, enum ezn_kdf_level level, bool dual)
{
	sodium_memzero(ks, sizeof(*ks));
	ks->flags = dual ? EZN_KS_FLAG_DUAL : 0;
	switch (level) {
	case EZN_KDF_INTERACTIVE:
		ks->opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
		ks->memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
		break;
	case EZN_KDF_SENSITIVE:
		ks->opslimit = crypto_pwhash_OPSLIMIT_SENSITIVE;
		ks->memlimit = crypto_pwhash_MEMLIMIT_SENSITIVE;
		break;
	default:
		ks->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
		ks->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
		break;
	}
	randombytes_buf(ks->admin, sizeof(ks->admin));
	return 0;
}

/* Appends @n entries (u8 name length, name, key) at @pt + @off; the new length. */
static size_t ezn_ks_put_entries(unsigned char *pt, size_t off, const struct ezn_ks_entry *e,
				 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(e[i].name);

		pt[off++] = nl;
		memcpy(pt + off, e[i].name, nl);
		off += nl;
		memcpy(pt + off, e[i].key, EZN_KEY_SIZE);
		off += EZN_KEY_SIZE;
	}
	return off;
}

/* Reads up to @n entries at *@off; returns how many were good (n: all). */
static unsigned int ezn_ks_get_entries(const unsigned char *pt, size_t ptlen, size_t *off,
				       struct ezn_ks_entry *e, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t nl;

		if (*off + 1 > ptlen)
			break;
		nl = pt[(*off)++];
		if (nl == 0 || nl > EZN_CATEGORY_MAX || *off + nl + EZN_KEY_SIZE > ptlen)
			break;
		memcpy(e[i].name, pt + *off, nl);
		e[i].name[nl] = 0;
		if (!ezn_category_name_ok(e[i].name))
			break;
		*off += nl;
		memcpy(e[i].key, pt + *off, EZN_KEY_SIZE);
		*off += EZN_KEY_SIZE;
	}
	return i;
}

static struct ezn_ks_entry *ezn_ks_lookup(struct ezn_ks_entry *e, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			return &e[i];
	return NULL;
}

struct ezn_ks_entry *ezn_ks_find_pending(struct ezn_keystore *ks, const char *name)
{
	return ezn_ks_lookup(ks->pending, ks->nr_pending, name);
}

void ezn_ks_drop_pending(struct ezn_keystore *ks, const char *name)
{
	struct ezn_ks_entry *e = ezn_ks_find_pending(ks, name);
	unsigned int i;

	if (!e)
		return;
	i = e - ks->pending;
	memmove(e, e + 1, (ks->nr_pending - i - 1) * sizeof(*e));
	ks->nr_pending--;
	sodium_memzero(&ks->pending[ks->nr_pending], sizeof(*e));
}

struct ezn_ks_entry *ezn_ks_find(struct ezn_keystore *ks, const char *name)
{
	return ezn_ks_lookup(ks->e, ks->nr, name);
}

int ezn_ks_add(struct ezn_keystore *ks, const char *name)
{
	struct ezn_ks_entry *e;

	if (!ezn_category_name_ok(name) || !strcmp(name, "admin"))
		return -EINVAL;
	if (ezn_ks_find(ks, name))
		return -EEXIST;
	if (ks->nr >= EZN_KS_MAX_KEYS)
		return -ENOSPC;
	e = &ks->e[ks->nr++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	randombytes_buf(e->key, sizeof(e->key));
	return 0;
}

void ezn_key_id(const unsigned char key[EZN_KEY_SIZE], unsigned char id[EZN_KEY_ID_SIZE])
{
	static const char label[] = "ezncrypt v1 key id";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(mac, (const unsigned char *)label, sizeof(label) - 1, key);
	memcpy(id, mac, EZN_KEY_ID_SIZE);
	sodium_memzero(mac, sizeof(mac));
}

static void put32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The wrapping key from the secrets and the header's KDF fields. */
static int ezn_ks_derive(unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES],
			 const struct ezn_creds *c, bool dual, const unsigned char *salt,
			 uint64_t opslimit, uint64_t memlimit)
{
	struct { unsigned char b[4 + 2 * EZN_SECRET_MAX]; } *in;
	size_t len;
	int err;

	in = sodium_malloc(sizeof(*in));
	if (!in)
		return -ENOMEM;
	put32(in->b, c->pass.len);
	memcpy(in->b + 4, c->pass.buf, c->pass.len);
	len = 4 + c->pass.len;
	if (dual) {
		memcpy(in->b + len, c->salt.buf, c->salt.len);
		len += c->salt.len;
	}
	err = crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, (const char *)in->b,
			    len, salt, opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13);
	sodium_free(in);
	return err ? -ENOMEM : 0;
}

static int ezn_ks_check_header(const unsigned char *img, size_t len, char *err, size_t errsz)
{
	uint64_t ops, mem;
	uint32_t ver;

	if (len < 8 || memcmp(img, EZN_KS_MAGIC, 8)) {
		snprintf(err, errsz, "not an ezncrypt keystore (bad magic)");
		return EZN_KS_ECORRUPT;
	}
	if (len < EZN_KS_HDR_SIZE) {
		snprintf(err, errsz, "keystore truncated (%zu bytes, header is %d)", len,
			 EZN_KS_HDR_SIZE);
		return EZN_KS_ECORRUPT;
	}
	ver = get32(img + 8);
	if (ver != EZN_KS_VERSION) {
		snprintf(err, errsz, "keystore version %u is not supported (this tool reads %d)",
			 ver, EZN_KS_VERSION);
		return EZN_KS_EVERSION;
	}
	if (get32(img + 12) & ~EZN_KS_FLAG_DUAL || get32(img + 20)) {
		snprintf(err, errsz, "keystore damaged: unknown flags");
		return EZN_KS_ECORRUPT;
	}
	if (get32(img + 16) != EZN_KS_KDF_ARGON2ID13) {
		snprintf(err, errsz, "keystore damaged: unknown KDF %u", get32(img + 16));
		return EZN_KS_ECORRUPT;
	}
	ops = get64(img + 24);
	mem = get64(img + 32);
	if (ops < crypto_pwhash_OPSLIMIT_INTERACTIVE || ops > EZN_KS_OPSLIMIT_MAX ||
	    mem < crypto_pwhash_MEMLIMIT_INTERACTIVE || mem > EZN_KS_MEMLIMIT_MAX) {
		snprintf(err, errsz, "keystore damaged: KDF limits out of range (%llu, %llu)",
			 (unsigned long long)ops, (unsigned long long)mem);
		return EZN_KS_ECORRUPT;
	}
	return 0;
}

int ezn_ks_decode(const unsigned char *img, size_t len, const struct ezn_creds *c,
		  struct ezn_keystore *ks, char *err, size_t errsz)
{
	unsigned char sum[EZN_KS_SUM_SIZE];
	unsigned char *key = NULL, *pt = NULL;
	unsigned long long ptlen;
	size_t ctlen, off;
	unsigned int i, n;
	int ret;

	ret = ezn_ks_check_header(img, len, err, errsz);
	if (ret)
		return ret;
	ctlen = get32(img + 80);
	if (ctlen < crypto_aead_xchacha20poly1305_ietf_ABYTES ||
	    ctlen > EZN_KS_PAYLOAD_MAX + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
		snprintf(err, errsz, "keystore damaged: payload length %zu out of range", ctlen);
		return EZN_KS_ECORRUPT;
	}
	if (len < EZN_KS_HDR_SIZE + ctlen + EZN_KS_SUM_SIZE) {
		snprintf(err, errsz, "keystore truncated (%zu bytes, expected %zu)", len,
			 EZN_KS_HDR_SIZE + ctlen + EZN_KS_SUM_SIZE);
		return EZN_KS_ECORRUPT;
	}
	if (len > EZN_KS_HDR_SIZE + ctlen + EZN_KS_SUM_SIZE) {
		snprintf(err, errsz, "keystore damaged: %zu trailing bytes",
			 len - (EZN_KS_HDR_SIZE + ctlen + EZN_KS_SUM_SIZE));
		return EZN_KS_ECORRUPT;
	}
	crypto_generichash(sum, sizeof(sum), img, EZN_KS_HDR_SIZE + ctlen, NULL, 0);
	if (sodium_memcmp(sum, img + EZN_KS_HDR_SIZE + ctlen, sizeof(sum))) {
		snprintf(err, errsz, "keystore damaged or tampered with (checksum mismatch)");
		return EZN_KS_ECORRUPT;
	}
	if ((get32(img + 12) & EZN_KS_FLAG_DUAL) && !c->have_salt) {
		snprintf(err, errsz, "the keystore is in dual-passphrase mode: the salt is needed");
		return -EINVAL;
	}
	key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	pt = sodium_malloc(EZN_KS_PAYLOAD_MAX);
	if (!key || !pt) {
		snprintf(err, errsz, "out of locked memory");
		ret = -ENOMEM;
		goto free_buffers;
	}
	ret = ezn_ks_derive(key, c, get32(img + 12) & EZN_KS_FLAG_DUAL, img + 40, get64(img + 24),
			    get64(img + 32));
	if (ret) {
		snprintf(err, errsz, "Argon2id failed (not enough memory for %llu MiB?)",
			 (unsigned long long)(get64(img + 32) >> 20));
		goto free_buffers;
	}
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &ptlen, NULL, img + EZN_KS_HDR_SIZE,
						       ctlen, img, EZN_KS_HDR_SIZE, img + 56,
						       key)) {
		snprintf(err, errsz, "wrong passphrase%s",
			 get32(img + 12) & EZN_KS_FLAG_DUAL ? " or salt" : "");
		ret = EZN_KS_EWRONGPASS;
		goto free_buffers;
	}
	ret = EZN_KS_ECORRUPT;
	if (ptlen < 8 + EZN_KEY_SIZE || memcmp(pt, EZN_KS_PAYLOAD_MAGIC, 4)) {
		snprintf(err, errsz, "keystore damaged: bad payload");
		goto free_buffers;
	}
	n = get32(pt + 4);
	if (n > EZN_KS_MAX_KEYS) {
		snprintf(err, errsz, "keystore damaged: %u keys", n);
		goto free_buffers;
	}
	sodium_memzero(ks, sizeof(*ks));
	ks->flags = get32(img + 12);
	ks->opslimit = get64(img + 24);
	ks->memlimit = get64(img + 32);
	memcpy(ks->admin, pt + 8, EZN_KEY_SIZE);
	off = 8 + EZN_KEY_SIZE;
	i = ezn_ks_get_entries(pt, ptlen, &off, ks->e, n);
	if (i < n)
		goto bad_entry;
	ks->nr = n;
	/* The rotation journal, when a rotation is under way (FORMAT.md). */
	if (off + 8 <= ptlen && !memcmp(pt + off, EZN_KS_ROTATION_MAGIC, 4)) {
		n = get32(pt + off + 4);
		off += 8;
		if (n > EZN_KS_MAX_KEYS) {
			snprintf(err, errsz, "keystore damaged: %u pending keys", n);
			goto wipe_ks;
		}
		i = ezn_ks_get_entries(pt, ptlen, &off, ks->pending, n);
		if (i < n)
			goto bad_entry;
		ks->nr_pending = n;
	}
	if (off != ptlen) {
		snprintf(err, errsz, "keystore damaged: trailing payload bytes");
		goto wipe_ks;
	}
	ret = 0;
	goto free_buffers;
bad_entry:
	snprintf(err, errsz, "keystore damaged: bad key entry %u", i + 1);
wipe_ks:
	sodium_memzero(ks, sizeof(*ks));
free_buffers:
	if (pt)
		sodium_free(pt);
	if (key)
		sodium_free(key);
	return ret;
}

/*
 * Reads the keystore image into a malloc() buffer: it holds only public header fields and
 * AEAD ciphertext, the cleartext keys are decrypted into sodium_malloc() memory.
 */
static int ezn_ks_read_image(const char *path, unsigned char **img, size_t *len, char *err,
			     size_t errsz)
{
	char *buf;
	int ret;

	ret = ezn_read_file(path, &buf, len, EZN_KS_FILE_MAX);
	if (ret == -EFBIG) {
		snprintf(err, errsz, "keystore '%s' damaged: larger than any keystore", path);
		return EZN_KS_ECORRUPT;
	}
	if (ret) {
		snprintf(err, errsz, "cannot read keystore '%s': %s%s", path, strerror(-ret),
			 ret == -ENOENT ? " (create one with 'ezn key init')" : "");
		return ret;
	}
	*img = (unsigned char *)buf;
	return 0;
}

int ezn_ks_peek(const char *path, uint32_t *flags, char *err, size_t errsz)
{
	unsigned char *img;
	size_t len;
	int ret;

	ret = ezn_ks_read_image(path, &img, &len, err, errsz);
	if (ret)
		return ret;
	ret = ezn_ks_check_header(img, len, err, errsz);
	if (!ret)
		*flags = get32(img + 12);
	free(img);
	if (ret) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errsz, "%s: %s", path, why);
	}
	return ret;
}

int ezn_ks_load(const char *path, const struct ezn_creds *c, struct ezn_keystore *ks,
		char *err, size_t errsz)
{
	unsigned char *img;
	char why[256];
	size_t len;
	int ret;

	ret = ezn_ks_read_image(path, &img, &len, err, errsz);
	if (ret)
		return ret;
	ret = ezn_ks_decode(img, len, c, ks, why, sizeof(why));
	free(img);
	if (ret == EZN_KS_EWRONGPASS)
		snprintf(err, errsz, "%s", why);
	else if (ret)
		snprintf(err, errsz, "%s: %s", path, why);
	return ret;
}

/* Writes len bytes to a new file next to path and renames it over path. */
int ezn_write_atomic(const char *path, const void *data, size_t len, unsigned int mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = data;
	size_t done = 0;
	int fd, dfd, err = 0;
	ssize_t n;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, mode)) {
		err = -errno;
		goto remove_tmp;
	}
	while (done < len) {
		n = write(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto remove_tmp;
		}
		done += n;
	}
	if (fsync(fd)) {
		err = -errno;
		goto remove_tmp;
	}
	if (close(fd)) {
		fd = -1;
		err = -errno;
		goto remove_tmp;
	}
	fd = -1;
	if (rename(tmp, path)) {
		err = -errno;
		goto remove_tmp;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd))
			err = -errno;
		close(dfd);
	}
	return err;
remove_tmp:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return err;
}

int ezn_ks_save(const char *path, const struct ezn_creds *c, const struct ezn_keystore *ks,
		char *err, size_t errsz)
{
	unsigned char *img, *pt, *key;
	size_t ptlen, ctlen, total;
	unsigned long long clen;
	int ret;

	img = sodium_malloc(EZN_KS_FILE_MAX);
	pt = sodium_malloc(EZN_KS_PAYLOAD_MAX);
	key = sodium_malloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
	if (!img || !pt || !key) {
		snprintf(err, errsz, "out of locked memory");
		ret = -ENOMEM;
		goto free_buffers;
	}
	memcpy(pt, EZN_KS_PAYLOAD_MAGIC, 4);
	put32(pt + 4, ks->nr);
	memcpy(pt + 8, ks->admin, EZN_KEY_SIZE);
	ptlen = ezn_ks_put_entries(pt, 8 + EZN_KEY_SIZE, ks->e, ks->nr);
	if (ks->nr_pending) {
		memcpy(pt + ptlen, EZN_KS_ROTATION_MAGIC, 4);
		put32(pt + ptlen + 4, ks->nr_pending);
		ptlen = ezn_ks_put_entries(pt, ptlen + 8, ks->pending, ks->nr_pending);
	}
	memset(img, 0, EZN_KS_HDR_SIZE);
	memcpy(img, EZN_KS_MAGIC, 8);
	put32(img + 8, EZN_KS_VERSION);
	put32(img + 12, ks->flags);
	put32(img + 16, EZN_KS_KDF_ARGON2ID13);
	put64(img + 24, ks->opslimit);
	put64(img + 32, ks->memlimit);
	randombytes_buf(img + 40, crypto_pwhash_SALTBYTES);
	randombytes_buf(img + 56, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	ctlen = ptlen + crypto_aead_xchacha20poly1305_ietf_ABYTES;
	put32(img + 80, ctlen);
	ret = ezn_ks_derive(key, c, ks->flags & EZN_KS_FLAG_DUAL, img + 40, ks->opslimit,
			    ks->memlimit);
	if (ret) {
		snprintf(err, errsz, "Argon2id failed (not enough memory for %llu MiB?)",
			 (unsigned long long)(ks->memlimit >> 20));
		goto free_buffers;
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(img + EZN_KS_HDR_SIZE, &clen, pt, ptlen, img,
						   EZN_KS_HDR_SIZE, NULL, img + 56, key);
	total = EZN_KS_HDR_SIZE + ctlen;
	crypto_generichash(img + total, EZN_KS_SUM_SIZE, img, total, NULL, 0);
	total += EZN_KS_SUM_SIZE;
	ret = ezn_write_atomic(path, img, total, 0600);
	if (ret)
		snprintf(err, errsz, "cannot write keystore '%s': %s", path, strerror(-ret));
free_buffers:
	if (key)
		sodium_free(key);
	if (pt)
		sodium_free(pt);
	if (img)
		sodium_free(img);
	return ret;
}

int ezn_ks_path(char *buf, size_t size)
{
	return ezn_config_path(buf, size, EZN_KS_FILE);
}

int ezn_ks_unlock_creds(const char *passfile, struct ezn_keystore *ks, struct ezn_creds *c)
{
	char path[PATH_MAX], why[PATH_MAX + 256];
	uint32_t flags;
	int ret;

	if (ezn_ks_path(path, sizeof(path))) {
		ezn_err("configuration directory name too long");
		return -ENAMETOOLONG;
	}
	ret = ezn_ks_peek(path, &flags, why, sizeof(why));
	if (ret) {
		if (ret == -ENOENT)
			ezn_err("no keystore at '%s' (create one with 'ezn key init')", path);
		else
			ezn_err("%s", why);
		return ret;
	}
	ret = ezn_creds_get(c, passfile, "", flags & EZN_KS_FLAG_DUAL);
	if (ret)
		return ret;
	ret = ezn_ks_load(path, c, ks, why, sizeof(why));
	if (ret)
		ezn_err("%s", why);
	return ret;
}

int ezn_ks_unlock(const char *passfile, struct ezn_keystore *ks)
{
	struct ezn_creds *c;
	int ret;

	c = ezn_creds_new();
	if (!c) {
		ezn_err("out of locked memory");
		return -ENOMEM;
	}
	ret = ezn_ks_unlock_creds(passfile, ks, c);
	ezn_creds_free(c);
	return ret;
}

int ezn_ks_lock(void)
{
	char path[PATH_MAX];
	int fd;

	if (ezn_config_path(path, sizeof(path), EZN_KS_FILE ".lock")) {
		ezn_err("configuration directory name too long");
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ezn_err("cannot open the keystore lock '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			ezn_err("the keystore is being changed by another ezn process (lock '%s')",
				path);
		else
			ezn_err("cannot lock '%s': %s", path, strerror(errno));
		close(fd);
		return -EBUSY;
	}
	return fd;
}

void ezn_ks_unlock_file(int fd)
{
	if (fd >= 0)
		close(fd);
}
