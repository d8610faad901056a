# SPDX-License-Identifier: GPL-2.0
# The ezn multi-call tool and its ezn-* links.

EZN_SRCS	:= $(wildcard userspace/*.c)
EZN_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(EZN_SRCS))
EZN_PKGS	:= libnl-3.0 libnl-genl-3.0 libsodium libkeyutils libarchive json-c
EZN_CFLAGS	= $(shell pkg-config --cflags $(EZN_PKGS))
EZN_LIBS	= $(shell pkg-config --libs $(EZN_PKGS))
# The rule language (policy/policy.mk) is linked in for ezn acl.
EZN_POLICY_OBJS	:= $(BUILD)/policy/ezn_rule.o $(BUILD)/policy/ezn_match.o

# ezn key rotate rewraps headers with ezn-recover's format code (OpenSSL).
EZN_V1_OBJ	:= $(BUILD)/userspace/offline/ezn_v1.o
EZN_V1_LIBS	= $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

TOOLS += $(BUILD)/bin/ezn

$(EZN_OBJS): CFLAGS += $(EZN_CFLAGS)
$(BUILD)/userspace/key_rotate.o: CFLAGS += -Ikmod -Iuserspace/offline

$(BUILD)/bin/ezn: $(EZN_OBJS) $(EZN_POLICY_OBJS) $(EZN_V1_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(EZN_LIBS) $(EZN_V1_LIBS)

# ezn-NAME links to the multi-call binary, next to it and on install.
EZN_LINKS	:= ezn-service ezn-encrypt ezn-decrypt ezn-acl ezn-run ezn-key ezn-audit
EZN_LINK_FILES	:= $(addprefix $(BUILD)/bin/,$(EZN_LINKS))

tools: $(EZN_LINK_FILES)
$(EZN_LINK_FILES): $(BUILD)/bin/ezn
	ln -sfn ezn $@

.PHONY: install-links
install: install-links
install-links:
	install -d $(DESTDIR)$(PREFIX)/sbin
	$(foreach l,$(EZN_LINKS),ln -sfn ezn $(DESTDIR)$(PREFIX)/sbin/$(l);)
	install -d $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)/lib/systemd/system
	install -m 0644 docs/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	echo '.so man8/ezn-encrypt.8' >$(DESTDIR)$(PREFIX)/share/man/man8/ezn-decrypt.8
	install -m 0644 scripts/bash-completion/ezn $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ezn
	$(foreach l,$(EZN_LINKS),ln -sfn ezn $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$(l);)
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|g' scripts/ezncrypt.service \
		>$(DESTDIR)/lib/systemd/system/ezncrypt.service
