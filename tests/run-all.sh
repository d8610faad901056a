#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: host unit tests, the VM harness self-test and the VM cases.
# Every suite prints "PASS|FAIL|SKIP name" lines; this script runs them all,
# keeps the full output in build/check.log and ends with the totals line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log=$top/build/check.log
mkdir -p "$top/build"
: >"$log"

suite() {
	echo "== $*" | tee -a "$log"
	"$@" 2>&1 | tee -a "$log"
}

start=$(date +%s)
# The Makefile passes the host tests its fragments declare (HOST_TESTS).
for t in ${EZN_HOST_TESTS:-}; do
	case "$t" in /*) ;; *) t=$top/$t ;; esac
	suite "$t"
done
suite "$top/tests/harness/selftest.sh"
suite "$top/tests/vm/powercut.sh"
suite "$top/tests/vm/run.sh" ${EZN_VM_ONLY:+--only "$EZN_VM_ONLY"}

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
echo "make check took $(($(date +%s) - start))s; full log in $log"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
