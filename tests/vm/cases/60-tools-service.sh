#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ezn service: status when down; start from a keystore in a temporary config
# directory (passfile, then the passphrase typed on a terminal, not echoed);
# every step reported; keys in the keyring as logon keys; data written through
# the mount is ciphertext below; stop unmounts and revokes the keys; a wrong
# passphrase and a corrupt configuration are clear errors that change nothing.
# timeout: 240
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"
trap tools_cleanup EXIT

unload_module
tools_setup

out=$(ezn service status) && fail "status says up with nothing running: $out"
rc=$(ezn service status >/dev/null; echo $?)
expect_eq "status exit when down" 3 "$rc"
echo "$out" | grep -q "ezncrypt is NOT running" || fail "status output: $out"

out=$(ezn-service start --passfile "$PASSFILE" 2>&1) || fail "start failed: $out"
echo "$out"
for step in "Checking dependencies ... done!" "Loading the ezncryptfs module ... done!" \
	"Retrieving keys ... done!" "Mounting @backup on $UPPER ... done!" \
	"Loading the access list ... done!" "ezncrypt is UP and running"; do
	echo "$out" | grep -qF -- "$step" || fail "start output lacks '$step'"
done
out=$(ezn-service status) || fail "status after start: $out"
echo "$out" | grep -q "ezncrypt is UP and running" || fail "status output: $out"
keyctl search @u logon ezncrypt:backup >/dev/null || fail "no logon key ezncrypt:backup"
keyctl search @u logon ezncrypt:admin >/dev/null || fail "no logon key ezncrypt:admin"
expect_fail "reading a logon key" keyctl pipe "$(keyctl search @u logon ezncrypt:backup)"

echo "the cleartext of the service test" >/tmp/ezn-tools/hello.txt
granted cp /tmp/ezn-tools/hello.txt "$UPPER/hello.txt" || fail "ezn-run cp into the mount failed"
cat "$UPPER/hello.txt" 2>/dev/null && fail "root read the cleartext without a grant"
sync
grep -rq "cleartext of the service" "$LOWER/store" && fail "plaintext in the lower store"

# start again: every step is idempotent
ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "second start failed"

out=$(ezn-service stop 2>&1) || fail "stop failed: $out"
echo "$out"
echo "$out" | grep -qF "Unmounting @backup from $UPPER ... done!" || fail "stop output: $out"
grep -q " $UPPER ezncryptfs" /proc/mounts && fail "still mounted after stop"
keyctl search @u logon ezncrypt:backup >/dev/null 2>&1 && fail "key still there after stop"
rc=$(ezn service status >/dev/null; echo $?)
expect_eq "status exit after stop" 3 "$rc"

# wrong passphrase: says so, nothing mounted, no key added
printf 'wrong horse battery staple\n' >/tmp/ezn-tools/wrong
chmod 600 /tmp/ezn-tools/wrong
out=$(ezn-service start --passfile /tmp/ezn-tools/wrong 2>&1) && fail "wrong passphrase accepted"
echo "$out" | grep -q "wrong passphrase" || fail "wrong passphrase output: $out"
rc=$(ezn-service start --passfile /tmp/ezn-tools/wrong >/dev/null 2>&1; echo $?)
expect_eq "exit status for a wrong passphrase" 5 "$rc"
grep -q " $UPPER ezncryptfs" /proc/mounts && fail "mounted with a wrong passphrase"
keyctl search @u logon ezncrypt:backup >/dev/null 2>&1 && fail "key added with a wrong passphrase"

# the passphrase typed on a terminal, never echoed
out=$(tty_run "$PASS\n" ezn-service start) || fail "start on a terminal failed: $out"
echo "$out"
echo "$out" | grep -q "passphrase:" || fail "no passphrase prompt: $out"
echo "$out" | grep -q "$PASS" && fail "the passphrase was echoed: $out"
echo "$out" | grep -q "ezncrypt is UP and running" || fail "terminal start: $out"
expect_eq "data after restart" "the cleartext of the service test" "$(granted cat "$UPPER/hello.txt")"

# a corrupt configuration names the line
ezn-service stop >/dev/null
cp "$EZN_CONFIG_DIR/ezncrypt.conf" /tmp/ezn-tools/conf.good
printf 'category backup relative/path %s\n' "$UPPER" >>"$EZN_CONFIG_DIR/ezncrypt.conf"
out=$(ezn-service start --passfile "$PASSFILE" 2>&1) && fail "corrupt config accepted"
echo "$out" | grep -q "ezncrypt.conf line 2" || fail "corrupt config message: $out"
cp /tmp/ezn-tools/conf.good "$EZN_CONFIG_DIR/ezncrypt.conf"

# the log has the story, and no secret
grep -q "Mounting @backup" "$EZN_LOG_DIR/ezncrypt.log" || fail "no log of the start"
grep -q "$PASS" "$EZN_LOG_DIR/ezncrypt.log" && fail "the passphrase is in the log"
echo "service case passed"
