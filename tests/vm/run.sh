#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run VM test cases against the real module and report each one.
#
# usage: tests/vm/run.sh [options]
#   --ko PATH            module to load (default: $EZN_TEST_KO, else
#                        build/kmod-test/ezncryptfs.ko)
#   --cases DIR          directory of case scripts (default: tests/vm/cases)
#   --only REGEX         run only the cases whose id matches
#   --case-timeout S     default per-case timeout (a case may set its own)
#   --timeout S          overall VM timeout (default: sum of case timeouts + 120)
#   --out DIR            keep results here (default: a new build/vm-results/run-*,
#                        linked from build/vm-results/latest)
#   --prefix NAME        prefix for reported ids (default: vm)
# EZN_CASE_TIMEOUT_SCALE multiplies every case timeout (the debug kernel is slower).
#   --kver/--kernel      passed to scripts/vm/run.sh
#
# A case is tests/vm/cases/NAME.sh, run as root in the VM with LOWER (a
# directory on a fresh scratch filesystem), UPPER (an empty mount point),
# EZN_KO, EZN_LOWER_FS and EZN_TOP set; it exits 0 to pass, 77 to skip, anything
# else to fail. Header lines select where it runs:
#   # lowers: ext4 xfs tmpfs     (default: ext4; the case runs once per type)
#   # timeout: SECONDS
#
# A case may report finer-grained results (KUnit cases, say) by appending
# "pass|fail|skip NAME" lines to the file named by $EZN_SUBRESULTS; each is
# reported as its own line. On a kernel with kmemleak, a scan after the suite
# and the module's unload is reported as the result "kmemleak".
#
# Output: one line per case, "PASS|FAIL|SKIP id", a failed case's log, and two
# lines about the run itself: the guest completed, and the kernel log is clean
# of the patterns in tests/vm/kernel-log-patterns.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=${EZN_TEST_KO:-$top/build/kmod-test/ezncryptfs.ko}
cases=$top/tests/vm/cases
only=
ctimeout=300
timeout=
out=
prefix=vm
vmargs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--ko) ko=$2; shift 2 ;;
	--cases) cases=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--case-timeout) ctimeout=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--prefix) prefix=$2; shift 2 ;;
	--kver|--kernel|--mem|--smp) vmargs+=("$1" "$2"); shift 2 ;;
	*) echo "tests/vm/run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
[ -r "$ko" ] || { echo "tests/vm/run.sh: no module at $ko (make test-module)" >&2; exit 2; }
ko=$(realpath "$ko")
cases=$(realpath "$cases")

if [ -z "$out" ]; then
	mkdir -p "$top/build/vm-results"
	out=$(mktemp -d "$top/build/vm-results/run-$(date +%H%M%S)-XXXX")
	ln -sfn "$(basename "$out")" "$top/build/vm-results/latest"
fi
rm -rf "$out"
mkdir -p "$out"
out=$(realpath "$out")
list=$out/cases.list
: >"$list"
total=0
for f in "$cases"/*.sh; do
	[ -e "$f" ] || continue
	name=$(basename "$f" .sh)
	lowers=$(sed -n 's/^# lowers:[[:space:]]*//p' "$f" | head -n 1)
	t=$(sed -n 's/^# timeout:[[:space:]]*//p' "$f" | head -n 1)
	for lower in ${lowers:-ext4}; do
		id=$name
		[ -z "$lowers" ] || [ "$(echo "$lowers" | wc -w)" = 1 ] || id=$name@$lower
		if [ -n "$only" ] && ! echo "$id" | grep -qE -- "$only"; then
			continue
		fi
		# A slower kernel (the debug lane) scales every case's timeout.
		t=$(( ${t:-$ctimeout} * ${EZN_CASE_TIMEOUT_SCALE:-1} ))
		echo "$id $f $lower $t" >>"$list"
		total=$((total + t))
	done
done
if [ ! -s "$list" ]; then
	echo "tests/vm/run.sh: no cases selected" >&2
	exit 2
fi
timeout=${timeout:-$((total + 120))}

echo "vm: $(wc -l <"$list") cases, log in $out" >&2
start=$(date +%s)
"$top/scripts/vm/run.sh" "${vmargs[@]}" --out "$out" --timeout "$timeout" -- \
	"$top/tests/vm/guest.sh" "$ko" "$list"
vmstatus=$?
echo "vm: finished in $(($(date +%s) - start))s" >&2

passed=0 failed=0 skipped=0
while read -r id _; do
	status=$(awk -v id="$id" '$2 == id { print $1 }' "$out/results" 2>/dev/null | tail -n 1)
	case "$status" in
	pass) echo "PASS $prefix:$id"; passed=$((passed + 1)) ;;
	skip) echo "SKIP $prefix:$id ($(grep -m1 -i 'skip' "$out/cases/$id.log" 2>/dev/null))"
	      skipped=$((skipped + 1)) ;;
	*)
		echo "FAIL $prefix:$id (${status:-not run})"
		failed=$((failed + 1))
		if [ -f "$out/cases/$id.log" ]; then
			sed 's/^/    | /' "$out/cases/$id.log" | tail -n 60
		fi ;;
	esac
done <"$list"

# Sub-results and the guest's own end-of-suite checks.
while read -r status id; do
	case "$status" in
	pass) echo "PASS $prefix:$id"; passed=$((passed + 1)) ;;
	skip) echo "SKIP $prefix:$id"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL $prefix:$id"; failed=$((failed + 1))
	   [ ! -f "$out/$id.log" ] || sed 's/^/    | /' "$out/$id.log" | head -n 60 ;;
	esac
done < <(cat "$out/subresults" 2>/dev/null)

if [ "$vmstatus" = 0 ] && [ -f "$out/guest-complete" ]; then
	echo "PASS $prefix:guest-completed"
	passed=$((passed + 1))
else
	echo "FAIL $prefix:guest-completed (VM exit $vmstatus: hung, panicked or killed)"
	tail -n 40 "$out/console.log" 2>/dev/null | sed 's/^/    | /'
	failed=$((failed + 1))
fi

bad=$(cat "$out/console.log" "$out/dmesg.log" 2>/dev/null | grep -F -f "$top/tests/vm/kernel-log-patterns")
if [ -z "$bad" ]; then
	echo "PASS $prefix:kernel-log-clean"
	passed=$((passed + 1))
else
	echo "FAIL $prefix:kernel-log-clean"
	printf '%s\n' "$bad" | head -n 20 | sed 's/^/    | /'
	failed=$((failed + 1))
fi
echo "$prefix: $passed passed, $failed failed, $skipped skipped" >&2
[ "$failed" = 0 ]
