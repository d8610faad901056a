# SPDX-License-Identifier: GPL-2.0
# The rule language (policy/ezn_rule.c, policy/ezn_match.c): host unit tests
# and a bounded libFuzzer run. The same sources go into ezncryptfs.ko.

POLICY_SRCS	:= policy/ezn_rule.c policy/ezn_match.c
POLICY_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(POLICY_SRCS))
POLICY_FUZZER	:= $(BUILD)/policy-fuzz/policy-fuzzer
POLICY_CLANG	?= $(shell command -v clang 2>/dev/null)

HOST_TESTS	+= $(BUILD)/tests/policy-unit $(BUILD)/tests/policy-fuzz

# unit.c is compiled in the link step: an object under build/tests/ would put
# a directory where run-all.sh looks for test executables.
$(BUILD)/tests/policy-unit: tests/policy/unit.c $(POLICY_OBJS) policy/ezn_rule.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(POLICY_OBJS)

# The fuzzer is built with clang's sanitizers straight from the sources. The
# wrapper runs it for a bounded time and prints SKIP when there is no clang.
$(POLICY_FUZZER): tests/policy/fuzz.c $(POLICY_SRCS) policy/ezn_rule.h
	@mkdir -p $(dir $@)
	$(POLICY_CLANG) -g -O1 -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Ipolicy \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/policy/fuzz.c $(POLICY_SRCS)

$(BUILD)/tests/policy-fuzz: tests/policy/run-fuzz.sh $(if $(POLICY_CLANG),$(POLICY_FUZZER))
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec "%s/tests/policy/run-fuzz.sh" "%s" "$$@"\n' \
		"$(CURDIR)" "$(abspath $(POLICY_FUZZER))" >$@
	chmod +x $@
