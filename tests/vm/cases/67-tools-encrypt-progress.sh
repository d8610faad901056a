#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The progress bar of ezn-encrypt / ezn-decrypt: on a terminal (a
# pseudo-terminal through script) a line redrawn in place with files, bytes,
# rate and ETA for the copy and the verification; not a trace of it when
# standard output is a file or a pipe.
# timeout: 400
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"
trap tools_cleanup EXIT

tools_start

data=/srv/ezn-progress/data
rm -rf /srv/ezn-progress
make_data "$data" 8
before=$(tree_sum "$data")
bar='  %s: [0-9]+/[0-9]+ files, [0-9.]+ [KMG]?i?B/[0-9.]+ [KMG]?i?B \([0-9]+%%\), [0-9.]+ [KMG]?i?B/s, ETA [0-9]+:[0-9]{2}'

# expect_bar WHAT OUTPUT VERB: OUTPUT (a terminal's) shows VERB's progress
# line, drawn from the line's start, ending at 100% and ETA 0:00.
expect_bar() {
	local re

	# shellcheck disable=SC2059
	re=$(printf "$bar" "$3")
	grep -qE -- $'\r'"$re" <<<"$2" || fail "$1: no '$3' progress line on the terminal: $2"
	grep -qE -- "  $3: ([0-9]+)/\1 files, .*\(100%\), .*ETA 0:00" <<<"$2" ||
		fail "$1: '$3' never reached 100%: $2"
}

# expect_no_bar WHAT FILE: FILE (an output that was no terminal) has no
# progress line and no carriage return.
expect_no_bar() {
	if grep -E -- "files, .*ETA|"$'\r' "$2" >/dev/null; then
		fail "$1: a progress line off a terminal: $(cat -A "$2")"
	fi
}

out=$(tty_run "" ezn-encrypt --passfile "$PASSFILE" @backup "$data") || fail "encrypt on a tty: $out"
echo "$out" | cat -A | tail -n 20
grep -q "is now encrypted" <<<"$out" || fail "encrypt on a tty did not finish: $out"
for verb in Archiving Encrypting Verifying; do
	expect_bar "encrypt on a tty" "$out" "$verb"
done
expect_eq "bytes after encrypt" "$before" "$(granted_sum "$data")"

ezn-decrypt --passfile "$PASSFILE" "$data" >/tmp/ezn-tools/dec.log 2>&1 ||
	fail "decrypt to a file: $(cat /tmp/ezn-tools/dec.log)"
cat /tmp/ezn-tools/dec.log
grep -q "cleartext again" /tmp/ezn-tools/dec.log || fail "decrypt's steps missing from the log"
expect_no_bar "decrypt to a file" /tmp/ezn-tools/dec.log
expect_eq "bytes after decrypt" "$before" "$(tree_sum "$data")"

ezn-encrypt --passfile "$PASSFILE" @backup "$data" 2>&1 | cat >/tmp/ezn-tools/enc.log
grep -q "is now encrypted" /tmp/ezn-tools/enc.log || fail "encrypt into a pipe: $(cat /tmp/ezn-tools/enc.log)"
expect_no_bar "encrypt into a pipe" /tmp/ezn-tools/enc.log

out=$(tty_run "" ezn-decrypt --passfile "$PASSFILE" "$data") || fail "decrypt on a tty: $out"
echo "$out" | cat -A | tail -n 10
grep -q "cleartext again" <<<"$out" || fail "decrypt on a tty did not finish: $out"
for verb in Decrypting Verifying; do
	expect_bar "decrypt on a tty" "$out" "$verb"
done
expect_eq "bytes after the round trips" "$before" "$(tree_sum "$data")"
echo "progress case passed"
