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
