#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A deleted small file's lower file is released in the background (its
# blocks and inode freed by a work item, kmod/release.c); what a user can
# see of that waits for it. With the work held still (the test module's
# debug_release_hold), a delete leaves the lower inodes in use, yet: statfs
# through ezncryptfs shows them free, a create (O_TMPFILE too), link,
# rename, write or truncate that finds the lower filesystem full gets the
# room the deletions gave back, and the lower filesystem unmounts right
# after ours.
# Without the hold, a mass delete leaves nothing behind once synced.
# lowers: ext4 tmpfs
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/fs-lib.sh"

hold=/sys/module/ezncryptfs/parameters/debug_release_hold
[ -w "$hold" ] || fail "$hold missing: not the test build of the module"
trap 'echo 0 >$hold' EXIT

free_inodes() { stat -f -c %d "$1"; }

fs_key
fs_mount

# --- statfs waits for the releases
before=$(free_inodes "$UPPER")
mkdir "$UPPER/d"
for i in $(seq 1 40); do head -c 4096 /dev/urandom >"$UPPER/d/f$i"; done
sync
[ "$(free_inodes "$LOWER")" -le $((before - 41)) ] || fail "40 files took no lower inodes"
echo 1 >$hold
rm -r "$UPPER/d"
# The lower filesystem's own statfs does not wait: the releases are pending.
pending=$(free_inodes "$LOWER")
[ "$pending" -le $((before - 40)) ] ||
	fail "the deleted files' lower inodes were freed at once ($pending free, $before before)"
expect_eq "free inodes through ezncryptfs after the delete" "$before" "$(free_inodes "$UPPER")"
expect_eq "free lower inodes once statfs waited" "$before" "$(free_inodes "$LOWER")"
echo 0 >$hold

# A filesystem of our own, small enough to fill.
small=/mnt/ezn-scratch-release
mkdir -p "$small"
small_mount() {
	mount -t tmpfs -o "$1" release "$small" || fail "mount tmpfs -o $1"
	mkdir "$small/lower"
	fs_mount "" "$small/lower"
}
small_umount() {
	fs_umount
	umount "$small" || fail "the lower filesystem is busy after the umount of ezncryptfs"
}

# fill_and_delete PREFIX: fill the small filesystem's inodes with files,
# then delete them with the release work held; $n says how many.
fill_and_delete() {
	n=0
	while touch "$UPPER/$1$n" 2>/dev/null; do n=$((n + 1)); done
	[ "$n" -ge 20 ] || fail "only $n files fit in the small filesystem"
	echo 1 >$hold
	rm "$UPPER/$1"*
	[ "$(free_inodes "$small")" -lt "$n" ] || fail "no lower inode of the delete was pending"
}
# write_and_delete: 2.5 MiB in 40 files written and synced, then deleted
# with the release work held.
write_and_delete() {
	mkdir "$UPPER/d"
	for i in $(seq 1 40); do head -c 65536 /dev/urandom >"$UPPER/d/f$i"; done
	sync
	echo 1 >$hold
	rm -r "$UPPER/d"
}
py() { /usr/bin/python3 -c "$@"; }

# --- a create that finds no free inode gets the ones the delete gave back
small_mount size=16m,nr_inodes=64
fill_and_delete i
for i in $(seq 1 "$n"); do
	touch "$UPPER/j$i" || fail "create $i of $n after deleting $n files: $(dmesg | tail -n 2)"
done
echo 0 >$hold
rm "$UPPER"/j*

# --- so does an O_TMPFILE open
fill_and_delete t
py 'import os, sys; os.open(sys.argv[1], os.O_TMPFILE | os.O_RDWR, 0o600)' "$UPPER" ||
	fail "O_TMPFILE after deleting $n files"
echo 0 >$hold

# --- and a link (tmpfs counts a file's links as inodes)
touch "$UPPER/orig"
fill_and_delete l
for i in $(seq 1 "$n"); do
	ln "$UPPER/orig" "$UPPER/k$i" || fail "link $i of $n after deleting $n files"
done
echo 0 >$hold
rm "$UPPER"/k*

# --- and a rename that leaves a whiteout (an inode) behind
fill_and_delete w
# renameat2(AT_FDCWD, orig, AT_FDCWD, moved, RENAME_WHITEOUT)
py 'import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 4):
	sys.exit("renameat2: " + os.strerror(ctypes.get_errno()))' "$UPPER/orig" "$UPPER/moved" ||
	fail "rename with a whiteout after deleting $n files"
[ -f "$UPPER/moved" ] && [ -c "$UPPER/orig" ] || fail "no file and whiteout after the rename"
echo 0 >$hold
rm "$UPPER/moved" "$UPPER/orig"

# --- and the lower filesystem is not busy right after the umount
fill_and_delete u
small_umount
echo 0 >$hold

# --- writeback that finds the lower filesystem full gets the room back
small_mount size=4m
write_and_delete
head -c $((2560 * 1024)) /dev/urandom >"$EZN_SCRATCH/big"
dd if="$EZN_SCRATCH/big" of="$UPPER/big" bs=64k conv=fsync status=none ||
	fail "writing 2.5 MiB after deleting 2.5 MiB: $(dmesg | grep ezncryptfs | tail -n 2)"
echo 0 >$hold
fs_remount "" "$small/lower"
cmp "$EZN_SCRATCH/big" "$UPPER/big" || fail "the file written into the freed room reads back wrong"
small_umount

# --- and a truncate that gives a new, empty file its header
small_mount size=4m
touch "$UPPER/t"
write_and_delete
# What the pending releases do not hold goes to a file on the tmpfs itself.
dd if=/dev/zero of="$small/filler" bs=4k status=none 2>/dev/null || true
expect_eq "free blocks of the filled lower filesystem" 0 "$(stat -f -c %a "$small")"
truncate -s 1M "$UPPER/t" || fail "truncate of a new file after deleting 2.5 MiB"
echo 0 >$hold
rm "$small/filler"
fs_remount "" "$small/lower"
expect_eq "size after the truncate" 1048576 "$(stat -c %s "$UPPER/t")"
cmp -n 1048576 /dev/zero "$UPPER/t" || fail "the truncated file does not read back as zeroes"
small_umount

# --- without the hold: a mass delete, then sync, leaves nothing behind
fs_umount
fs_mount
before=$(free_inodes "$LOWER")
mkdir "$UPPER/m"
for i in $(seq 1 300); do echo "$i" >"$UPPER/m/f$i"; done
sync
rm -r "$UPPER/m"
sync
expect_eq "free lower inodes after the mass delete and sync" "$before" "$(free_inodes "$LOWER")"
expect_eq "lower directory after the mass delete" "" \
	"$(ls -A "$LOWER" | grep -v '^\.ezncryptfs$' || true)"
fs_umount
echo "release: statfs, create, link, rename, writeback, truncate and umount wait for the deleted files' release"
