#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Round trips through the encrypting filesystem at every size boundary (block,
# GCM block, metadata group), sparse writes and truncates; the data survives a
# remount, and the offline tool verifies the lower tree and recovers the same
# cleartext without the module.
# lowers: ext4 xfs tmpfs
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/format/vm-lib.sh"
require_mount

ref=/tmp/ezn-ref
rm -rf "$ref" /tmp/ezn-recovered /tmp/par.bad
mkdir -p "$ref"
new_key rt
mnt rt

group=$((146 * 4096))
sizes="0 1 15 16 17 4095 4096 4097 8191 8192 $((group - 1)) $group $((group + 1))
       $((group + 4096)) $((2 * group + 100)) $((3 * 1024 * 1024 + 123))"
for s in $sizes; do
	head -c "$s" /dev/urandom >"$ref/s$s"
	cp "$ref/s$s" "$UPPER/s$s"
done

# Sparse: a write far past EOF, a hole between two blocks, a hole at the end.
python3 - "$ref" "$UPPER" <<'PY'
import os, sys
for d in sys.argv[1:]:
    with open(os.path.join(d, "sparse"), "wb") as f:
        f.write(b"head")
        f.seek(5 * 4096 + 100)
        f.write(b"middle")
        f.seek(200 * 4096 + 7)
        f.write(b"tail")
    with open(os.path.join(d, "hole-end"), "wb") as f:
        f.write(b"x" * 5000)
        f.truncate(300000)
PY

# Truncates: down to the middle of a block, to a block boundary, to zero, up.
for t in 5000 4096 100 0 70000 800000; do
	cp "$ref/s$((group + 1))" "$ref/t$t"
	cp "$ref/s$((group + 1))" "$UPPER/t$t"
	truncate -s "$t" "$ref/t$t"
	truncate -s "$t" "$UPPER/t$t"
done

# Rewrites in the middle of a block and across blocks.
cp "$ref/s8192" "$ref/rw"
cp "$ref/s8192" "$UPPER/rw"
for f in "$ref/rw" "$UPPER/rw"; do
	printf 'overwrite-across-the-block-edge' | dd of="$f" bs=1 seek=4080 conv=notrunc 2>/dev/null
done

check_same() {
	local f

	for f in "$ref"/*; do
		cmp "$f" "$UPPER/$(basename "$f")" || fail "$1: $(basename "$f") differs"
		expect_eq "$1: size of $(basename "$f")" "$(stat -c %s "$f")" \
			"$(stat -c %s "$UPPER/$(basename "$f")")"
	done
}
check_same "before remount"
umnt
drop_caches
mnt rt
check_same "after remount"
umnt

# Lower sizes follow the layout exactly. A file never written has no header
# yet: its lower file is empty (the header goes out with the first write).
for s in 0 1 4096 4097 $group $((group + 1)); do
	python3 - "$s" "$(stat -c %s "$LOWER/s$s")" <<'PY' || fail "lower size of s$s"
import sys
c, l = int(sys.argv[1]), int(sys.argv[2])
B, G = 4096, 146
if c == 0:
    want = 0
else:
    g, r = divmod(c, G * B)
    want = B + g * (G + 1) * B + (B + r if r else 0)
sys.exit(0 if l == want else 1)
PY
done

# The never-written file's first write, after a remount, gives it its header.
mnt rt
printf 'first write' | tee -a "$ref/s0" >>"$UPPER/s0"
umnt
drop_caches
mnt rt
cmp "$ref/s0" "$UPPER/s0" || fail "first write into a never-written file, after a remount"
umnt

# The offline tool verifies everything and recovers the same tree.
out=$("$EZN_RECOVER" --key-file "$EZN_KEYDIR/rt" --recover /tmp/ezn-recovered "$LOWER") ||
	fail "ezn-recover found damage in an intact tree: $out"
echo "$out" | tail -n 1
diff -r "$ref" /tmp/ezn-recovered || fail "ezn-recover output differs from the reference"
# From stdin as well.
"$EZN_RECOVER" --key-file=- "$LOWER" <"$EZN_KEYDIR/rt" >/dev/null || fail "ezn-recover --key-file=-"
# Concurrent writers and readers on one file key: four regions of one file
# written in parallel, then read back in parallel after the caches are dropped.
mnt rt
head -c $((4 * 1024 * 1024)) /dev/urandom >"$ref/par"
: >"$UPPER/par"
for i in 0 1 2 3; do
	dd if="$ref/par" of="$UPPER/par" bs=1M skip=$i seek=$i count=1 conv=notrunc 2>/dev/null &
done
wait
umnt
drop_caches
mnt rt
for i in 0 1 2 3; do
	dd if="$UPPER/par" of="/tmp/par.$i" bs=1M skip=$i count=1 2>/dev/null &
done
wait
for i in 0 1 2 3; do
	dd if="$ref/par" bs=1M skip=$i count=1 2>/dev/null | cmp -s - "/tmp/par.$i" ||
		echo "region $i" >>/tmp/par.bad
done
rm -f /tmp/par.[0-3]
[ ! -s /tmp/par.bad ] || fail "parallel readers saw wrong data: $(cat /tmp/par.bad)"
cmp "$ref/par" "$UPPER/par" || fail "parallel writes"
umnt
drop_key rt
echo "round trips ok"
