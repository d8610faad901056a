#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug kernel (build.sh, cached) and the test module built against it, for
# the debug-kernel runs of make check (its core cases) and make check-debug (the
# whole suite). Prints the environment that points the VM harness at them, one
# KEY=VALUE line each; the builds' own output goes to stderr.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=$("$top/scripts/debug-kernel/build.sh")
rel=$(make -s -C "$tree" kernelrelease)
kmod=$top/build/kmod-debugk
mkdir -p "$kmod"
cp -pu "$top/Kbuild" "$kmod/"
cp -rpu "$top/kmod" "$top/policy" "$kmod/"
make -C "$tree" M="$kmod" EZN_DEBUG=1 modules >&2
echo "EZN_KVER=$rel"
echo "EZN_KERNEL=$tree/arch/x86/boot/bzImage"
echo "EZN_VM_MODULES=$(dirname "$tree")/modroot/lib/modules/$rel"
echo "EZN_TEST_KO=$kmod/ezncryptfs.ko"
# TCG with KASAN and lockdep runs the same work several times slower.
echo "EZN_CASE_TIMEOUT_SCALE=4"
echo "EZN_VM_APPEND=kunit.enable=1"
