# SPDX-License-Identifier: GPL-2.0
#
# ezncrypt top-level Makefile.
#
#   make                 ezncryptfs.ko (release flavour) and the userspace tools
#   make check           host unit tests + VM harness self-test + VM cases
#   make check-debug     the same on a debug kernel (KASAN, lockdep, kmemleak,
#                        UBSAN, KUnit) built from Debian's source
#   make demo            the seed scenario in a VM
#   make bench           ezncryptfs against plaintext, eCryptfs, gocryptfs, fscrypt
#   make vm-shell        a shell in the test VM (VM_CMD="..." runs one command)
#   make style           checkpatch.pl --strict over all C
#   make install         DESTDIR/PREFIX honoured
#   make clean
#
# KDIR defaults to the running kernel's build tree and, where that is absent
# (as on a host whose kernel is not Debian's), to the newest installed
# linux-headers-*-amd64. The VM boots the kernel matching KDIR.

KVER	?= $(shell uname -r)
KDIR	?= $(or $(wildcard /lib/modules/$(KVER)/build), \
		$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))
# The release the module is built for, hence the kernel the VM boots.
MOD_KVER = $(patsubst linux-headers-%,%,$(notdir $(realpath $(KDIR))))

PREFIX	?= /usr/local
DESTDIR	?=
BUILD	:= build
CC	?= cc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	   -D_GNU_SOURCE -fstack-protector-strong -D_FORTIFY_SOURCE=2 -Ipolicy -Iuserspace
LDFLAGS	?=

# Fragments add to these: TOOLS (installed binaries), HOST_TESTS (binaries
# under build/tests/ that make check runs; each prints PASS/FAIL/SKIP lines)
# and VM_PROGS (helpers the VM cases run).
TOOLS		:=
HOST_TESTS	:=
VM_PROGS	:=
-include policy/policy.mk
-include userspace/userspace.mk
-include userspace/offline/offline.mk
-include tests/tests.mk
-include scripts/bench/bench.mk
-include tests/userspace.mk
-include tests/acl.mk
-include tests/packaging.mk

.PHONY: all module test-module tools check check-debug check-host vm-shell demo bench style install \
	clean deps FORCE
all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The test flavour (EZN_DEBUG=1, with the harness's fault knobs) is built from
# a mirror of the sources so it never mixes objects with the release build.
TEST_KMOD := $(BUILD)/kmod-test
test-module:
	@mkdir -p $(TEST_KMOD)
	@cp -pu Kbuild $(TEST_KMOD)/
	@cp -rpu kmod policy $(TEST_KMOD)/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(TEST_KMOD) EZN_DEBUG=1 modules

tools: $(TOOLS)

check: test-module tools $(HOST_TESTS) $(VM_PROGS)
	@EZN_KVER=$(MOD_KVER) EZN_HOST_TESTS="$(HOST_TESTS)" tests/run-all.sh

# The debug-kernel lane: build (or reuse) the kernel, the module and its KUnit
# tests against it (scripts/debug-kernel/prepare.sh), and run the whole suite on
# it. make check runs the lane's core cases (tests/run-all.sh).
check-debug: tools $(HOST_TESTS) $(VM_PROGS)
	@EZN_HOST_TESTS="$(HOST_TESTS)" tests/run-all.sh --debug

check-host: $(HOST_TESTS)
	@status=0; for t in $(HOST_TESTS); do $$t || status=1; done; exit $$status

VM_CMD ?= bash -i
vm-shell: test-module tools $(VM_PROGS)
	scripts/vm/run.sh --kver $(MOD_KVER) --interactive -- scripts/vm/guest-shell.sh $(VM_CMD)

demo: module tools
	scripts/demo/run.sh

bench: module tools $(BENCH_PROGS)
	scripts/bench/run.sh

style:
	@scripts/style.sh

install: all
	install -d $(DESTDIR)/lib/modules/$(MOD_KVER)/extra $(DESTDIR)$(PREFIX)/sbin
	install -m 0644 ezncryptfs.ko $(DESTDIR)/lib/modules/$(MOD_KVER)/extra/
	$(if $(TOOLS),install -m 0755 $(TOOLS) $(DESTDIR)$(PREFIX)/sbin/)

deps:
	scripts/install-deps.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/userspace $(BUILD)/policy $(BUILD)/tests -name '*.d' -type f 2>/dev/null)
