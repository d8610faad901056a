#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ezn-acl, ezn-run and ezn-audit as an administrator uses them: a rule added
# through a symlinked executable names the real file; -L shows the table; the
# stored list survives a restart and a tampered list is refused; a modified
# binary, or a modified --children executable, is denied until --update;
# delete, modes, export/import; a malformed rule and a wrong passphrase are
# clear errors; ezn-run's grant covers the command only while it runs and
# returns its status; the denials land in the audit log and --summary exits
# non-zero.
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"
trap tools_cleanup EXIT

tools_start
acl() {
	ezn-acl --passfile "$PASSFILE" "$@" 2>&1
}

bin=/tmp/ezn-tools/bin
mkdir -p "$bin"
cp "$(readlink -f /bin/cat)" "$bin/reader"
ln -s reader "$bin/reader-link"
echo "cleartext for the acl case" >/tmp/ezn-tools/x
granted cp /tmp/ezn-tools/x "$UPPER/x" || fail "granted cp"
cat "$UPPER/x" 2>/dev/null && fail "root's cat read the cleartext with no rule"
"$bin/reader" "$UPPER/x" 2>/dev/null && fail "reader allowed with no rule"

out=$(acl -a "ALLOW @backup * $bin/reader-link") || fail "acl -a: $out"
echo "$out"
echo "$out" | grep -q "is a link to $bin/reader" || fail "no canonicalisation note: $out"
echo "$out" | grep -qF "added: ALLOW @backup * $bin/reader" || fail "acl -a output: $out"
expect_eq "allowed reader" "cleartext for the acl case" "$("$bin/reader" "$UPPER/x")"
cat "$UPPER/x" 2>/dev/null && fail "cat allowed by the reader's rule"
out=$(ezn-acl -L) || fail "acl -L: $out"
echo "$out"
echo "$out" | grep -qE "^1 +ALLOW +@backup +\* +$bin/reader" || fail "acl -L table: $out"
out=$(acl -a "ALLOW @backup * $bin/reader") && fail "duplicate rule accepted"
echo "$out" | grep -q "already in the list" || fail "duplicate: $out"

# malformed rule, wrong passphrase
rc=0
out=$(acl -a "ALLOW backup * /bin/cat") || rc=$?
expect_eq "exit for a malformed rule" 2 "$rc"
echo "$out" | grep -q "column" || fail "malformed rule message: $out"
printf 'wrong horse battery staple\n' >/tmp/ezn-tools/wrong
chmod 600 /tmp/ezn-tools/wrong
rc=$(ezn-acl --passfile /tmp/ezn-tools/wrong -a "ALLOW @backup * /bin/ls" >/dev/null 2>&1; echo $?)
expect_eq "exit for a wrong passphrase" 5 "$rc"
ezn-acl -L | grep -q "/bin/ls\|/usr/bin/ls" && fail "a wrong passphrase added a rule"

# the stored list: restored on restart, refused when tampered with
ezn-service restart --passfile "$PASSFILE" >/dev/null 2>&1 || fail "restart"
expect_eq "reader after restart" "cleartext for the acl case" "$("$bin/reader" "$UPPER/x")"
cp "$EZN_CONFIG_DIR/acl" /tmp/ezn-tools/acl.good
sed -i 's/^mode enforcing/mode permissive/' "$EZN_CONFIG_DIR/acl"
out=$(acl -a "ALLOW @backup * /bin/ls") && fail "tampered list accepted"
echo "$out" | grep -q "authentication failed" || fail "tampered list: $out"
out=$(ezn-service restart --passfile "$PASSFILE" 2>&1) && fail "restart with a tampered list: $out"
echo "$out" | grep -q "Loading the access list ... failed" || fail "tampered list at start: $out"
cp /tmp/ezn-tools/acl.good "$EZN_CONFIG_DIR/acl"
ezn-service restart --passfile "$PASSFILE" >/dev/null 2>&1 || fail "restart"

# a modified binary is denied until re-approved
printf '\0' >>"$bin/reader"
"$bin/reader" "$UPPER/x" 2>/dev/null && fail "modified reader allowed"
out=$(acl --update) || fail "acl --update: $out"
echo "$out" | grep -q "re-approved" || fail "update output: $out"
expect_eq "reader after update" "cleartext for the acl case" "$("$bin/reader" "$UPPER/x")"

# a --children executable is pinned too: changed, it is denied, the rule is
# not loaded at start (the message names the child), and --update re-pins it
cp "$(readlink -f /bin/bash)" "$bin/runner"
cp "$(readlink -f /bin/cat)" "$bin/child"
run_child() { "$bin/runner" -c "$bin/child $UPPER/x; exit \$?"; }
out=$(acl -a "ALLOW @backup * $bin/runner --children=$bin/child") || fail "acl -a children: $out"
grep -qE "^rule [0-9a-f]{64},$(sha256sum "$bin/child" | cut -d' ' -f1) ALLOW @backup \* $bin/runner --children=$bin/child$" \
	"$EZN_CONFIG_DIR/acl" || fail "the stored list does not pin the child: $(cat "$EZN_CONFIG_DIR/acl")"
expect_eq "listed child" "cleartext for the acl case" "$(run_child)"
printf '\0' >>"$bin/child"
run_child 2>/dev/null && fail "modified child allowed"
out=$(ezn-service restart --passfile "$PASSFILE" 2>&1) || fail "restart: $out"
echo "$out" | grep -q "NOT loaded: #2 $bin/child" || fail "restart with a changed child: $out"
run_child 2>/dev/null && fail "modified child allowed after restart"
out=$(acl --update) || fail "acl --update: $out"
echo "$out" | grep -qF "re-approved: ALLOW @backup * $bin/runner --children=$bin/child ($bin/child changed)" ||
	fail "update output for the child: $out"
expect_eq "child after update" "cleartext for the acl case" "$(run_child)"
acl -d "ALLOW @backup * $bin/runner --children=$bin/child" >/dev/null || fail "acl -d children"

# export, delete, import
acl --export /tmp/ezn-tools/rules >/dev/null || fail "export"
grep -q "ALLOW @backup \* $bin/reader" /tmp/ezn-tools/rules || fail "export content"
out=$(acl -d 1) || fail "acl -d 1: $out"
"$bin/reader" "$UPPER/x" 2>/dev/null && fail "reader allowed after delete"
acl --import /tmp/ezn-tools/rules >/dev/null || fail "import"
"$bin/reader" "$UPPER/x" >/dev/null || fail "reader denied after import"
out=$(acl -d "ALLOW @backup * $bin/reader-link") || fail "acl -d by text: $out"
ezn-acl -L | grep -q reader && fail "rule still listed after delete"

# modes
acl --mode permissive >/dev/null || fail "mode permissive"
ezn-acl -L | grep -q "mode: permissive" || fail "mode not shown"
cat "$UPPER/x" >/dev/null || fail "permissive mode denied"
acl --mode enforcing >/dev/null || fail "mode enforcing"
cat "$UPPER/x" 2>/dev/null && fail "enforcing mode allowed cat"
rc=0
out=$(acl --mode lax) || rc=$?
expect_eq "exit for a bad mode" 2 "$rc"

# ezn-run: the grant covers the command, its status comes back, and ends with it
expect_eq "ezn-run cat" "cleartext for the acl case" "$(granted cat "$UPPER/x")"
out=$(ezn-run --passfile "$PASSFILE" "ls -l $UPPER/" 2>/dev/null) || fail "ezn-run ls"
echo "$out" | grep -q " x$" || fail "ezn-run ls output: $out"
rc=$(ezn-run --passfile "$PASSFILE" -- sh -c 'exit 7' 2>/dev/null; echo $?)
expect_eq "ezn-run exit status" 7 "$rc"
cat "$UPPER/x" 2>/dev/null && fail "access outlived ezn-run"
out=$(tty_run "$PASS\n" ezn-run "cat $UPPER/x") || fail "ezn-run on a terminal failed: $out"
echo "$out"
echo "$out" | grep -q "passphrase:" || fail "ezn-run did not prompt: $out"
echo "$out" | grep -q "$PASS" && fail "ezn-run echoed the passphrase"
echo "$out" | grep -q "cleartext for the acl case" || fail "ezn-run on a terminal: $out"

# the audit trail
wait_for 30 "no audit log" test -s "$EZN_LOG_DIR/audit.log"
head -n 1 "$EZN_LOG_DIR/audit.log" | python3 -c 'import json,sys; json.loads(sys.stdin.read())' ||
	fail "audit log is not JSON lines"
rc=0
out=$(ezn-audit --summary) || rc=$?
echo "$out"
expect_eq "summary exit with denials" 4 "$rc"
echo "$out" | grep -qE "@backup +[0-9]+ .*/cat .*x$" || fail "summary lacks cat's denials: $out"
rc=$(ezn-audit --summary --since "$(($(date +%s) + 3600))" >/dev/null; echo $?)
expect_eq "summary exit with no denials since" 0 "$rc"
rc=$(ezn-audit --summary --since yesterday-ish >/dev/null 2>&1; echo $?)
expect_eq "summary exit for a bad --since" 2 "$rc"
echo "acl/run/audit case passed"
