# SPDX-License-Identifier: GPL-2.0
# make bench: the benchmark's helper programs.

BENCH_PROGS := $(BUILD)/bin/afalg-speed $(BUILD)/bin/smallfiles

$(BUILD)/bin/afalg-speed: $(BUILD)/scripts/bench/afalg-speed.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/bin/smallfiles: $(BUILD)/scripts/bench/smallfiles.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
