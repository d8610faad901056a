/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * ezncryptfs generic netlink interface.
 *
 * Family name EZN_GENL_NAME, version EZN_GENL_VERSION. Every request is a
 * genetlink message whose attributes are taken from enum ezn_attr; unknown
 * attributes are refused (strict validation), as are attributes of the wrong
 * type or length.
 *
 * EZN_CMD_GET_STATUS
 *	Needs no privilege. The reply carries:
 *	  EZN_A_VERSION:	NLA_NUL_STRING, the module's version string
 *	  EZN_A_FORMAT_VERSION:	NLA_U32, newest on-disk format the module reads
 *	  EZN_A_MOUNTS:		NLA_U32, number of live ezncryptfs superblocks
 *
 * Later commands (policy, mode, grants, audit events) are added at the end of
 * the enums below; numbers already assigned never change.
 */
#ifndef EZN_GENL_H
#define EZN_GENL_H

#define EZN_GENL_NAME		"ezncryptfs"
#define EZN_GENL_VERSION	1

enum ezn_cmd {
	EZN_CMD_UNSPEC,
	EZN_CMD_GET_STATUS,
	__EZN_CMD_MAX
};

#define EZN_CMD_MAX (__EZN_CMD_MAX - 1)

enum ezn_attr {
	EZN_A_UNSPEC,
	EZN_A_VERSION,
	EZN_A_FORMAT_VERSION,
	EZN_A_MOUNTS,
	__EZN_A_MAX
};

#define EZN_A_MAX (__EZN_A_MAX - 1)

#endif /* EZN_GENL_H */
