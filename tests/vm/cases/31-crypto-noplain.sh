#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No plaintext on disk: known strings and a known file written through the
# mount are absent from every lower file, and the same data written twice (to
# two files, or twice to one block) gives different ciphertext.
# lowers: ext4 xfs tmpfs
# timeout: 200
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/format/vm-lib.sh"
require_mount

new_key np
mnt np
secret="EZN-SECRET-$(date +%s)-canary"
{
	for i in $(seq 1 3000); do echo "$secret line $i"; done
} >"$UPPER/strings.txt"
cp /etc/services "$UPPER/services"
# A file of one repeated byte: ECB-like leaks would show as repeated blocks.
head -c $((64 * 4096)) /dev/zero | tr '\0' 'A' >"$UPPER/aaaa"
printf 'short secret %s\n' "$secret" >"$UPPER/short"
mkdir "$UPPER/dir"
cp "$UPPER/strings.txt" "$UPPER/dir/copy.txt"
umnt
sync

grep -rqaF "$secret" "$LOWER" && fail "the secret string is in a lower file"
grep -rqaF "AAAAAAAAAAAAAAAA" "$LOWER" && fail "a run of the repeated byte is in a lower file"
# Lines of the known file, 32 at a time, must not appear.
python3 - "$LOWER" /etc/services <<'PY' || fail "a chunk of /etc/services is in a lower file"
import os, sys
lower, known = sys.argv[1], open(sys.argv[2], "rb").read()
chunks = [known[i:i + 32] for i in range(0, len(known) - 32, 512)]
for root, _, files in os.walk(lower):
    for name in files:
        data = open(os.path.join(root, name), "rb").read()
        for c in chunks:
            if c in data:
                print("found", c, "in", name)
                sys.exit(1)
PY
# No two 4 KiB data blocks of the repeated-byte file are equal.
dups=$(python3 - "$LOWER/aaaa" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
blocks = [d[i:i + 4096] for i in range(8192, len(d), 4096)]
print(len(blocks) - len(set(blocks)))
PY
)
expect_eq "equal ciphertext blocks in aaaa" 0 "$dups"

# The same data in two files: different headers, keys and ciphertext.
cmp -s "$LOWER/strings.txt" "$LOWER/dir/copy.txt" && fail "two copies have the same ciphertext"
cmp -s <(tail -c +8193 "$LOWER/strings.txt") <(tail -c +8193 "$LOWER/dir/copy.txt") &&
	fail "two copies have the same data blocks"

# The same data written again to the same block: a fresh nonce, new ciphertext.
before=$(dd if="$LOWER/short" bs=4096 skip=2 2>/dev/null | md5sum)
mnt np
printf 'short secret %s\n' "$secret" >"$UPPER/short"
sync
umnt
after=$(dd if="$LOWER/short" bs=4096 skip=2 2>/dev/null | md5sum)
[ "$before" != "$after" ] || fail "rewriting the same data gave the same ciphertext"
mnt np
grep -qF "$secret" "$UPPER/short" || fail "rewritten file does not read back"
umnt
"$EZN_RECOVER" --key-file "$EZN_KEYDIR/np" "$LOWER" >/dev/null || fail "ezn-recover"
drop_key np
echo "no plaintext found; ciphertext fresh on every write"
