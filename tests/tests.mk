# SPDX-License-Identifier: GPL-2.0
# Test helpers: the random-operation verifier and the POSIX behaviour suite the
# VM cases run against a mounted ezncryptfs, and a host self-test of both.

VM_PROGS	+= $(BUILD)/bin/ezn-fsx $(BUILD)/bin/ezn-posix $(BUILD)/bin/ezn-failnth
# run-all.sh runs what is under build/tests/; the wrapper calls the script in
# the source tree, which runs the two tools on the host (tmpfs and /tmp).
HOST_TESTS	+= $(BUILD)/tests/tools-selftest

$(BUILD)/bin/ezn-fsx: $(BUILD)/tests/tools/ezn-fsx.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

# fail-nth fault injection sweeps (the debug lane's VM case 90-fault-inject).
$(BUILD)/bin/ezn-failnth: $(BUILD)/tests/tools/ezn-failnth.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/bin/ezn-posix: LDLIBS += -pthread
$(BUILD)/tests/tools/ezn-posix.o: CFLAGS += -pthread
$(BUILD)/bin/ezn-posix: $(BUILD)/tests/tools/ezn-posix.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# exe_file forgery (VM case 43): static, without the C library, so without
# the stack protector's canary (no TLS to read it from); see its top comment.
VM_PROGS	+= $(BUILD)/bin/ezn-exeforge
FORGE_CFLAGS	:= -O2 -g -std=gnu11 -Wall -Wextra -Wshadow -ffreestanding -fno-stack-protector \
		   -fno-pie -no-pie -static -nostdlib -fno-toplevel-reorder \
		   -fno-tree-loop-distribute-patterns
$(BUILD)/bin/ezn-exeforge: tests/tools/ezn-exeforge.c
	@mkdir -p $(dir $@)
	$(CC) $(FORGE_CFLAGS) -o $@ $<

$(BUILD)/tests/tools-selftest: tests/tools/selftest.sh $(BUILD)/bin/ezn-fsx $(BUILD)/bin/ezn-posix
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s/tests/tools/selftest.sh" "$$@"\n' "$(CURDIR)" >$@
	chmod +x $@
