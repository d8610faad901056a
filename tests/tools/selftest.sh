#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host self-test of the VM test tools: runs ezn-fsx and ezn-posix briefly on
# the host's own filesystems (a tmpfs and /tmp) and proves that ezn-fsx does
# notice data that changed behind its back. Prints PASS/FAIL/SKIP lines.
#
# usage: tests/tools/selftest.sh   (after make build/bin/ezn-fsx build/bin/ezn-posix)
# EZN_SELFTEST_OPS sets the number of ezn-fsx operations per directory (default 20000).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fsx=$top/build/bin/ezn-fsx
posix=$top/build/bin/ezn-posix
ops=${EZN_SELFTEST_OPS:-20000}
status=0

pass() { echo "PASS tools:$1"; }
fail() {
	echo "FAIL tools:$1 ($2)"
	[ -z "${3:-}" ] || sed 's/^/    | /' "$3" | tail -n 40
	status=1
}

for p in "$fsx" "$posix"; do
	if [ ! -x "$p" ]; then
		echo "FAIL tools:built ($p is missing: make build/bin/ezn-fsx build/bin/ezn-posix)"
		exit 1
	fi
done

work=()
cleanup() { rm -rf "${work[@]}"; }
trap cleanup EXIT
# a tmpfs (/dev/shm) and whatever /tmp is, when they are different filesystems
dirs=()
for base in /dev/shm /tmp; do
	[ -d "$base" ] && [ -w "$base" ] || continue
	d=$(mktemp -d "$base/ezn-tools.XXXXXX") || continue
	work+=("$d")
	dirs+=("$d")
done
[ ${#dirs[@]} -gt 0 ] || { echo "SKIP tools:fsx-host (no writable scratch directory)"; exit 0; }
log=${dirs[0]}/log

# ezn-fsx: a clean run on each directory, with a reference file on the other
# one and "remounts" (a command run with the file closed)
ok=1
for d in "${dirs[@]}"; do
	ref=${dirs[-1]}/ref
	[ "$d" != "${dirs[-1]}" ] || ref=${dirs[0]}/ref
	n=$ops
	# a disk-backed /tmp pays for every fsync and msync(MS_SYNC): fewer ops there
	[ "$(stat -f -c %T "$d")" = tmpfs ] || n=$((ops / 5))
	if ! "$fsx" -q -N "$n" -c 1000 -r "$ref" --remount-cmd "sync" --remount-every 5000 \
		"$d/fsx" >"$log" 2>&1 || ! grep -q "PASS $n ops" "$log"; then
		fail fsx-host "ezn-fsx failed on $d" "$log"
		ok=0
		break
	fi
	echo "# $(stat -f -c %T "$d"): $(grep PASS "$log")"
done
[ $ok = 0 ] || pass fsx-host

# the same seed gives the same run
a=$("$fsx" -q -N 2000 -S 42 "${dirs[0]}/fsx" 2>&1 | tail -n 1)
b=$("$fsx" -q -N 2000 -S 42 "${dirs[0]}/fsx" 2>&1 | tail -n 1)
a=${a/ in *s (*ops\/s)/}
b=${b/ in *s (*ops\/s)/}
if [ -n "$a" ] && [ "$a" = "$b" ]; then
	pass fsx-reproducible
else
	fail fsx-reproducible "two runs with -S 42 differ: '$a' / '$b'"
fi

# a byte changed behind the verifier's back must be reported, with the op log
"$fsx" -q -N 3000 -S 7 --inject-corruption 1000 "${dirs[0]}/fsx" >"$log" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q '^ezn-fsx: MISMATCH' "$log" && grep -q 'expected 0x' "$log" &&
   grep -q '^last 50 operations' "$log" && grep -q ' corrupt ' "$log" &&
   grep -q 'reproduce with -S 7' "$log"; then
	pass fsx-detects-corruption
else
	fail fsx-detects-corruption "expected exit 1 and a mismatch report, got exit $rc" "$log"
fi

# a failing remount command is a failure, not a silent pass
"$fsx" -q -N 100 --remount-cmd false --remount-every 50 "${dirs[0]}/fsx" >"$log" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q "remount command 'false' failed" "$log"; then
	pass fsx-remount-failure
else
	fail fsx-remount-failure "expected exit 1 for a failing --remount-cmd, got $rc" "$log"
fi

# ezn-posix: every check passes (or skips) on each directory
ok=1
for d in "${dirs[@]}"; do
	"$posix" "$d" >"$log" 2>&1
	rc=$?
	if [ $rc != 0 ] || grep -q '^FAIL' "$log" || ! grep -q '^PASS posix:' "$log"; then
		fail posix-host "ezn-posix exit $rc on $d ($(stat -f -c %T "$d"))" "$log"
		ok=0
		break
	fi
	echo "# $(stat -f -c %T "$d"): $(tail -n 1 "$log" | sed 's/^# //')"
	grep '^SKIP' "$log" | sed 's/^/# /'
done
[ $ok = 0 ] || pass posix-host

# selection and listing
n=$("$posix" -l | wc -l)
sel=$("$posix" -k '^rename-(over|open)$' "${dirs[0]}" 2>&1)
if [ "$n" -ge 40 ] && [ "$(echo "$sel" | grep -c '^PASS posix:rename-')" = 2 ] &&
   ! "$posix" -k 'no-such-check' "${dirs[0]}" >/dev/null 2>&1 &&
   [ -z "$(ls -A "${dirs[0]}" | grep -v -e '^log$' -e '^fsx$' -e '^ref$')" ]; then
	pass posix-select
else
	fail posix-select "-l listed $n checks; -k gave: $(echo "$sel" | tr '\n' ' ')"
fi
exit $status
