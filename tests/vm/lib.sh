# SPDX-License-Identifier: GPL-2.0
# Helpers for VM test cases: source "$EZN_TOP/tests/vm/lib.sh".
# Every helper that checks something exits the case with a message on failure.
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# expect_fail WHAT COMMAND...: the command must fail
expect_fail() {
	local what=$1

	shift
	if "$@" 2>/dev/null; then
		fail "$what: '$*' succeeded but should have failed"
	fi
}

# expect_klog REGEX: the kernel log must contain a line matching REGEX
expect_klog() {
	# Not grep -q: under pipefail its early exit fails dmesg with SIGPIPE.
	dmesg | grep -E -- "$1" >/dev/null || fail "kernel log has no line matching '$1'"
}

# wait_for SECONDS WHAT COMMAND...: poll (every 0.2 s) until the command succeeds; a
# loaded machine stretches asynchronous work, so a check on it waits, not sleeps.
# The caller expands COMMAND's arguments once: what must be read again each time
# goes in a function.
wait_for() {
	local limit=$1 what=$2 deadline=$((SECONDS + $1))

	shift 2
	until "$@"; do
		[ "$SECONDS" -lt "$deadline" ] || fail "$what (waited ${limit}s)"
		sleep 0.2
	done
}

module_loaded() {
	[ -d /sys/module/ezncryptfs ]
}

load_module() {
	module_loaded || insmod "$EZN_KO"
}

unload_module() {
	if module_loaded; then
		rmmod ezncryptfs
	fi
}
