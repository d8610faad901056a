# SPDX-License-Identifier: GPL-2.0
# ezn-recover: the offline verifier and recovery tool (no kernel module needed).
# It shares the on-disk layout arithmetic with the module (kmod/ezn_format.h).

OFFLINE_SRCS	:= $(wildcard userspace/offline/*.c)
OFFLINE_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(OFFLINE_SRCS))
OFFLINE_LIBS	= $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

TOOLS += $(BUILD)/bin/ezn-recover

$(OFFLINE_OBJS): CFLAGS += -Ikmod -Iuserspace/offline $(shell pkg-config --cflags libcrypto 2>/dev/null)

$(BUILD)/bin/ezn-recover: $(OFFLINE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(OFFLINE_LIBS)

# Host test: ezn-recover decodes the checked-in format sample (tests/format/).
HOST_TESTS += $(BUILD)/tests/format-check

$(BUILD)/tests/format-check: tests/format/check-sample.sh $(BUILD)/bin/ezn-recover
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s/tests/format/check-sample.sh" "$$@"\n' "$(CURDIR)" >$@
	chmod +x $@
