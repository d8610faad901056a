# SPDX-License-Identifier: GPL-2.0
# The ezn multi-call tool and its ezn-* links.

EZN_SRCS	:= $(wildcard userspace/*.c)
EZN_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(EZN_SRCS))
EZN_PKGS	:= libnl-3.0 libnl-genl-3.0
EZN_CFLAGS	= $(shell pkg-config --cflags $(EZN_PKGS))
EZN_LIBS	= $(shell pkg-config --libs $(EZN_PKGS))

TOOLS += $(BUILD)/bin/ezn

$(EZN_OBJS): CFLAGS += $(EZN_CFLAGS)

$(BUILD)/bin/ezn: $(EZN_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(EZN_LIBS)
