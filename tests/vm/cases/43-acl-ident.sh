#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who is asking: a modified binary is denied with type="fingerprint" until its
# rule is re-added; an executable set with prctl(PR_SET_MM) is nobody; a ptraced process is denied with type="ptrace"; a script
# under --shell is allowed only when the kernel saw it executed (not another
# script, not `bash script`, not a rewritten argv); --children, each child
# pinned by its fingerprint too; grants for a process tree end with the
# process.
# timeout: 240
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/acl-lib.sh"

[ -x "$ACLTEST" ] || skip "ezn-acltest not built"
BASH_EXE=$(readlink -f /bin/bash)
unload_module
load_module
acl_mount ident
echo "secret data" >"$UPPER/f"
head -c 32 /dev/urandom >"$ACL_KEY"
acl_load_key "$ACL_KEY"
acl_ok bind

# Fingerprints.
install -m 755 /usr/bin/cat /usr/local/bin/ezn-cat
acl_ok add "ALLOW @ident * /usr/local/bin/ezn-cat"
expect_eq "pinned binary" "secret data" "$(/usr/local/bin/ezn-cat "$UPPER/f")"
printf '\0' >>/usr/local/bin/ezn-cat
dmesg -C
expect_fail "modified binary" /usr/local/bin/ezn-cat "$UPPER/f"
expect_denied_log fingerprint /usr/local/bin/ezn-cat f
acl_ok delete "ALLOW @ident * /usr/local/bin/ezn-cat"
acl_ok add "ALLOW @ident * /usr/local/bin/ezn-cat"
expect_eq "re-approved binary" "secret data" "$(/usr/local/bin/ezn-cat "$UPPER/f")"

# An executable named with prctl(PR_SET_MM) instead of run by execve() is
# nobody: the forger's /proc/self/exe names the allowed binary, and it is
# still refused (exit status 13, EACCES).
forge=$EZN_TOP/build/bin/ezn-exeforge
[ -x "$forge" ] || fail "ezn-exeforge not built (make build/bin/ezn-exeforge)"
out=$("$forge" /usr/local/bin/ezn-cat "$UPPER/f" || echo "exit $?")
expect_eq "forged executable" "/usr/local/bin/ezn-cat
exit 13" "$out"

# A decision is for the program the task runs: a task that read the file as
# an allowed program and then execs another one is that other program now.
acl_ok add "ALLOW @ident * $BASH_EXE"
out=$(bash -c "read -r line < '$UPPER/f' && echo \"\$line\" && exec /usr/bin/cat '$UPPER/f'" 2>&1) || true
case "$out" in
"secret data"*"Permission denied"*) ;;
*) fail "a task that exec'd cat after an allowed read: expected the read, then a denial: '$out'" ;;
esac
acl_ok delete "ALLOW @ident * $BASH_EXE"

# A running script rewritten in place is decided again within seconds: the
# decisions it had cached do not outlive the change.
cat >/usr/local/bin/ezn-loop.sh <<S
#!$BASH_EXE
while [ ! -e /tmp/ezn-loop.stop ]; do
	if read -r line < "\$1"; then echo "ok \$line"; else echo denied; fi
	sleep 0.2
done
S
chmod 755 /usr/local/bin/ezn-loop.sh
rm -f /tmp/ezn-loop.stop
acl_ok add "ALLOW @ident * /usr/local/bin/ezn-loop.sh --shell=$BASH_EXE"
/usr/local/bin/ezn-loop.sh "$UPPER/f" >/tmp/ezn-loop.out 2>/dev/null &
loop_pid=$!
wait_for 20 "the script under its rule read the file" grep -qx "ok secret data" /tmp/ezn-loop.out
dmesg -C
echo "# changed" >>/usr/local/bin/ezn-loop.sh
wait_for 10 "the running script, rewritten in place, was not denied" grep -qx denied /tmp/ezn-loop.out
sleep 1
touch /tmp/ezn-loop.stop
wait "$loop_pid"
if sed -n '/^denied$/,$p' /tmp/ezn-loop.out | grep -x "ok secret data" >/dev/null; then
	fail "the rewritten script read the file again after its first denial"
fi
expect_denied_log fingerprint "$BASH_EXE" f
acl_ok delete "ALLOW @ident * /usr/local/bin/ezn-loop.sh --shell=$BASH_EXE"

# ptrace.
dmesg -C
if strace -f -o /dev/null /usr/local/bin/ezn-cat "$UPPER/f" >/dev/null 2>&1; then
	fail "a ptraced process read the file"
fi
expect_denied_log ptrace /usr/local/bin/ezn-cat f

# --shell: the script as the kernel executed it.
cat >/usr/local/bin/restore.sh <<S
#!$BASH_EXE
set -e
read -r line < "\$1"
echo "\$line"
S
cp /usr/local/bin/restore.sh /usr/local/bin/other.sh
chmod 755 /usr/local/bin/restore.sh /usr/local/bin/other.sh
acl_ok add "ALLOW @ident * /usr/local/bin/restore.sh --shell=$BASH_EXE --children=/usr/bin/cat"
expect_eq "script under its rule" "secret data" "$(/usr/local/bin/restore.sh "$UPPER/f")"
dmesg -C
expect_fail "another script" /usr/local/bin/other.sh "$UPPER/f"
dmesg | grep -E "DENIED type=\"acl\" exec=\"$BASH_EXE\" script=\"/usr/local/bin/other.sh\"" >/dev/null ||
	fail "the denial does not name the script"
expect_fail "bash script (not executed as a script)" bash /usr/local/bin/restore.sh "$UPPER/f"
expect_fail "rewritten argv" bash -c "exec -a /usr/local/bin/restore.sh $BASH_EXE -c 'read -r l < \"\$0\"' '$UPPER/f'"
# --children: cat run by the script is allowed, cat run by other.sh is not.
cat >/usr/local/bin/restore2.sh <<S
#!$BASH_EXE
set -e
/usr/bin/cat "\$1"
S
cp /usr/local/bin/restore2.sh /usr/local/bin/other2.sh
chmod 755 /usr/local/bin/restore2.sh /usr/local/bin/other2.sh
acl_ok add "ALLOW @ident * /usr/local/bin/restore2.sh --shell=$BASH_EXE --children=/usr/bin/cat"
expect_eq "listed child of the script" "secret data" "$(/usr/local/bin/restore2.sh "$UPPER/f")"
expect_fail "child of another script" /usr/local/bin/other2.sh "$UPPER/f"
# The --children executables are pinned too, each link of the chain: the
# child that opens the file, and the child between it and the script.
install -m 755 /usr/bin/cat /usr/local/bin/child-cat
install -m 755 "$BASH_EXE" /usr/local/bin/child-sh
cat >/usr/local/bin/restore3.sh <<S
#!$BASH_EXE
set -e
/usr/local/bin/child-sh -c '/usr/local/bin/child-cat "\$1"; exit \$?' child-sh "\$1"
S
chmod 755 /usr/local/bin/restore3.sh
acl_ok add "ALLOW @ident * /usr/local/bin/restore3.sh --shell=$BASH_EXE --children=/usr/local/bin/child-sh,/usr/local/bin/child-cat"
expect_eq "pinned children" "secret data" "$(/usr/local/bin/restore3.sh "$UPPER/f")"
printf '\0' >>/usr/local/bin/child-cat
dmesg -C
expect_fail "modified child" /usr/local/bin/restore3.sh "$UPPER/f"
expect_denied_log fingerprint /usr/local/bin/child-cat f
install -m 755 /usr/bin/cat /usr/local/bin/child-cat
expect_eq "child with its pinned content again" "secret data" \
	"$(/usr/local/bin/restore3.sh "$UPPER/f")"
printf '\0' >>/usr/local/bin/child-sh
dmesg -C
expect_fail "modified child between" /usr/local/bin/restore3.sh "$UPPER/f"
expect_denied_log fingerprint /usr/local/bin/child-cat f
# The script modified: fingerprint.
echo "# changed" >>/usr/local/bin/restore.sh
dmesg -C
expect_fail "modified script" /usr/local/bin/restore.sh "$UPPER/f"
expect_denied_log fingerprint "$BASH_EXE" f

# Grants: the process tree of the grantee, until it exits.
expect_fail "cat without a grant" cat "$UPPER/f"
out=$(acl run 30 ident -- bash -c "cat '$UPPER/f'; bash -c 'cat $UPPER/f'")
expect_eq "granted tree" "secret data
secret data" "$out"
rm -f /tmp/late
acl run 30 - -- bash -c "setsid bash -c 'sleep 2; cat $UPPER/f >/tmp/late 2>&1' </dev/null >/dev/null 2>&1 & exit 0" >/dev/null
late_done() { [ -s /tmp/late ]; }
wait_for 60 "the orphan's late cat never ran" late_done
grep -q "Permission denied" /tmp/late || fail "a grant outlived its process: $(cat /tmp/late)"
out=$(acl run 30 other -- cat "$UPPER/f" 2>&1 || true)
case "$out" in *"Permission denied"*) ;; *) fail "grant for another category worked: $out" ;; esac
no_grants() { acl_ok status | grep "grants=0" >/dev/null; }
wait_for 30 "grants left over" no_grants

# What the module holds of the files an execve() ran must not keep their
# filesystem busy: a binary holds nothing; a script's files are let go of
# within seconds of its exit (the sweep runs every 5 s).
pin=/tmp/pinfs
mkdir -p $pin
mount -t tmpfs tmpfs $pin
cp /usr/bin/true $pin/bin
$pin/bin
umount $pin || fail "running a binary kept its filesystem busy"
mount -t tmpfs tmpfs $pin
printf '#!/usr/bin/bash\nexit 0\n' >$pin/script.sh
chmod 755 $pin/script.sh
$pin/script.sh
umount_pin() { umount $pin 2>/dev/null; }
wait_for 20 "a script that ran kept its filesystem busy" umount_pin
mount -t tmpfs tmpfs $pin
printf '#!/nonexistent/interpreter\n' >$pin/broken.sh
chmod 755 $pin/broken.sh
expect_fail "a script with a missing interpreter" $pin/broken.sh
wait_for 20 "a script whose execve() failed kept its filesystem busy" umount_pin

acl_umount
unload_module
