// SPDX-License-Identifier: GPL-2.0
/*
 * afalg-speed: the in-kernel throughput of a cipher on 4 KiB blocks, through
 * AF_ALG, a system call per block. gcm(aes) with a 256-bit key and the
 * associated data ezncryptfs binds to each block is the ceiling for any
 * filesystem that seals 4 KiB blocks with the kernel's AES-GCM; cbc(aes)
 * (256-bit key) and xts(aes) (2 x 256-bit) are the peers' ciphers (eCryptfs,
 * fscrypt), which compute no tag. Prints "MiB/s driver" on one line.
 *
 * usage: afalg-speed [SECONDS [enc|dec [ALGORITHM]]]
 *        (default: 2 seconds, enc, gcm(aes); an AEAD is measured encrypting
 *        only; a driver name, cbc-aes-aesni say, measures that one)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_alg.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

#define BLOCK		4096
#define ASSOC		24	/* file id and block index, as the filesystem does */
#define TAG		16
#define AEAD_IV		12
#define CIPHER_IV	16
#define CMSG_ROOM	(CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + CIPHER_IV) + \
			 CMSG_SPACE(4))

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The driver /proc/crypto ranks first for @alg (the one AF_ALG binds). */
static void driver_name(const char *alg, char *out, size_t size)
{
	char line[256], name[128] = "", driver[128] = "";
	int best = -1, prio = 0;
	FILE *f = fopen("/proc/crypto", "r");

	snprintf(out, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "name : %127s", name) == 1)
			continue;
		if (sscanf(line, "driver : %127s", driver) == 1)
			continue;
		if (sscanf(line, "priority : %d", &prio) == 1 && !strcmp(name, alg) &&
		    prio > best) {
			best = prio;
			snprintf(out, size, "%s", driver);
		}
	}
	fclose(f);
	if (best < 0)
		snprintf(out, size, "%s", alg);
}

/* The control message after @c (the first one if NULL); *@used grows by its room. */
static struct cmsghdr *put_cmsg(struct msghdr *msg, struct cmsghdr *c, size_t *used, int type,
				size_t len)
{
	c = c ? CMSG_NXTHDR(msg, c) : CMSG_FIRSTHDR(msg);
	c->cmsg_level = SOL_ALG;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	*used += CMSG_SPACE(len);
	return c;
}

int main(int argc, char **argv)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG };
	double seconds = argc > 1 ? atof(argv[1]) : 2.0, start, elapsed;
	bool decrypt = argc > 2 && !strcmp(argv[2], "dec");
	const char *alg = argc > 3 ? argv[3] : "gcm(aes)";
	bool aead = strstr(alg, "gcm");
	bool xts = strstr(alg, "xts");
	size_t ivlen = aead ? AEAD_IV : CIPHER_IV;
	size_t inlen = aead ? ASSOC + BLOCK : BLOCK;
	size_t outlen = aead ? ASSOC + BLOCK + TAG : BLOCK;
	static unsigned char in[ASSOC + BLOCK], out[ASSOC + BLOCK + TAG];
	unsigned char key[64] = { 1, 2 };
	char cbuf[CMSG_ROOM];
	unsigned long long blocks = 0;
	char driver[128];
	int tfm, op;

	if (aead && decrypt) {
		fprintf(stderr, "afalg-speed: %s is measured encrypting only\n", alg);
		return 2;
	}
	snprintf((char *)sa.salg_type, sizeof(sa.salg_type), "%s", aead ? "aead" : "skcipher");
	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", alg);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, xts ? 64 : 32) ||
	    (aead && setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, TAG))) {
		fprintf(stderr, "afalg-speed: cannot set up %s: %s\n", alg, strerror(errno));
		return 1;
	}
	op = accept(tfm, NULL, 0);
	if (op < 0) {
		fprintf(stderr, "afalg-speed: accept: %s\n", strerror(errno));
		return 1;
	}
	start = now();
	do {
		struct iovec iov = { .iov_base = in, .iov_len = inlen };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		struct af_alg_iv *iv;
		struct cmsghdr *c;
		size_t used = 0;
		int i;

		memset(cbuf, 0, sizeof(cbuf));
		c = put_cmsg(&msg, NULL, &used, ALG_SET_OP, 4);
		*(__u32 *)CMSG_DATA(c) = decrypt ? ALG_OP_DECRYPT : ALG_OP_ENCRYPT;
		c = put_cmsg(&msg, c, &used, ALG_SET_IV, sizeof(*iv) + ivlen);
		iv = (struct af_alg_iv *)CMSG_DATA(c);
		iv->ivlen = ivlen;
		memcpy(iv->iv, &blocks, sizeof(blocks));
		if (aead) {
			c = put_cmsg(&msg, c, &used, ALG_SET_AEAD_ASSOCLEN, 4);
			*(__u32 *)CMSG_DATA(c) = ASSOC;
		}
		/* Only what was put: the kernel rejects an empty trailing message. */
		msg.msg_controllen = used;
		for (i = 0; i < 64; i++) {
			if (sendmsg(op, &msg, 0) != (ssize_t)inlen ||
			    read(op, out, outlen) != (ssize_t)outlen) {
				fprintf(stderr, "afalg-speed: %s: %s\n", alg, strerror(errno));
				return 1;
			}
			blocks++;
		}
		elapsed = now() - start;
	} while (elapsed < seconds);
	driver_name(alg, driver, sizeof(driver));
	printf("%.1f %s\n", blocks * (double)BLOCK / elapsed / (1 << 20), driver);
	return 0;
}
