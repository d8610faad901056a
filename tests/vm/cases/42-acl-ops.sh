#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every operation, allowed and denied: lookup, open, readdir, create, mkdir,
# mknod, symlink, readlink, link, unlink, rmdir, rename, setattr (chmod,
# truncate), xattrs (get, set, list, remove), read, write, mmap, splice.
# Then DENY beats ALLOW, and globs.
# timeout: 240
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/acl-lib.sh"

[ -x "$ACLTEST" ] || skip "ezn-acltest not built"
PY=/usr/bin/python3.11
export PYTHONHOME=/usr
unload_module
load_module
acl_mount ops
head -c 32 /dev/urandom >"$ACL_KEY"
acl_load_key "$ACL_KEY"
acl_ok bind
install -m 755 $PY /usr/local/bin/ezn-ok
install -m 755 $PY /usr/local/bin/ezn-no
acl_ok add "ALLOW @ops * /usr/local/bin/ezn-ok"

# ops.py ROOT PREFIX: each operation on ROOT/PREFIX*, one "name=OK|errno" per line.
cat >/tmp/ops.py <<'P'
import errno, mmap, os, sys
root, p = sys.argv[1], sys.argv[2]
f = os.path.join(root, p)
def run(name, fn):
    try:
        fn()
        print(name + "=OK")
    except OSError as e:
        print(name + "=" + errno.errorcode[e.errno])
def w():
    fd = os.open(f + "file", os.O_WRONLY)
    os.write(fd, b"hello world\n")
    os.close(fd)
def r():
    fd = os.open(f + "file", os.O_RDONLY)
    os.read(fd, 5)
    os.close(fd)
def mm():
    fd = os.open(f + "file", os.O_RDWR)
    m = mmap.mmap(fd, 5)
    m[0:1] = b"H"
    m.close()
    os.close(fd)
def splice():
    src = os.open(f + "file", os.O_RDONLY)
    dst = os.open("/dev/null", os.O_WRONLY)
    os.sendfile(dst, src, 0, 5)
    os.close(src)
    os.close(dst)
run("create", lambda: os.close(os.open(f + "new", os.O_CREAT | os.O_WRONLY, 0o644)))
run("lookup", lambda: os.stat(f + "file"))
run("open", lambda: os.close(os.open(f + "file", os.O_RDONLY)))
run("write", w)
run("read", r)
run("mmap", mm)
run("splice", splice)
run("readdir", lambda: os.listdir(f + "dir"))
run("mkdir", lambda: os.mkdir(f + "newdir"))
run("mknod", lambda: os.mkfifo(f + "fifo"))
run("symlink", lambda: os.symlink("file", f + "sym"))
run("readlink", lambda: os.readlink(f + "oldsym"))
run("link", lambda: os.link(f + "file", f + "hard"))
run("rename", lambda: os.rename(f + "victim", f + "renamed"))
run("unlink", lambda: os.unlink(f + "gone"))
run("rmdir", lambda: os.rmdir(f + "emptydir"))
run("chmod", lambda: os.chmod(f + "file", 0o600))
run("truncate", lambda: os.truncate(f + "file", 3))
run("setxattr", lambda: os.setxattr(f + "file", "user.k", b"v"))
run("getxattr", lambda: os.getxattr(f + "xfile", "user.k"))
run("listxattr", lambda: os.listxattr(f + "xfile"))
run("removexattr", lambda: os.removexattr(f + "xfile", "user.k"))
P

# prepare PREFIX: the objects ops.py needs (made by the allowed program).
prepare() {
	/usr/local/bin/ezn-ok - "$UPPER/$1" <<'P' || fail "prepare $1"
import os, sys
f = sys.argv[1]
d = os.path.dirname(f)
if d:
    os.makedirs(d, exist_ok=True)
for n in ("file", "victim", "gone", "xfile"):
    with open(f + n, "w") as fh:
        fh.write("content\n")
os.makedirs(f + "dir", exist_ok=True)
os.makedirs(f + "emptydir", exist_ok=True)
os.symlink("file", f + "oldsym")
os.setxattr(f + "xfile", "user.k", b"v")
P
}

prepare a-
/usr/local/bin/ezn-ok /tmp/ops.py "$UPPER" a- >/tmp/allowed
cat /tmp/allowed
if grep -v "=OK$" /tmp/allowed; then
	fail "the allowed program was refused an operation"
fi
prepare b-
dmesg -C
/usr/local/bin/ezn-no /tmp/ops.py "$UPPER" b- >/tmp/denied
cat /tmp/denied
# Lookups of names never looked up before fail at lookup; every other
# operation on an existing name must still be refused.
if grep -vE "=(EACCES|EPERM)$" /tmp/denied; then
	fail "the denied program got through"
fi
dmesg | grep -c 'DENIED type="acl" exec="/usr/local/bin/ezn-no"' || fail "no DENIED lines"
# Names the allowed program has in the dcache: ops on them are still checked.
/usr/local/bin/ezn-ok -c "import os,sys; os.stat(sys.argv[1])" "$UPPER/b-file"
out=$(/usr/local/bin/ezn-no -c "
import os, sys
try:
    open(sys.argv[1]).read(); print('READ')
except PermissionError:
    print('EACCES')" "$UPPER/b-file")
expect_eq "cached dentry, denied program" EACCES "$out"
# A loop device reads in a kernel thread, for whoever attached it: the allowed
# program hands its descriptor over (as root could take one with
# pidfd_getfd()), and reading the device must not give the cleartext.
if modprobe loop 2>/dev/null && [ -e /dev/loop-control ]; then
	sleep 5	# the denials above used up the log's rate limit (20 per 5 s)
	dmesg -C
	loopdev=$(/usr/local/bin/ezn-ok -c "
import fcntl, os, stat, sys
f = sys.argv[1]
with open(f, 'wb') as fh:
    fh.write(b'LOOPSECRET' * 819 + b'..')
ctl = os.open('/dev/loop-control', os.O_RDWR)
n = fcntl.ioctl(ctl, 0x4C82)  # LOOP_CTL_GET_FREE
dev = '/dev/loop%d' % n
if not os.path.exists(dev):
    os.mknod(dev, 0o600 | stat.S_IFBLK, os.makedev(7, n))
fd = os.open(f, os.O_RDONLY)
lo = os.open(dev, os.O_RDONLY)
fcntl.ioctl(lo, 0x4C00, fd)  # LOOP_SET_FD
print(dev)" "$UPPER/loopfile")
	losetup -l "$loopdev" | grep -q loopfile || fail "the loop device is not attached to the file"
	got=$(dd if="$loopdev" bs=4096 count=2 iflag=direct 2>/tmp/loop-err | grep -c LOOPSECRET || true)
	losetup -d "$loopdev"
	expect_eq "cleartext through a loop device" 0 "$got"
	grep -q "Input/output error" /tmp/loop-err || fail "reading the loop device: $(cat /tmp/loop-err)"
	expect_klog 'DENIED type="acl" exec="\?".*path="loopfile"'
	expect_eq "the allowed program still reads it" 1 \
		"$(/usr/local/bin/ezn-ok -c "import sys; print(open(sys.argv[1]).read().count('LOOPSECRET') // 819)" "$UPPER/loopfile")"
fi

# DENY beats ALLOW; globs.
/usr/local/bin/ezn-ok -c "
import os, sys
r = sys.argv[1]
for d in ('secret', 'pub', 'logs/x', 'logs/y/z'):
    os.makedirs(os.path.join(r, d), exist_ok=True)
for n in ('secret/s', 'pub/p', 'logs/x/a.log', 'logs/x/a.txt', 'logs/y/z/b.log', 'top.log'):
    open(os.path.join(r, n), 'w').write('data')" "$UPPER"
cat >/tmp/policy <<P
ALLOW @ops * /usr/local/bin/ezn-ok
DENY @ops secret /usr/local/bin/ezn-ok
ALLOW @ops **/*.log /usr/local/bin/ezn-no
ALLOW @ops pub/? /usr/local/bin/ezn-no
DENY @ops logs/y /usr/local/bin/ezn-no
P
acl_ok replace /tmp/policy
# can PROG FILE: prints OK or EACCES for reading FILE.
can() {
	"$1" -c "
import sys
try:
    open(sys.argv[1]).read(); print('OK')
except PermissionError:
    print('EACCES')" "$UPPER/$2"
}
expect_eq "DENY beats ALLOW" EACCES "$(can /usr/local/bin/ezn-ok secret/s)"
expect_eq "ALLOW elsewhere" OK "$(can /usr/local/bin/ezn-ok pub/p)"
expect_eq "glob **/*.log" OK "$(can /usr/local/bin/ezn-no logs/x/a.log)"
expect_eq "glob **/*.log at the top" OK "$(can /usr/local/bin/ezn-no top.log)"
expect_eq "glob does not match .txt" EACCES "$(can /usr/local/bin/ezn-no logs/x/a.txt)"
expect_eq "glob ?" OK "$(can /usr/local/bin/ezn-no pub/p)"
expect_eq "DENY subtree beats glob" EACCES "$(can /usr/local/bin/ezn-no logs/y/z/b.log)"

# A rename's window: the program allowed pub/? opens pub/w while a rename of
# it to the top is between its lower rename and the dentry's move (held
# there by the debug_rename_hold_ms knob). Once moved, the same process must
# be refused the file by its new name, not served the decision it got for
# the old one.
/usr/local/bin/ezn-ok -c "import sys; open(sys.argv[1], 'w').write('data')" "$UPPER/pub/w"
rm -f /tmp/renaming /tmp/renamed /tmp/window
hold=/sys/module/ezncryptfs/parameters/debug_rename_hold_ms
echo 4000 >$hold
/usr/local/bin/ezn-no -c "
import os, sys, time
while not os.path.exists('/tmp/renaming'):
    time.sleep(0.02)
time.sleep(1)
moved = os.path.exists(sys.argv[2] + '/top-w') and not os.path.exists(sys.argv[2] + '/pub/w')
open(sys.argv[1] + '/pub/w').read()
inside = moved and not os.path.exists('/tmp/renamed')
open('/tmp/window', 'w').write('open' if inside else 'missed')
while not os.path.exists('/tmp/renamed'):
    time.sleep(0.02)
try:
    open(sys.argv[1] + '/top-w').read(); print('OK')
except PermissionError:
    print('EACCES')" "$UPPER" "$LOWER" >/tmp/after-rename &
reader=$!
renamed=0
/usr/local/bin/ezn-ok -c "
import os, sys
open('/tmp/renaming', 'w').close()
os.rename(sys.argv[1] + '/pub/w', sys.argv[1] + '/top-w')
open('/tmp/renamed', 'w').close()" "$UPPER" || renamed=$?
echo 0 >$hold
if [ $renamed != 0 ]; then
	touch /tmp/renamed
	wait $reader
	fail "the rename held in its window failed"
fi
wait $reader || fail "the reader inside the rename window failed"
expect_eq "the read inside the rename window" open "$(cat /tmp/window)"
expect_eq "the same process, the renamed file by its new name" EACCES "$(cat /tmp/after-rename)"
expect_eq "a new process, the renamed file" EACCES "$(can /usr/local/bin/ezn-no top-w)"

# Decisions stored under a directory (everything below it allowed by one
# rule) serve that directory's names only: not a sibling directory a DENY
# reaches into, not another directory, and not after a rename.
/usr/local/bin/ezn-ok -c "
import os, sys
r = sys.argv[1]
for d in ('open/sub/deeper', 'other', 'closed'):
    os.makedirs(os.path.join(r, d), exist_ok=True)
for n in ('open/a', 'open/sub/a', 'open/sub/secret', 'other/x', 'other/y', 'closed/c'):
    open(os.path.join(r, n), 'w').write('data')
for i in range(1, 6):
    open(os.path.join(r, 'open/sub/deeper/c%d' % i), 'w').write('data')" "$UPPER"
cat >/tmp/policy <<P
ALLOW @ops * /usr/local/bin/ezn-ok
ALLOW @ops open /usr/local/bin/ezn-no
DENY @ops open/sub/secret /usr/local/bin/ezn-no
ALLOW @ops other/x /usr/local/bin/ezn-no
P
acl_ok replace /tmp/policy
# The reader decides inside a held rename of open/sub/deeper/c3 to closed/c3
# as well: a sibling decided in the window stores its directory's entry in the
# rename's generation, and c3, served by it under its old name, must not keep
# that decision once it has moved.
rm -f /tmp/below-go /tmp/below-renaming /tmp/below-renamed /tmp/below-window /tmp/below-checked \
	/tmp/below-moved
/usr/local/bin/ezn-no -c "
import os, sys, time
r, low = sys.argv[1], sys.argv[2]
def can(n):
    try:
        open(os.path.join(r, n)).read()
        return n + '=OK'
    except PermissionError:
        return n + '=EACCES'
def wait(f):
    while not os.path.exists(f):
        time.sleep(0.02)
out = [can(n) for n in ('open/sub/deeper/c1', 'open/sub/deeper/c2', 'open/a', 'open/sub/a',
                        'open/sub/secret', 'other/x', 'other/y', 'closed/c')]
open('/tmp/below-go', 'w').close()
wait('/tmp/below-renaming')
time.sleep(1)
moved = os.path.exists(low + '/closed/c3') and not os.path.exists(low + '/open/sub/deeper/c3')
out += [can(n) for n in ('open/sub/deeper/c2', 'open/sub/deeper/c3')]
inside = moved and not os.path.exists('/tmp/below-renamed')
open('/tmp/below-window', 'w').write('open' if inside else 'missed')
wait('/tmp/below-renamed')
out.append(can('closed/c3'))
open('/tmp/below-checked', 'w').close()
wait('/tmp/below-moved')
out += [can(n) for n in ('closed/deeper/c4', 'open/sub/deeper/c5')]
print(' '.join(out))" "$UPPER" "$LOWER" >/tmp/below &
reader=$!
for i in $(seq 200); do [ -e /tmp/below-go ] && break; sleep 0.05; done
echo 4000 >$hold
renamed=0
/usr/local/bin/ezn-ok -c "
import os, sys
r = sys.argv[1]
open('/tmp/below-renaming', 'w').close()
os.rename(r + '/open/sub/deeper/c3', r + '/closed/c3')
open('/tmp/below-renamed', 'w').close()" "$UPPER" || renamed=$?
echo 0 >$hold
[ $renamed = 0 ] || touch /tmp/below-renamed
# The next renames bump the generation: only once the reader has checked.
for i in $(seq 200); do [ -e /tmp/below-checked ] && break; sleep 0.05; done
/usr/local/bin/ezn-ok -c "
import os, sys
r = sys.argv[1]
os.rename(r + '/open/sub/deeper', r + '/closed/deeper')
os.makedirs(r + '/open/sub/deeper')
os.rename(r + '/closed/deeper/c5', r + '/open/sub/deeper/c5')" "$UPPER"
touch /tmp/below-moved
wait $reader || fail "the reader of the below decisions failed"
[ $renamed = 0 ] || fail "the rename held in its window failed"
expect_eq "the reads inside the held rename" open "$(cat /tmp/below-window)"
expect_eq "names under a directory one rule allows whole" \
	"open/sub/deeper/c1=OK open/sub/deeper/c2=OK open/a=OK open/sub/a=OK open/sub/secret=EACCES other/x=OK other/y=EACCES closed/c=EACCES open/sub/deeper/c2=OK open/sub/deeper/c3=OK closed/c3=EACCES closed/deeper/c4=EACCES open/sub/deeper/c5=OK" \
	"$(cat /tmp/below)"
acl_umount
unload_module
