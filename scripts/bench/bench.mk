# SPDX-License-Identifier: GPL-2.0
# make bench: the benchmark's helper programs.

BENCH_PROGS := $(BUILD)/bin/afalg-gcm $(BUILD)/bin/smallfiles

$(BUILD)/bin/afalg-gcm: $(BUILD)/scripts/bench/afalg-gcm.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/bin/smallfiles: $(BUILD)/scripts/bench/smallfiles.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
