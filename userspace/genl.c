// SPDX-License-Identifier: GPL-2.0
/*
 * The tools' side of the generic netlink family (policy/ezn_genl.h), on
 * libnl-genl-3.
 */
#include <errno.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "ezn.h"
#include "ezn_genl.h"

static int ezn_status_parse(struct nl_msg *msg, void *arg)
{
	struct ezn_kstatus *st = arg;
	struct nlattr *tb[EZN_A_MAX + 1];
	int err;

	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, EZN_A_MAX, NULL);
	if (err < 0)
		return NL_STOP;
	if (tb[EZN_A_VERSION])
		nla_strlcpy(st->version, tb[EZN_A_VERSION], sizeof(st->version));
	if (tb[EZN_A_FORMAT_VERSION])
		st->format_version = nla_get_u32(tb[EZN_A_FORMAT_VERSION]);
	if (tb[EZN_A_MOUNTS])
		st->mounts = nla_get_u32(tb[EZN_A_MOUNTS]);
	return NL_OK;
}

int ezn_genl_get_status(struct ezn_kstatus *st)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	int family, err;

	memset(st, 0, sizeof(*st));
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	err = genl_connect(sk);
	if (err < 0) {
		err = -EIO;
		goto free_socket;
	}
	family = genl_ctrl_resolve(sk, EZN_GENL_NAME);
	if (family < 0) {
		err = -ENOENT;
		goto free_socket;
	}
	msg = nlmsg_alloc();
	if (!msg) {
		err = -ENOMEM;
		goto free_socket;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, EZN_CMD_GET_STATUS,
			 EZN_GENL_VERSION)) {
		err = -EMSGSIZE;
		goto free_msg;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, ezn_status_parse, st);
	err = nl_send_auto(sk, msg);
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	err = err < 0 ? -EIO : 0;
free_msg:
	nlmsg_free(msg);
free_socket:
	nl_socket_free(sk);
	return err;
}
