#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mount options and the lower directory are validated at mount time: a
# missing or malformed option, a missing key, a missing lower directory, a
# file as the lower directory, stacking on ezncryptfs, an unusable lower
# filesystem, a non-empty lower directory without a marker and a read-only
# lower are each refused with their errno and a log line. A good mount
# creates the marker, hides it, and shows its options.
# lowers: ext4
# timeout: 120
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/fs-lib.sh"

fs_key
k=key=$EZN_FS_KEY

expect_mount_refused "no options" EINVAL "" "$LOWER" "missing key="
expect_mount_refused "unknown option" EINVAL "$k,colour=blue" "$LOWER" "Unknown parameter 'colour'"
expect_mount_refused "key without a value" EINVAL "key" "$LOWER" "key"
expect_mount_refused "empty key" EINVAL "key=" "$LOWER"
expect_mount_refused "bad category" EINVAL "$k,category=a/b" "$LOWER" "category"
# A rule names at most 31 characters of category: a longer one could never be allowed.
expect_mount_refused "category too long for a rule" EINVAL \
	"$k,category=$(printf '%032d' 0)" "$LOWER" "is not 1-31 of"
expect_mount_refused "missing lower" ENOENT "$k" "$LOWER/nonexistent" "not found"
touch "$EZN_SCRATCH/plainfile"
expect_mount_refused "lower is a file" ENOTDIR "$k" "$EZN_SCRATCH/plainfile" "not a directory"
expect_mount_refused "key not loaded" ENOKEY "key=ezncrypt:no-such-key" "$LOWER" "not found"
expect_mount_refused "proc as lower" EINVAL "$k" /proc "stacking depth"
expect_mount_refused "sysfs as lower" ENOTSUP "$k" /sys "unusable"
mkdir "$EZN_SCRATCH/full"
echo x >"$EZN_SCRATCH/full/f"
expect_mount_refused "non-empty lower without marker" ENOTEMPTY "$k" "$EZN_SCRATCH/full" "not empty"
[ ! -e "$EZN_SCRATCH/full/.ezncryptfs" ] || fail "a marker was written into a refused lower"

# A read-only lower needs -o ro (and an existing marker).
mkdir -p /mnt/ezn-ro
mount --bind "$LOWER" /mnt/ezn-ro
mount -o remount,bind,ro /mnt/ezn-ro
expect_mount_refused "read-only lower" EROFS "$k" /mnt/ezn-ro "read-only"

# A good mount: marker created in the lower root, hidden in the upper one.
fs_mount
[ -s "$LOWER/.ezncryptfs" ] || fail "no marker in the lower root"
expect_eq "upper root listing" "" "$(ls -A "$UPPER")"
expect_fail "stat of the marker" stat "$UPPER/.ezncryptfs"
expect_fail "creating the marker name" touch "$UPPER/.ezncryptfs"
grep -q " $UPPER ezncryptfs .*key=$EZN_FS_KEY,category=lower" /proc/mounts ||
	fail "options not shown in /proc/mounts: $(grep ezncryptfs /proc/mounts)"
expect_eq "statfs type" 455a4e43 "$(stat -f -c %t "$UPPER")"
# Readahead windows as large as the lower filesystem's, and at least 512 KiB
# (four runs decrypted at once); the ezncryptfs bdi is the only one mounted.
lower_ra=$(cat "/sys/class/bdi/$(mountpoint -d "$(stat -c %m "$LOWER")")/read_ahead_kb")
expect_eq "readahead window (KiB)" $((lower_ra > 512 ? lower_ra : 512)) \
	"$(cat /sys/class/bdi/ezncryptfs-*/read_ahead_kb)"
mkdir "$UPPER/sub"
echo hello >"$UPPER/sub/f"

# Stacking on ezncryptfs.
mkdir -p /mnt/ezn-upper2
UPPER=/mnt/ezn-upper2 expect_mount_refused "stacked on ezncryptfs" EINVAL "$k" "$UPPER/sub" "stacking on"
fs_umount

# Category option; remount changes flags only.
fs_mount category=backup
grep -q "category=backup" /proc/mounts || fail "category=backup not shown"
expect_eq "content" hello "$(cat "$UPPER/sub/f")"
mount -o remount,ro "$UPPER" || fail "remount read-only"
expect_fail "write after remount,ro" touch "$UPPER/new"
mount -o remount,rw "$UPPER" || fail "remount read-write"
touch "$UPPER/new" || fail "write after remount,rw"
expect_fail "remount with another key" mount -o remount,key=ezncrypt:other "$UPPER"
expect_fail "remount with another category" mount -o remount,category=other "$UPPER"
expect_eq "content after remounts" hello "$(cat "$UPPER/sub/f")"
fs_umount

# The read-only lower now has a marker: -o ro works.
mount -t ezncryptfs -o "ro,$k" /mnt/ezn-ro "$UPPER" || fail "read-only mount"
expect_eq "content on a read-only mount" hello "$(cat "$UPPER/sub/f")"
expect_fail "write on a read-only mount" touch "$UPPER/new"
fs_umount
umount /mnt/ezn-ro
echo "mount validation: all refusals and the good mounts behaved"
