#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: host unit tests, the VM harness self-test and the VM cases on
# Debian's kernel, then the debug kernel's core (below). Every suite prints
# "PASS|FAIL|SKIP name" lines; this script runs them all, keeps the full output
# in build/check.log and ends with the totals line.
#
# usage: tests/run-all.sh [--debug]
#   --debug   make check-debug: the whole suite on the debug kernel instead
# EZN_VM_ONLY=REGEX runs only those VM cases. EZN_CHECK_DEBUG=0 leaves out the
# debug kernel's core: its first run builds that kernel (about 13 minutes on an
# idle 2-core machine, cached for every later run and clone).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=$top/build/check.log
mkdir -p "$top/build"
: >"$log"

# The cases that the debug kernel's detectors (KASAN, lockdep, kmemleak,
# UBSAN) check in every make check: KUnit, load and unload, the data path on
# ext4 with its concurrency and the background release of deleted files,
# encryption and tampering, policy and identity.
debug_core='^(00-kunit|01-module-load|20-fs-mount|22-fs-data@ext4|23-fs-concurrency@ext4|26-fs-release@ext4|30-crypto-roundtrip@ext4|32-crypto-tamper@ext4|40-acl-netlink|42-acl-ops|43-acl-ident)$'

suite() {
	echo "== $*" | tee -a "$log"
	"$@" 2>&1 | tee -a "$log"
}

# Point the VM harness at the debug kernel and the test module built for it.
debug_env() {
	local env kv

	if ! env=$("$top/scripts/debug-kernel/prepare.sh" 2>>"$log"); then
		echo "FAIL debug:kernel-build (scripts/debug-kernel/prepare.sh; output in $log)" |
			tee -a "$log"
		return 1
	fi
	while IFS= read -r kv; do
		export "${kv?}"
	done <<<"$env"
}

start=$(date +%s)
debug=0
if [ "${1:-}" = --debug ]; then
	debug=1
	echo "== the debug kernel (scripts/debug-kernel/prepare.sh)" | tee -a "$log"
	debug_env || debug=failed
fi
if [ "$debug" != failed ]; then
	# The Makefile passes the host tests its fragments declare (HOST_TESTS).
	for t in ${EZN_HOST_TESTS:-}; do
		case "$t" in /*) ;; *) t=$top/$t ;; esac
		suite "$t"
	done
	suite "$top/tests/harness/selftest.sh"
	suite "$top/tests/vm/powercut.sh"
	suite "$top/tests/vm/run.sh" ${EZN_VM_ONLY:+--only "$EZN_VM_ONLY"}
fi
if [ "$debug" = 0 ] && [ "${EZN_CHECK_DEBUG:-1}" != 0 ]; then
	echo "== the debug kernel's core (EZN_CHECK_DEBUG=0 leaves it out)" | tee -a "$log"
	(
		debug_env || exit
		suite "$top/tests/harness/selftest.sh" --debug-only
		suite "$top/tests/vm/run.sh" --prefix debug --only "$debug_core"
	)
fi

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
echo "make check took $(($(date +%s) - start))s; full log in $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
