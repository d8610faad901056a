#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tampering with lower files is detected: a flipped bit in data, nonce, tag or
# header, two blocks swapped, a block copied from another file and a file cut
# mid-block each make the read fail with EIO (never garbage) and log the file
# and block; intact blocks still read; ezn-recover names every damaged block.
# lowers: ext4 xfs tmpfs
# timeout: 240
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/format/vm-lib.sh"
require_mount

size=$((5 * 4096 + 1000))	# blocks 0..4 full, block 5 holds 1000 bytes
files="clean other tdata tnonce ttag thdr tswap tcopy tcut"
new_key tp
mnt tp
for f in $files; do
	head -c "$size" /dev/urandom >"/tmp/$f.ref"
	cp "/tmp/$f.ref" "$UPPER/$f"
done
umnt
sync

flip "$LOWER/tdata" $(($(data_off 2) + 100))
flip "$LOWER/tnonce" $(($(meta_off 1) + 3))
flip "$LOWER/ttag" $(($(meta_off 3) + 12 + 5))
flip "$LOWER/thdr" 20
# Swap blocks 1 and 2 together with their metadata entries.
cp "$LOWER/tswap" /tmp/tswap.lower
copy_range /tmp/tswap.lower "$(data_off 1)" "$LOWER/tswap" "$(data_off 2)" 4096
copy_range /tmp/tswap.lower "$(data_off 2)" "$LOWER/tswap" "$(data_off 1)" 4096
copy_range /tmp/tswap.lower "$(meta_off 1)" "$LOWER/tswap" "$(meta_off 2)" 28
copy_range /tmp/tswap.lower "$(meta_off 2)" "$LOWER/tswap" "$(meta_off 1)" 28
# Block 0 of another file, with its metadata entry, at block 0 of tcopy.
copy_range "$LOWER/other" "$(data_off 0)" "$LOWER/tcopy" "$(data_off 0)" 4096
copy_range "$LOWER/other" "$(meta_off 0)" "$LOWER/tcopy" "$(meta_off 0)" 28
# Cut the last block (1000 bytes) to 500.
truncate -s $(($(data_off 5) + 500)) "$LOWER/tcut"
sync
drop_caches

dmesg -C
mnt tp
# bad FILE BLOCK: reading that block gives EIO, and the log names it.
bad() {
	expect_eq "read of $1 block $2" EIO "$(read_errno "$UPPER/$1" $(($2 * 4096)) 4096)"
	# The log is rate limited (10 lines per 5 s): after a burst of earlier
	# failures, wait for the window and read again.
	if ! dmesg | grep -F -- "$1" | grep -E "block $2([^0-9]|$)" >/dev/null; then
		sleep 6
		read_errno "$UPPER/$1" $(($2 * 4096)) 4096 >/dev/null
	fi
	expect_block_log "$1" "$2"
	cat "$UPPER/$1" >/dev/null 2>&1 && fail "reading all of $1 succeeded"
	return 0
}
good() {
	expect_eq "read of $1 block $2" OK "$(read_errno "$UPPER/$1" $(($2 * 4096)) 4096)"
	dd if="$UPPER/$1" of=/tmp/got bs=4096 skip="$2" count=1 2>/tmp/dd.err ||
		fail "dd of intact block $2 of $1: $(cat /tmp/dd.err)"
	dd if="/tmp/$1.ref" of=/tmp/want bs=4096 skip="$2" count=1 2>/dev/null
	cmp /tmp/got /tmp/want || fail "intact block $2 of $1 reads wrong: $(cat /tmp/dd.err)"
}
cmp "$UPPER/clean" /tmp/clean.ref || fail "clean file differs"
cmp "$UPPER/other" /tmp/other.ref || fail "other file differs"
bad tdata 2
good tdata 0
good tdata 4
bad tnonce 1
good tnonce 3
bad ttag 3
good ttag 2
bad tswap 1
bad tswap 2
good tswap 3
bad tcopy 0
good tcopy 1
bad tcut 5
good tcut 4
# A damaged header: the file cannot be read at all.
expect_eq "read of thdr" EIO "$(read_errno "$UPPER/thdr" 0 4096)"
dmesg | grep ezncryptfs | grep -F thdr >/dev/null || fail "no kernel log line naming thdr"
umnt

rc=0
out=$("$EZN_RECOVER" --key-file "$EZN_KEYDIR/tp" "$LOWER") || rc=$?
printf '%s\n' "$out"
expect_eq "ezn-recover exit status" 1 "$rc"
for want in "tdata: block 2:" "tnonce: block 1:" "ttag: block 3:" "thdr: header:" \
	    "tswap: block 1:" "tswap: block 2:" "tcopy: block 0:" "tcut: block 5:"; do
	printf '%s\n' "$out" | grep -F "DAMAGED $want" >/dev/null || fail "ezn-recover did not report '$want'"
done
expect_eq "damaged lines" 8 "$(printf '%s\n' "$out" | grep -c '^DAMAGED')"
drop_key tp
echo "every tamper case detected"
