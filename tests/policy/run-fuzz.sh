#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded libFuzzer run over the rule parser, printer and matcher.
#   run-fuzz.sh FUZZER [SECONDS]     (default EZN_FUZZ_SECONDS or 20)
# Prints "PASS policy:fuzz (N execs)", "FAIL policy:fuzz (...)" with the
# crash report, or "SKIP policy:fuzz" when clang could not build the fuzzer.
set -u
src=$(cd "$(dirname "$0")" && pwd)
fuzzer=${1:?usage: run-fuzz.sh FUZZER [SECONDS]}
secs=${2:-${EZN_FUZZ_SECONDS:-20}}
if [ ! -x "$fuzzer" ]; then
	if command -v clang >/dev/null; then
		echo "FAIL policy:fuzz (fuzzer $fuzzer not built)"
		exit 1
	fi
	echo "SKIP policy:fuzz (no clang; apt-get install clang)"
	exit 0
fi
work=$(dirname "$fuzzer")
mkdir -p "$work/corpus"
cp -n "$src"/corpus/* "$work/corpus/" 2>/dev/null
log=$work/fuzz.log
# One worker: the other core belongs to whoever else is building.
"$fuzzer" -max_total_time="$secs" -timeout=5 -rss_limit_mb=1024 -max_len=4096 \
	-artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
if [ "$rc" = 0 ]; then
	echo "PASS policy:fuzz (${execs:-?} execs in ${secs}s)"
	exit 0
fi
echo "FAIL policy:fuzz (exit $rc; log $log)"
grep -E -A40 '^==[0-9]+==ERROR|runtime error|deadly signal|ezn-fuzz:' "$log" | head -n 60
ls "$work"/crash-* "$work"/timeout-* "$work"/leak-* 2>/dev/null
exit 1
