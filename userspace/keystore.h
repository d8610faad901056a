/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keystore: each category's 32-byte master key and the 32-byte admin key,
 * wrapped (XChaCha20-Poly1305) by a key derived with Argon2id from the
 * passphrase and, in dual-passphrase mode, the salt secret. docs/TOOLS.md
 * describes the file; all fields are little endian:
 *
 *	0	8	magic "EZNKEYS\n"
 *	8	4	version (1)
 *	12	4	flags: bit 0 dual-passphrase mode
 *	16	4	KDF: 1 = Argon2id v1.3 (crypto_pwhash_ALG_ARGON2ID13)
 *	20	4	reserved, 0
 *	24	8	Argon2id opslimit
 *	32	8	Argon2id memlimit (bytes)
 *	40	16	Argon2id salt (random, new on every write)
 *	56	24	XChaCha20-Poly1305 nonce (random, new on every write)
 *	80	4	length L of the sealed payload (tag included)
 *	84	L	sealed payload; bytes 0..83 are its associated data
 *	84+L	32	BLAKE2b-256 of bytes 0..84+L, to tell damage from a wrong
 *			passphrase (it is not a defence: the AEAD tag is)
 *
 * The payload: "EZNP", u32 count N, the admin key (32 bytes), then N entries
 * of u8 name length, the category name, the master key (32 bytes). While a
 * key rotation is under way (ezn key rotate, FORMAT.md "Key rotation") the
 * rotation journal follows: "EZNR", u32 count P, then P entries as above,
 * each the new ("pending") master key of a category being rotated. Tools
 * older than the journal refuse such a keystore (trailing payload bytes).
 *
 * The KDF input is u32 length(passphrase) || passphrase || salt secret, so
 * the two secrets cannot be shifted into each other.
 */
#ifndef EZN_KEYSTORE_H
#define EZN_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ezn_rule.h"
#include "prompt.h"

#define EZN_KS_VERSION		1
#define EZN_KS_FLAG_DUAL	0x1u
#define EZN_KEY_SIZE		32
#define EZN_KEY_ID_SIZE		16
#define EZN_KS_MAX_KEYS		64
#define EZN_KS_FILE		"keystore"

enum ezn_kdf_level {
	EZN_KDF_INTERACTIVE,	/* 64 MiB, 2 passes: for tests and small machines */
	EZN_KDF_MODERATE,	/* 256 MiB, 3 passes: the default */
	EZN_KDF_SENSITIVE,	/* 1 GiB, 4 passes */
};

struct ezn_ks_entry {
	char name[EZN_CATEGORY_MAX + 1];
	unsigned char key[EZN_KEY_SIZE];
};

/* Always in sodium_malloc() memory: ezn_ks_new() / ezn_ks_free(). */
struct ezn_keystore {
	uint32_t flags;
	uint64_t opslimit;
	uint64_t memlimit;
	unsigned char admin[EZN_KEY_SIZE];
	unsigned int nr;
	struct ezn_ks_entry e[EZN_KS_MAX_KEYS];
	unsigned int nr_pending;	/* rotation journal: new keys not yet current */
	struct ezn_ks_entry pending[EZN_KS_MAX_KEYS];
};

/* Results besides 0 and -errno from the file system. */
#define EZN_KS_ECORRUPT		(-EBADMSG)	/* damaged, truncated or not a keystore */
#define EZN_KS_EWRONGPASS	(-EKEYREJECTED)	/* the secrets do not open it */
#define EZN_KS_EVERSION		(-EPROTONOSUPPORT)

struct ezn_keystore *ezn_ks_new(void);
void ezn_ks_free(struct ezn_keystore *ks);

/* A fresh keystore: a random admin key, no categories, the KDF level's limits. */
int ezn_ks_create(struct ezn_keystore *ks, enum ezn_kdf_level level, bool dual);

/*
 * Reads only what needs no secret: the flags (to know whether to ask for the
 * salt). Returns 0, -ENOENT, or EZN_KS_ECORRUPT / EZN_KS_EVERSION with a
 * message in err.
 */
int ezn_ks_peek(const char *path, uint32_t *flags, char *err, size_t errsz);

/* Reads and opens the keystore. err gets a message naming the file. */
int ezn_ks_load(const char *path, const struct ezn_creds *c, struct ezn_keystore *ks,
		char *err, size_t errsz);

/* Parses an in-memory image (for tests and import). */
int ezn_ks_decode(const unsigned char *img, size_t len, const struct ezn_creds *c,
		  struct ezn_keystore *ks, char *err, size_t errsz);

/*
 * Writes ks sealed under c, atomically (temporary file in the same directory,
 * fsync, rename, fsync of the directory), mode 0600. New KDF salt and nonce.
 */
int ezn_ks_save(const char *path, const struct ezn_creds *c, const struct ezn_keystore *ks,
		char *err, size_t errsz);

/*
 * Opens the keystore of the configuration directory for a command: asks for
 * the salt only when the file says it is in dual mode, reads --passfile when
 * given, reports every error with ezn_err(). Returns 0, EZN_KS_EWRONGPASS,
 * or another negative errno.
 */
int ezn_ks_unlock(const char *passfile, struct ezn_keystore *ks);
/* The same, keeping the secrets in c (to save the keystore again). */
int ezn_ks_unlock_creds(const char *passfile, struct ezn_keystore *ks, struct ezn_creds *c);
/* The keystore's path in the configuration directory. */
int ezn_ks_path(char *buf, size_t size);
/*
 * Takes the keystore lock (CONFIG_DIR/keystore.lock, flock) for a change;
 * returns the lock's fd or -errno (reported).
 */
int ezn_ks_lock(void);
void ezn_ks_unlock_file(int fd);

/* The entry for category name, or NULL. */
struct ezn_ks_entry *ezn_ks_find(struct ezn_keystore *ks, const char *name);
/* The pending (rotation) key of category name, or NULL; drop it (wiped). */
struct ezn_ks_entry *ezn_ks_find_pending(struct ezn_keystore *ks, const char *name);
void ezn_ks_drop_pending(struct ezn_keystore *ks, const char *name);
/* Adds a random master key for name: -EEXIST, -ENOSPC, -EINVAL (bad name). */
int ezn_ks_add(struct ezn_keystore *ks, const char *name);

/* FORMAT.md's key id: HMAC-SHA256(key, "ezncrypt v1 key id")[0..15]. */
void ezn_key_id(const unsigned char key[EZN_KEY_SIZE], unsigned char id[EZN_KEY_ID_SIZE]);

/* 1 if name is a valid category name (1-31 of [A-Za-z0-9._-]). */
int ezn_category_name_ok(const char *name);

#endif /* EZN_KEYSTORE_H */
