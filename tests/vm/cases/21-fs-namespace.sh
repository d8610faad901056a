#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Namespace operations through the mount: create, mkdir, readdir, rename
# (plain, RENAME_NOREPLACE, RENAME_EXCHANGE), link, symlink, readlink,
# unlink, rmdir, mknod (fifo, socket, devices), chmod/chown/utimes, stat
# sizes, xattrs and statfs; the lower tree mirrors the upper one by name
# with ciphertext contents, and everything survives a remount.
# lowers: ext4 xfs tmpfs
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/fs-lib.sh"

fs_key
fs_mount
cd "$UPPER"

mkdir -p a/b/c
echo "hello world" >a/b/c/file
expect_eq "read back" "hello world" "$(cat a/b/c/file)"
expect_eq "stat size" 12 "$(stat -c %s a/b/c/file)"
sync
expect_eq "lower size" $((4096 + 4096 + 12)) "$(stat -c %s "$LOWER/a/b/c/file")"
grep -q "hello world" "$LOWER/a/b/c/file" && fail "cleartext in the lower file"
[ -d "$LOWER/a/b/c" ] || fail "lower directory missing"

# readdir
touch a/x a/y a/z
expect_eq "readdir" "b x y z" "$(ls a | tr '\n' ' ' | sed 's/ $//')"
for i in $(seq 1 300); do : >"a/b/many-$i"; done
expect_eq "large readdir" 301 "$(ls a/b | wc -l)"
expect_eq "find" 301 "$(find a/b -mindepth 1 -maxdepth 1 | wc -l)"

# rename
mv a/x a/x2
[ -e a/x ] && fail "old name still there"
[ -e a/x2 ] || fail "new name missing"
echo one >r1
echo two >r2
mv r1 r2
expect_eq "rename over" one "$(cat r2)"
[ -e r1 ] && fail "r1 still there after rename"
echo three >r3
python3 - <<'PY' || fail "renameat2 checks"
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
AT = -100
def ren(a, b, flags):
    r = libc.renameat2(AT, a.encode(), AT, b.encode(), flags)
    return 0 if r == 0 else ctypes.get_errno()
assert ren("r3", "r2", 1) == errno.EEXIST, "RENAME_NOREPLACE over an existing name"
assert ren("r3", "r4", 1) == 0, "RENAME_NOREPLACE to a new name"
assert ren("r4", "r2", 2) == 0, "RENAME_EXCHANGE"
assert open("r2").read() == "three\n" and open("r4").read() == "one\n", "exchange contents"
assert ren("r2", "nonexistent", 2) == errno.ENOENT, "RENAME_EXCHANGE with a missing target"
PY
mkdir d1 d2
echo in >d1/f
mv d1 d2/
expect_eq "directory rename" in "$(cat d2/d1/f)"
expect_fail "rename into itself" mv d2 d2/d1/

# link / unlink
echo linked >l1
ln l1 l2
expect_eq "nlink" 2 "$(stat -c %h l1)"
expect_eq "same inode" "$(stat -c %i l1)" "$(stat -c %i l2)"
echo more >>l2
expect_eq "write through a link" "linked
more" "$(cat l1)"
rm l1
expect_eq "nlink after unlink" 1 "$(stat -c %h l2)"
expect_eq "content after unlink" "linked
more" "$(cat l2)"

# symlinks
ln -s a/b/c/file sl
expect_eq "readlink" a/b/c/file "$(readlink sl)"
expect_eq "follow" "hello world" "$(cat sl)"
ln -s dangling sl2
expect_fail "dangling symlink" cat sl2
expect_eq "lower symlink target" a/b/c/file "$(readlink "$LOWER/sl")"

# rmdir
mkdir emptydir
rmdir emptydir
expect_fail "rmdir non-empty" rmdir a
[ -d emptydir ] && fail "rmdir left the directory"

# mknod
mkfifo fifo
[ -p fifo ] || fail "fifo"
(echo through-fifo >fifo &)
expect_eq "fifo data" through-fifo "$(cat fifo)"
mknod cdev c 1 3
[ -c cdev ] || fail "char device"
expect_eq "char device numbers" "1:3" "$(stat -c '%t:%T' cdev)"
head -c 10 cdev | wc -c | grep -q '^0$' || fail "reading /dev/null-like node"
mknod bdev b 7 0
[ -b bdev ] || fail "block device"
python3 -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind('sock')"
[ -S sock ] || fail "socket"

# attributes
chmod 640 a/b/c/file
expect_eq "chmod" 640 "$(stat -c %a a/b/c/file)"
expect_eq "lower chmod" 640 "$(stat -c %a "$LOWER/a/b/c/file")"
chown 1234:5678 a/b/c/file
expect_eq "chown" "1234:5678" "$(stat -c %u:%g a/b/c/file)"
expect_eq "lower chown" "1234:5678" "$(stat -c %u:%g "$LOWER/a/b/c/file")"
touch -d "2001-02-03 04:05:06" a/b/c/file
expect_eq "utimes" "2001-02-03 04:05:06" "$(date -d "@$(stat -c %Y a/b/c/file)" '+%F %T')"
# write then set times before writeback: the times must stick (tar, cp -p)
echo data >timed
touch -d "2002-03-04 05:06:07" timed
sync
expect_eq "utimes after a write" "2002-03-04 05:06:07" "$(date -d "@$(stat -c %Y timed)" '+%F %T')"
# ownership of new files: the caller's
setpriv --reuid=4321 --regid=4321 --clear-groups true 2>/dev/null && {
	mkdir -m 1777 shared
	setpriv --reuid=4321 --regid=4321 --clear-groups sh -c "echo mine >shared/owned"
	expect_eq "owner of a file created by uid 4321" "4321:4321" "$(stat -c %u:%g shared/owned)"
	expect_eq "lower owner" "4321:4321" "$(stat -c %u:%g "$LOWER/shared/owned")"
	expect_fail "uid 4321 reads a 0600 root file" setpriv --reuid=4321 --regid=4321 \
		--clear-groups cat timed.ro 2>/dev/null
	echo secret >root-only
	chmod 600 root-only
	if setpriv --reuid=4321 --regid=4321 --clear-groups cat root-only 2>/dev/null; then
		fail "uid 4321 could read a 0600 root file"
	fi
	# An access ACL equal to mode 0646 (user::rw- group::r-- other::rw-):
	# only the owner may set it; the lower filesystem would ask the mounter.
	acl=0x02000000010006000000000004000400000000002000060000000000
	expect_fail "uid 4321 sets an ACL on a root file" setpriv --reuid=4321 --regid=4321 \
		--clear-groups setfattr -n system.posix_acl_access -v $acl root-only
	expect_eq "mode after another uid's ACL" 600 "$(stat -c %a root-only)"
	if setpriv --reuid=4321 --regid=4321 --clear-groups cat root-only 2>/dev/null; then
		fail "uid 4321 read a 0600 root file after setting an ACL on it"
	fi
	# The owner's ACL (user::rw- user:4321:--- group::r-- mask::r-- other::r--)
	# holds through the mount as on the lower filesystem.
	echo public >acl-file
	chmod 644 acl-file
	acl=0x02000000010006000000000002000000e1100000040004000000000010000400000000002000040000000000
	if setfattr -n system.posix_acl_access -v $acl acl-file 2>/dev/null; then
		setpriv --reuid=4322 --regid=4322 --clear-groups cat acl-file >/dev/null ||
			fail "uid 4322 cannot read a 0644 file"
		expect_fail "uid 4321 reads a file whose ACL refuses it" setpriv --reuid=4321 \
			--regid=4321 --clear-groups cat acl-file
		setfattr -x system.posix_acl_access acl-file
		setpriv --reuid=4321 --regid=4321 --clear-groups cat acl-file >/dev/null ||
			fail "uid 4321 cannot read the file once its ACL is removed"
		# The owner sets an ACL on its set-group-ID file of a group it is not
		# in: as on any filesystem the bit goes, though the lower filesystem
		# is asked with the mounter's capabilities (which would keep it).
		echo sgid >sgid-file
		chown 4321:4400 sgid-file
		chmod 2755 sgid-file
		acl=0x02000000010007000000000004000500000000002000050000000000
		setpriv --reuid=4321 --regid=4321 --clear-groups setfattr \
			-n system.posix_acl_access -v $acl sgid-file ||
			fail "the owner could not set an ACL on its own file"
		expect_eq "mode after the owner's ACL, outside the group" 755 \
			"$(stat -c %a sgid-file)"
		expect_eq "lower mode after the owner's ACL" 755 "$(stat -c %a "$LOWER/sgid-file")"
		# In the group (or as root) the bit stays.
		chmod 2755 sgid-file
		setpriv --reuid=4321 --regid=4400 --clear-groups setfattr \
			-n system.posix_acl_access -v $acl sgid-file ||
			fail "the owner could not set an ACL on its own file, in its group"
		expect_eq "mode after the owner's ACL, in the group" 2755 "$(stat -c %a sgid-file)"
	else
		[ "$EZN_LOWER_FS" = tmpfs ] || fail "POSIX ACLs on $EZN_LOWER_FS"
	fi
}

# xattrs
if setfattr -n user.test -v value a/b/c/file 2>/dev/null; then
	expect_eq "getfattr" value "$(getfattr --only-values -n user.test a/b/c/file)"
	expect_eq "lower xattr" value "$(getfattr --only-values -n user.test "$LOWER/a/b/c/file")"
	getfattr -d a/b/c/file | grep -q user.test || fail "listxattr"
	setfattr -x user.test a/b/c/file
	expect_fail "removed xattr" getfattr -n user.test a/b/c/file
else
	[ "$EZN_LOWER_FS" = tmpfs ] || fail "user xattrs on $EZN_LOWER_FS"
fi
setfattr -n trusted.t -v tv a/b/c/file
expect_eq "trusted xattr" tv "$(getfattr --only-values -n trusted.t a/b/c/file)"

# statfs
df "$UPPER" >/dev/null || fail "df"
expect_eq "statfs blocks" "$(stat -f -c %b "$LOWER")" "$(stat -f -c %b "$UPPER")"

# everything survives a remount
cd /
fs_remount
cd "$UPPER"
expect_eq "after remount" "hello world" "$(cat a/b/c/file)"
expect_eq "perm after remount" 640 "$(stat -c %a a/b/c/file)"
expect_eq "link after remount" "linked
more" "$(cat l2)"
expect_eq "symlink after remount" a/b/c/file "$(readlink sl)"
expect_eq "exchange after remount" three "$(cat r2)"
[ -p fifo ] && [ -c cdev ] && [ -b bdev ] && [ -S sock ] || fail "special files after remount"
expect_eq "times after remount" "2002-03-04 05:06:07" "$(date -d "@$(stat -c %Y timed)" '+%F %T')"
expect_eq "readdir after remount" 301 "$(ls a/b | wc -l)"

rm -rf "$UPPER"/*
expect_eq "empty after rm -rf" "" "$(ls -A "$UPPER")"
expect_eq "lower holds only the marker" ".ezncryptfs" "$(ls -A "$LOWER")"
cd /
fs_umount
echo "namespace operations on $EZN_LOWER_FS: ok"
