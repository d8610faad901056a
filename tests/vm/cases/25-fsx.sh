#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The random-operation verifier (build/bin/ezn-fsx, tests/tools/ezn-fsx.c) on
# a file in an ezncryptfs mount, mirrored into a reference file on the guest's
# tmpfs: reads, writes across block and 146-block group boundaries, holes,
# truncates, mmap reads and writes, fsyncs, reopens, and a umount/mount (with
# the page cache dropped) every EZN_FSX_REMOUNT_EVERY ops. Afterwards the file
# must survive one more remount and a module unload/reload intact.
#   EZN_FSX_OPS           operations (default 100000)
#   EZN_FSX_REMOUNT_EVERY (default 5000)
#   EZN_FSX_SEED          reproduce a run (the seed is printed at the start)
# lowers: ext4 xfs tmpfs
# timeout: 2400
source "$EZN_TOP/tests/vm/lib.sh"

fsx=$EZN_TOP/build/bin/ezn-fsx
[ -x "$fsx" ] || fail "$fsx is missing (make build/bin/ezn-fsx)"
ops=${EZN_FSX_OPS:-100000}
every=${EZN_FSX_REMOUNT_EVERY:-5000}
export EZN_FSX_KEY=ezncrypt:fsx-$EZN_LOWER_FS
ref=/tmp/ezn-fsx.$EZN_LOWER_FS.ref

head -c 32 /dev/urandom >/tmp/ezn-fsx.key
keyctl padd logon "$EZN_FSX_KEY" @u </tmp/ezn-fsx.key >/dev/null ||
	fail "keyctl padd logon $EZN_FSX_KEY"
mount -t ezncryptfs -o "key=$EZN_FSX_KEY" "$LOWER" "$UPPER" ||
	fail "mount -t ezncryptfs -o key=$EZN_FSX_KEY $LOWER $UPPER: $(dmesg | grep ezncryptfs | tail -n 2 | tr "\n" " ")"

# run by ezn-fsx through /bin/sh with the file closed; LOWER and UPPER are in
# the environment
remount='umount "$UPPER" && sync && echo 3 >/proc/sys/vm/drop_caches &&
	 mount -t ezncryptfs -o "key=$EZN_FSX_KEY" "$LOWER" "$UPPER"'
args=(-N "$ops" -r "$ref" --remount-cmd "$remount" --remount-every "$every")
[ -z "${EZN_FSX_SEED:-}" ] || args+=(-S "$EZN_FSX_SEED")
"$fsx" "${args[@]}" "$UPPER/fsx.file" || fail "ezn-fsx found a mismatch or an I/O error (above)"

umount "$UPPER" || fail "umount"
mount -t ezncryptfs -o "key=$EZN_FSX_KEY" "$LOWER" "$UPPER" || fail "mount after the run"
cmp "$ref" "$UPPER/fsx.file" || fail "the file differs from the reference after a remount"
umount "$UPPER" || fail "umount"
unload_module
load_module
mount -t ezncryptfs -o "key=$EZN_FSX_KEY" "$LOWER" "$UPPER" || fail "mount after module reload"
cmp "$ref" "$UPPER/fsx.file" || fail "the file differs from the reference after a module reload"
umount "$UPPER" || fail "umount"
keyctl purge logon "$EZN_FSX_KEY" >/dev/null 2>&1 || true
echo "ezn-fsx on $EZN_LOWER_FS: $ops ops with a remount every $every, data intact after remount and reload"
