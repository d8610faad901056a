#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The seed scenario: with only a stand-in mysqldump allowed, root's cat, ls,
# `echo x > file` (sh) and a bash redirect are denied and each logged in the
# seed's shape; the stand-in reads and writes; the same binary copied
# elsewhere is denied; a descriptor opened by the allowed program and passed
# over SCM_RIGHTS, or inherited across exec, gives a denied program nothing;
# counters and the audit event follow.
# timeout: 240
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/acl-lib.sh"

[ -x "$ACLTEST" ] || skip "ezn-acltest not built"
PY=/usr/bin/python3.11
unload_module
load_module
acl_mount backup
echo "the data" >"$UPPER/existing"
mkdir "$UPPER/dir"

# Engage: bind the admin key, allow only the stand-in.
head -c 32 /dev/urandom >"$ACL_KEY"
acl_load_key "$ACL_KEY"
acl_ok bind
install -m 755 /usr/bin/cp /usr/local/bin/mysqldump
# The VM's root outlives the case: later cases must find the real mysqldump.
trap 'rm -f /usr/local/bin/mysqldump' EXIT
acl_ok add "ALLOW @backup * /usr/local/bin/mysqldump"

dmesg -C
expect_fail "cat" cat "$UPPER/existing"
expect_denied_log acl /usr/bin/cat existing
expect_fail "ls" ls "$UPPER"
expect_denied_log acl /usr/bin/ls '\.'
expect_fail "sh echo >" sh -c "echo x > '$UPPER/new'"
expect_denied_log acl "$(readlink -f /bin/sh)" new
expect_fail "bash redirect" bash -c "read -r l < '$UPPER/existing'"
expect_denied_log acl /usr/bin/bash existing
[ ! -e "$LOWER/new" ] || fail "the denied redirect created a file"
dmesg | grep DENIED

# The stand-in writes (its --result-file) and reads back.
/usr/local/bin/mysqldump /etc/os-release "$UPPER/dump.sql" || fail "mysqldump write"
/usr/local/bin/mysqldump "$UPPER/dump.sql" /tmp/dump.back || fail "mysqldump read"
cmp /etc/os-release /tmp/dump.back || fail "round trip"
/usr/local/bin/mysqldump "$UPPER/existing" /tmp/existing.back || fail "mysqldump reads old file"
expect_eq "old content" "the data" "$(cat /tmp/existing.back)"
# The same binary elsewhere is another program.
install -m 755 /usr/bin/cp /usr/local/sbin/mysqldump
expect_fail "copied binary" /usr/local/sbin/mysqldump "$UPPER/dump.sql" /tmp/x
expect_denied_log acl /usr/local/sbin/mysqldump dump.sql

# SCM_RIGHTS: the allowed side opens, a denied python reads the passed fd.
# The opener: a copy of python allowed for this one test.
install -m 755 $PY /usr/local/bin/ezn-opener
acl_ok add "ALLOW @backup * /usr/local/bin/ezn-opener"
export PYTHONHOME=/usr
# The child gets its end of the socket as fd 9.
cat >/tmp/opener.py <<'P'
import array, os, socket, subprocess, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
fd = os.open(sys.argv[1], os.O_RDONLY)
assert os.read(fd, 3) == b"the"
os.dup2(b.fileno(), 9)
child = subprocess.Popen([sys.argv[2], "/tmp/receiver.py"], pass_fds=[9])
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
sys.exit(child.wait())
P
cat >/tmp/receiver.py <<'P'
import array, mmap, os, socket
s = socket.socket(fileno=9)
msg, anc, flags, addr = s.recvmsg(1, socket.CMSG_LEN(4))
fd = array.array("i", anc[0][2])[0]
out = []
for name, op in (("read", lambda: os.pread(fd, 10, 0)),
                 ("mmap", lambda: mmap.mmap(fd, 4, prot=mmap.PROT_READ)[:4])):
    try:
        op()
        out.append(name + "=OK")
    except PermissionError:
        out.append(name + "=EACCES")
print(" ".join(out))
P
out=$(/usr/local/bin/ezn-opener /tmp/opener.py "$UPPER/existing" $PY)
expect_eq "denied receiver of a passed fd" "read=EACCES mmap=EACCES" "$out"
out=$(/usr/local/bin/ezn-opener /tmp/opener.py "$UPPER/existing" /usr/local/bin/ezn-opener)
expect_eq "allowed receiver of a passed fd" "read=OK mmap=OK" "$out"
# Inherited across exec: the allowed program opens, then becomes cat.
out=$(/usr/local/bin/ezn-opener -c "
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.dup2(fd, 0)
os.execv('/usr/bin/cat', ['cat'])" "$UPPER/existing" 2>&1 || true)
case "$out" in *"Permission denied"*) ;; *) fail "inherited fd read by cat: '$out'" ;; esac

# A policy change reaches open files at once: delete the rule, the open fd dies.
out=$(/usr/local/bin/ezn-opener -c "
import os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.pread(fd, 3, 0)
subprocess.run([sys.argv[2], '-k', sys.argv[3], 'delete',
                'ALLOW @backup * /usr/local/bin/ezn-opener'], check=True,
               stdout=subprocess.DEVNULL)
try:
    os.pread(fd, 3, 0); print('STILL')
except PermissionError:
    print('REVOKED')" "$UPPER/existing" "$ACLTEST" "$ACL_KEY")
expect_eq "open file after the rule went" REVOKED "$out"

# Counters and the audit event.
acl_ok status | tee /tmp/status
grep -qE "category=backup allowed=[1-9][0-9]* denied=[1-9]" /tmp/status || fail "counters"
acl audit 1 5000 >/tmp/events &
listener=$!
sleep 1
cat "$UPPER/existing" 2>/dev/null || true
wait "$listener" || true
cat /tmp/events
grep -qE "^EVENT type=acl op=(open|lookup) category=backup exec=/usr/bin/cat script= comm=cat path=existing pid=[0-9]+ uid=0 allowed=0" /tmp/events ||
	fail "no audit event for the denied cat"

# Permissive: allowed and logged.
acl_ok mode permissive
dmesg -C
expect_eq "permissive cat" "the data" "$(cat "$UPPER/existing")"
dmesg | grep -E 'DENIED type="acl" exec="/usr/bin/cat" .* mode="permissive"' >/dev/null ||
	fail "permissive access not logged"
# Admin: root is let through (and logged), other users are not.
acl_ok mode admin
dmesg -C
expect_eq "admin mode, root" "the data" "$(cat "$UPPER/existing")"
dmesg | grep -E 'DENIED type="acl" exec="/usr/bin/cat" .* uid=0 mode="admin"' >/dev/null ||
	fail "admin-mode access not logged"
expect_fail "admin mode, uid 65534" setpriv --reuid=65534 --regid=65534 --clear-groups \
	cat "$UPPER/existing"
acl_ok mode enforcing
expect_fail "cat after enforcing again" cat "$UPPER/existing"

acl_umount
unload_module
