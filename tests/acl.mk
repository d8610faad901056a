# SPDX-License-Identifier: GPL-2.0
# ezn-acltest: the test-only driver of the access-control netlink interface
# (admin key from a file, abuse and fuzz modes) that the 4*-acl-* VM cases run.

VM_PROGS	+= $(BUILD)/bin/ezn-acltest

ACLTEST_PKGS	:= libnl-3.0 libnl-genl-3.0 libsodium
ACLTEST_OBJS	:= $(BUILD)/tests/tools/ezn-acltest.o $(BUILD)/userspace/admin.o $(BUILD)/userspace/fdio.o \
		   $(BUILD)/policy/ezn_rule.o $(BUILD)/policy/ezn_match.o

$(BUILD)/tests/tools/ezn-acltest.o: CFLAGS += $(shell pkg-config --cflags $(ACLTEST_PKGS))
$(BUILD)/userspace/admin.o: CFLAGS += $(shell pkg-config --cflags $(ACLTEST_PKGS))

$(BUILD)/bin/ezn-acltest: $(ACLTEST_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs $(ACLTEST_PKGS))
