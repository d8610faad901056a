// SPDX-License-Identifier: GPL-2.0
/*
 * afalg-gcm: the in-kernel throughput of gcm(aes) with a 256-bit key on 4 KiB
 * blocks, through AF_ALG: the ceiling for any filesystem that seals 4 KiB
 * blocks with the kernel's AES-GCM. Prints "MiB/s driver" on one line.
 *
 * usage: afalg-gcm [SECONDS [ALGORITHM]]   (default gcm(aes); a driver name,
 *        gcm_base(ctr-aes-aesni,ghash-clmulni) say, measures that one)
 */
#include <errno.h>
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
#define IV		12

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void driver_name(char *out, size_t size)
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
		if (sscanf(line, "priority : %d", &prio) == 1 && !strcmp(name, "gcm(aes)") &&
		    prio > best) {
			best = prio;
			snprintf(out, size, "%s", driver);
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "aead",
				   .salg_name = "gcm(aes)" };
	const char *alg = argc > 2 ? argv[2] : "gcm(aes)";
	static unsigned char in[ASSOC + BLOCK], out[ASSOC + BLOCK + TAG];
	unsigned char key[32] = { 1 };
	char cbuf[CMSG_SPACE(4) + CMSG_SPACE(sizeof(struct af_alg_iv) + IV) + CMSG_SPACE(4)];
	double seconds = argc > 1 ? atof(argv[1]) : 2.0, start, elapsed;
	unsigned long long blocks = 0;
	char driver[128];
	int tfm, op;

	snprintf((char *)sa.salg_name, sizeof(sa.salg_name), "%s", alg);
	tfm = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (tfm < 0 || bind(tfm, (struct sockaddr *)&sa, sizeof(sa)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_KEY, key, sizeof(key)) ||
	    setsockopt(tfm, SOL_ALG, ALG_SET_AEAD_AUTHSIZE, NULL, TAG)) {
		fprintf(stderr, "afalg-gcm: cannot set up %s: %s\n", alg, strerror(errno));
		return 1;
	}
	op = accept(tfm, NULL, 0);
	if (op < 0) {
		fprintf(stderr, "afalg-gcm: accept: %s\n", strerror(errno));
		return 1;
	}
	start = now();
	do {
		struct iovec iov = { .iov_base = in, .iov_len = sizeof(in) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		struct af_alg_iv *iv;
		int i;

		memset(cbuf, 0, sizeof(cbuf));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_OP;
		c->cmsg_len = CMSG_LEN(4);
		*(__u32 *)CMSG_DATA(c) = ALG_OP_ENCRYPT;
		c = CMSG_NXTHDR(&msg, c);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_IV;
		c->cmsg_len = CMSG_LEN(sizeof(*iv) + IV);
		iv = (struct af_alg_iv *)CMSG_DATA(c);
		iv->ivlen = IV;
		memcpy(iv->iv, &blocks, sizeof(blocks));
		c = CMSG_NXTHDR(&msg, c);
		c->cmsg_level = SOL_ALG;
		c->cmsg_type = ALG_SET_AEAD_ASSOCLEN;
		c->cmsg_len = CMSG_LEN(4);
		*(__u32 *)CMSG_DATA(c) = ASSOC;
		for (i = 0; i < 64; i++) {
			if (sendmsg(op, &msg, 0) != (ssize_t)sizeof(in) ||
			    read(op, out, sizeof(out)) != (ssize_t)sizeof(out)) {
				fprintf(stderr, "afalg-gcm: %s\n", strerror(errno));
				return 1;
			}
			blocks++;
		}
		elapsed = now() - start;
	} while (elapsed < seconds);
	if (argc > 2)
		snprintf(driver, sizeof(driver), "%s", alg);
	else
		driver_name(driver, sizeof(driver));
	printf("%.1f %s\n", blocks * (double)BLOCK / elapsed / (1 << 20), driver);
	return 0;
}
