/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The two string helpers the rule language needs, shared by ezn_rule.c and
 * ezn_match.c: this code may use neither libc nor the kernel (ezn_rule.h).
 */
#ifndef EZN_STR_H
#define EZN_STR_H

#include "ezn_rule.h"

static inline size_t ezn_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static inline int ezn_streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

#endif /* EZN_STR_H */
