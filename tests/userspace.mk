# SPDX-License-Identifier: GPL-2.0
# Host unit tests of the tools' parsing, keystore and prompts.

HOST_TESTS	+= $(BUILD)/tests/userspace-unit

EZN_UNIT_OBJS	:= $(addprefix $(BUILD)/userspace/,keystore.o prompt.o config.o log.o acl_file.o admin.o \
						   tree.o progress.o encrypt_links.o encrypt_xattr.o fdio.o) \
		   $(EZN_POLICY_OBJS) $(EZN_V1_OBJ)

# unit.c is compiled in the link step (no objects under build/tests/).
$(BUILD)/tests/userspace-unit: tests/userspace/unit.c $(EZN_UNIT_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EZN_CFLAGS) -Ikmod -Iuserspace/offline $(LDFLAGS) -o $@ $< $(EZN_UNIT_OBJS) \
		$(EZN_LIBS) $(EZN_V1_LIBS) -lutil

# ezn-kstest: test-only, a category's raw master key for ezn-recover in the VM
# case 64-tools-rotate.
VM_PROGS	+= $(BUILD)/bin/ezn-kstest

$(BUILD)/bin/ezn-kstest: tests/tools/ezn-kstest.c $(addprefix $(BUILD)/userspace/,keystore.o \
			 prompt.o config.o log.o fdio.o)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EZN_CFLAGS) $(LDFLAGS) -o $@ $^ $(EZN_LIBS)
