#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Keys at mount: a wrong key, a missing key, a malformed key, a lower directory
# of a newer format and a damaged marker are each refused at mount time with
# their errno and a log line; the logon key cannot be read back from
# userspace; ezn-recover refuses a wrong key too.
# lowers: ext4
# timeout: 120
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/format/vm-lib.sh"
require_mount

new_key good
new_key bad
new_key short 16
new_key long 64
drop_key missing

mnt good
echo data >"$UPPER/f"
umnt
[ -s "$LOWER/.ezncryptfs" ] || fail "no mount marker in the lower root"
expect_eq "marker size" 64 "$(stat -c %s "$LOWER/.ezncryptfs")"

# refused KEY ERRNO WHAT: mount fails with ERRNO and the kernel says why.
refused() {
	local got

	dmesg -C
	got=$(mount_errno "$1")
	if [ "$got" = OK ]; then
		umount "$UPPER"
		fail "$3: mount succeeded"
	fi
	expect_eq "$3: errno" "$2" "$got"
	[ -n "$(dmesg | grep ezncryptfs)" ] || fail "$3: nothing in the kernel log"
	echo "$3: $got, log: $(dmesg | grep ezncryptfs | tail -n 1)"
}
refused bad EKEYREJECTED "wrong key"
refused missing ENOKEY "missing key"
refused short EKEYREJECTED "16-byte key"
refused long EKEYREJECTED "64-byte key"

# A newer format version in the marker.
cp "$LOWER/.ezncryptfs" /tmp/marker
printf '\002' | dd of="$LOWER/.ezncryptfs" bs=1 seek=8 conv=notrunc 2>/dev/null
refused good EPROTONOSUPPORT "newer format"
# A damaged authenticator.
cp /tmp/marker "$LOWER/.ezncryptfs"
flip "$LOWER/.ezncryptfs" 40
refused good EUCLEAN "damaged marker"
cp /tmp/marker "$LOWER/.ezncryptfs"
mnt good
expect_eq "content after the refused mounts" data "$(cat "$UPPER/f")"
umnt

# The logon key cannot be read back.
id=$(keyctl search @u logon ezncrypt:good)
for op in read print pipe; do
	if out=$(keyctl "$op" "$id" 2>&1); then
		fail "keyctl $op returned the key: $out"
	fi
	echo "keyctl $op: $out"
done

# ezn-recover: the wrong key is refused (exit 2), the right one passes.
rc=0
"$EZN_RECOVER" --key-file "$EZN_KEYDIR/bad" "$LOWER" || rc=$?
expect_eq "ezn-recover with the wrong key" 2 "$rc"
"$EZN_RECOVER" --key-file "$EZN_KEYDIR/good" "$LOWER" || fail "ezn-recover with the right key"
for k in good bad short long; do drop_key "$k"; done
