#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test: ezn-recover decodes the checked-in sample lower tree (written by
# the real module, see README) with the test key and recovers exactly the
# expected cleartext; damaged copies of the sample are reported block by block.
# Prints PASS/FAIL lines; exits non-zero when anything failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
tool=${EZN_RECOVER:-$top/build/bin/ezn-recover}
sample=$here/sample
key=$here/sample.key
expected=$here/expected
failed=0

pass() { echo "PASS format:$1"; }
fail() { echo "FAIL format:$1${2:+ ($2)}"; failed=1; }

if [ ! -x "$tool" ]; then
	fail recover-built "no $tool (make tools)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The sample verifies and recovers byte for byte, from a key file and stdin.
if out=$("$tool" --key-file "$key" --recover "$tmp/out" "$sample" 2>&1); then
	pass sample-verifies
else
	fail sample-verifies "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
fi
if diff -r "$expected" "$tmp/out" >/dev/null 2>&1; then
	pass sample-recovers-expected
else
	fail sample-recovers-expected "$(diff -rq "$expected" "$tmp/out" 2>&1 | head -n 3 | tr '\n' ' ')"
fi
if "$tool" --key-file=- "$sample" <"$key" >/dev/null 2>&1; then
	pass key-from-stdin
else
	fail key-from-stdin
fi

# 2. A wrong key is refused (exit 2), as is a malformed key file.
head -c 32 /dev/zero >"$tmp/zero.key"
rc=0
"$tool" --key-file "$tmp/zero.key" "$sample" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && pass wrong-key-refused || fail wrong-key-refused "exit $rc"
head -c 31 "$key" >"$tmp/short.key"
rc=0
"$tool" --key-file "$tmp/short.key" "$sample" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && pass short-key-refused || fail short-key-refused "exit $rc"
rc=0
"$tool" "$sample" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && pass key-required || fail key-required "exit $rc"

# 3. Damaged copies: each damage is named with its block.
# Offsets: FORMAT.md; data block i (< 146) at 4096 * (2 + i), its metadata
# entry at 4096 + 28 * i.
flip() {
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x20]))
PY
}
# damage NAME EXPECTED_LINE COMMANDS...: apply COMMANDS to a fresh copy ($c),
# then ezn-recover must exit 1 and print EXPECTED_LINE.
damage() {
	local name=$1 want=$2 rc=0 out

	shift 2
	rm -rf "$tmp/c"
	cp -a "$sample" "$tmp/c"
	c=$tmp/c
	eval "$@"
	out=$("$tool" --key-file "$key" "$tmp/c" 2>&1) || rc=$?
	if [ "$rc" = 1 ] && printf '%s\n' "$out" | grep -F -- "$want" >/dev/null; then
		pass "$name"
	else
		fail "$name" "exit $rc, wanted '$want', got: $(printf '%s' "$out" | head -n 2 | tr '\n' ' ')"
	fi
}
big=group-crossing.bin
other=exact-4096.bin
damage data-bit-flip "DAMAGED $big: block 1: authentication failed" \
	'flip "$c/$big" $((4096 * 3 + 77))'
damage tag-bit-flip "DAMAGED $big: block 2: authentication failed" \
	'flip "$c/$big" $((4096 + 28 * 2 + 12))'
damage nonce-bit-flip "DAMAGED $big: block 0: authentication failed" \
	'flip "$c/$big" $((4096 + 5))'
damage header-bit-flip "DAMAGED $big: header: header authentication failed" \
	'flip "$c/$big" 20'
damage header-newer "DAMAGED $big: header: header has a newer format version" \
	'printf "\002" | dd of="$c/$big" bs=1 seek=8 conv=notrunc 2>/dev/null'
damage swap-blocks "DAMAGED $big: block 0: authentication failed" \
	'dd if="$sample/$big" of="$c/$big" bs=4096 skip=2 seek=3 count=1 conv=notrunc 2>/dev/null;
	 dd if="$sample/$big" of="$c/$big" bs=4096 skip=3 seek=2 count=1 conv=notrunc 2>/dev/null;
	 dd if="$sample/$big" of="$c/$big" bs=1 skip=4096 seek=$((4096 + 28)) count=28 \
		conv=notrunc 2>/dev/null;
	 dd if="$sample/$big" of="$c/$big" bs=1 skip=$((4096 + 28)) seek=4096 count=28 \
		conv=notrunc 2>/dev/null'
damage block-from-other-file "DAMAGED $big: block 0: authentication failed" \
	'dd if="$sample/$other" of="$c/$big" bs=4096 skip=2 seek=2 count=1 conv=notrunc 2>/dev/null;
	 dd if="$sample/$other" of="$c/$big" bs=1 skip=4096 seek=4096 count=28 conv=notrunc 2>/dev/null'
damage cut-mid-block "authentication failed (last block" \
	'truncate -s $(($(stat -c %s "$c/$big") - 100)) "$c/$big"'
damage cut-in-metadata "lower size" \
	'truncate -s 6000 "$c/$big"'
damage hole-over-data "metadata entry zeroed (hole) over non-zero data" \
	'dd if=/dev/zero of="$c/$big" bs=1 seek=4096 count=28 conv=notrunc 2>/dev/null'
damage marker-damaged "DAMAGED .ezncryptfs: marker authenticator does not match" \
	'flip "$c/.ezncryptfs" 50'
damage short-header "DAMAGED $big: header: lower file is 100 bytes" \
	'truncate -s 100 "$c/$big"'
# A 0-byte lower file (no header written yet) is an empty file, not damage.
rm -rf "$tmp/c" "$tmp/o" && cp -a "$sample" "$tmp/c"
: >"$tmp/c/no-header-yet"
if "$tool" --key-file "$key" --recover "$tmp/o" "$tmp/c" >/dev/null 2>&1 &&
   [ -f "$tmp/o/no-header-yet" ] && [ ! -s "$tmp/o/no-header-yet" ]; then
	pass zero-byte-lower-is-empty
else
	fail zero-byte-lower-is-empty
fi
rc=0
rm -rf "$tmp/c" && cp -a "$sample" "$tmp/c"
printf '\002' | dd of="$tmp/c/.ezncryptfs" bs=1 seek=8 conv=notrunc 2>/dev/null
"$tool" --key-file "$key" "$tmp/c" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && pass marker-newer-refused || fail marker-newer-refused "exit $rc"

# 4. --recover never overwrites: a non-empty output directory is refused.
rc=0
"$tool" --key-file "$key" --recover "$tmp/out" "$sample" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && pass recover-refuses-nonempty || fail recover-refuses-nonempty "exit $rc"
exit "$failed"
