#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module reads the checked-in format sample (tests/format/sample, written
# by an earlier build) back to exactly its expected cleartext: the kernel's
# reader cannot drift from FORMAT.md any more than ezn-recover can.
# lowers: ext4 tmpfs
# timeout: 120
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/format/vm-lib.sh"
require_mount

cp -a "$EZN_TOP/tests/format/sample/." "$LOWER/"
load_key sample "$EZN_TOP/tests/format/sample.key"
mnt sample
diff -r "$EZN_TOP/tests/format/expected" "$UPPER" || fail "the sample does not read back as expected"
expect_eq "size of group-crossing.bin" 601016 "$(stat -c %s "$UPPER/group-crossing.bin")"
umnt
drop_key sample
echo "sample decoded by the module"
