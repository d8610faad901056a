#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The POSIX behaviour suite (build/bin/ezn-posix, tests/tools/ezn-posix.c) in
# an ezncryptfs mount: open flags, I/O paths, truncate, lseek, renames, links,
# special files, attributes, xattrs, readdir, locks, copy paths, mmap,
# concurrency and memory pressure, with the errno of every error case. Each
# check is also reported as a result of its own, posix:NAME@LOWER.
# lowers: ext4 xfs tmpfs
# timeout: 900
source "$EZN_TOP/tests/vm/lib.sh"

posix=$EZN_TOP/build/bin/ezn-posix
[ -x "$posix" ] || fail "$posix is missing (make build/bin/ezn-posix)"
key=ezncrypt:posix-$EZN_LOWER_FS
out=/tmp/ezn-posix.$EZN_LOWER_FS.out

head -c 32 /dev/urandom >/tmp/ezn-posix.key
keyctl padd logon "$key" @u </tmp/ezn-posix.key >/dev/null || fail "keyctl padd logon $key"
mount -t ezncryptfs -o "key=$key" "$LOWER" "$UPPER" ||
	fail "mount -t ezncryptfs -o key=$key $LOWER $UPPER: $(dmesg | grep ezncryptfs | tail -n 2 | tr "\n" " ")"
mkdir "$UPPER/posix" || fail "mkdir in the mount"

set +e
"$posix" "$UPPER/posix" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
if [ -n "${EZN_SUBRESULTS:-}" ]; then
	sed -nE 's/^(PASS|FAIL|SKIP) posix:([^ ]+).*/\1 \2/p' "$out" |
	while read -r status name; do
		echo "${status,,} posix:$name@$EZN_LOWER_FS" >>"$EZN_SUBRESULTS"
	done
fi

# every check cleaned up after itself, and the mount goes away cleanly
left=$(ls -A "$UPPER/posix")
[ -z "$left" ] || fail "ezn-posix left entries behind: $left"
rmdir "$UPPER/posix"
umount "$UPPER" || fail "umount $UPPER"
keyctl purge logon "$key" >/dev/null 2>&1 || true
[ "$rc" = 0 ] || fail "ezn-posix exited $rc: $(grep -c '^FAIL' "$out") checks failed"
echo "ezn-posix on $EZN_LOWER_FS: $(tail -n 1 "$out" | sed "s/^# ezn-posix: //")"
