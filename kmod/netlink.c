// SPDX-License-Identifier: GPL-2.0
/*
 * The ezncryptfs generic netlink family: the control channel between the
 * module and the ezn tools. The contract (commands, attributes, semantics) is
 * documented in policy/ezn_genl.h.
 */
#include <net/genetlink.h>

#include "ezncryptfs.h"
#include "ezn_genl.h"

static const struct nla_policy ezn_genl_policy[EZN_A_MAX + 1] = {
	[EZN_A_VERSION]		= { .type = NLA_NUL_STRING, .len = 32 },
	[EZN_A_FORMAT_VERSION]	= { .type = NLA_U32 },
	[EZN_A_MOUNTS]		= { .type = NLA_U32 },
};

static struct genl_family ezn_genl_family;

static int ezn_genl_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	void *hdr;

	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	hdr = genlmsg_put_reply(reply, info, &ezn_genl_family, 0, EZN_CMD_GET_STATUS);
	if (!hdr)
		goto free_reply;
	if (nla_put_string(reply, EZN_A_VERSION, EZN_MODULE_VERSION) ||
	    nla_put_u32(reply, EZN_A_FORMAT_VERSION, EZN_FORMAT_VERSION) ||
	    nla_put_u32(reply, EZN_A_MOUNTS, atomic_read(&ezn_nr_mounts)))
		goto free_reply;
	genlmsg_end(reply, hdr);
	return genlmsg_reply(reply, info);

free_reply:
	nlmsg_free(reply);
	return -EMSGSIZE;
}

static const struct genl_ops ezn_genl_ops[] = {
	{
		.cmd	= EZN_CMD_GET_STATUS,
		.doit	= ezn_genl_get_status,
	},
};

static struct genl_family ezn_genl_family __ro_after_init = {
	.name		= EZN_GENL_NAME,
	.version	= EZN_GENL_VERSION,
	.maxattr	= EZN_A_MAX,
	.policy		= ezn_genl_policy,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= ezn_genl_ops,
	.n_ops		= ARRAY_SIZE(ezn_genl_ops),
	.resv_start_op	= EZN_CMD_GET_STATUS + 1,
};

int __init ezn_genl_init(void)
{
	return genl_register_family(&ezn_genl_family);
}

void ezn_genl_exit(void)
{
	genl_unregister_family(&ezn_genl_family);
}
