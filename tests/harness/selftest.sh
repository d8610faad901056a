#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VM harness tests itself: it must report a failing case failed, a hanging
# case timed out, a WARN from the module as a failed case and a dirty kernel
# log, a panicked guest and a guest that outlives the overall timeout as failed
# runs. On the debug kernel (make check-debug sets EZN_KERNEL) it also proves
# that a use-after-free in the module (KASAN) and a leak from it (kmemleak)
# fail the run. Prints "PASS|FAIL harness:NAME" lines. --debug-only: only
# that last part (make check's debug-kernel core runs it).
set -u
debug_only=0
[ "${1:-}" != --debug-only ] || debug_only=1
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/harness
work=$top/build/vm-results/harness
mkdir -p "$work"

check() {
	local name=$1 file=$2 regex=$3

	if grep -qE -- "$regex" "$file"; then
		echo "PASS harness:$name"
	else
		echo "FAIL harness:$name (no line matching '$regex' in the harness output)"
		sed 's/^/    | /' "$file" | tail -n 30
	fi
}

run() {
	local tag=$1

	shift
	"$top/tests/vm/run.sh" --prefix st --out "$work/$tag" "$@" >"$work/$tag.out" 2>&1
	echo $? >"$work/$tag.status"
}

if [ "$debug_only" = 0 ]; then
	run cases --cases "$here/cases" --case-timeout 60
	o=$work/cases.out
	check case-pass "$o" '^PASS st:01-pass$'
	check case-fail "$o" '^FAIL st:02-fail \(fail\)$'
	check case-timeout "$o" '^FAIL st:03-hang \(timeout\)$'
	check case-skip "$o" '^SKIP st:04-skip'
	check warn-fails-case "$o" '^FAIL st:05-warn \(fail\)$'
	check warn-dirty-log "$o" '^FAIL st:kernel-log-clean$'
	check lowers "$o" '^PASS st:06-lowers@ext4$'
	check lowers-xfs "$o" '^PASS st:06-lowers@xfs$'
	check lowers-tmpfs "$o" '^PASS st:06-lowers@tmpfs$'
	check run-status "$work/cases.status" '^1$'

	run crash --cases "$here/crash" --case-timeout 60
	o=$work/crash.out
	check panic-fails-run "$o" '^FAIL st:guest-completed'
	check panic-not-run "$o" '^FAIL st:02-after \(not run\)$'

	run overall --cases "$here/overall" --timeout 25
	o=$work/overall.out
	check overall-timeout "$o" '^FAIL st:01-stall \(not run\)$'
	check overall-timeout-run "$o" '^FAIL st:guest-completed \(VM exit 124'
fi

# The debug kernel's detectors, through the test module's debug_leak and
# debug_uaf knobs: only there do KASAN and kmemleak exist.
[ -n "${EZN_KERNEL:-}" ] || exit 0
run debug --cases "$here/debug" --case-timeout 60
o=$work/debug.out
check leak-case-clean "$o" '^PASS st:01-leak$'
check leak-fails-run "$o" '^FAIL st:kmemleak$'
check leak-reported "$o" 'unreferenced object 0x[0-9a-f]+ \(size 128\)'
check leak-is-the-knobs "$o" 'a5 a5 a5 a5 a5 a5 a5 a5'
check uaf-fails-case "$o" '^FAIL st:02-uaf \(fail\)$'
check uaf-kasan-report "$o" 'KASAN: [a-z-]*use-after-free in ezn_debug_uaf_set'
check uaf-dirty-log "$o" '^FAIL st:kernel-log-clean$'
check debug-run-status "$work/debug.status" '^1$'
