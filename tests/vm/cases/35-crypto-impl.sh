#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module times the gcm(aes) implementations at load and seals with the
# fastest (kmod/gcm_impl.c), or with the one the gcm_driver parameter names.
# The choice never shows on disk: files written under one implementation
# read back under the other, a tampered block fails under both, and the
# offline tool reads both. A gcm_driver that names no gcm(aes)
# implementation fails the load with a message naming it.
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/format/vm-lib.sh"
require_mount

param=/sys/module/ezncryptfs/parameters/gcm_driver
ref=/tmp/ezn-impl-ref
rm -rf "$ref"
mkdir -p "$ref"

# The default load measured the candidates and says which it uses.
unload_module
dmesg -C
load_module
expect_klog 'ezncryptfs: gcm\(aes\): .* [0-9]+ MiB/s, in use'
picked=$(cat "$param")
[ -n "$picked" ] || fail "gcm_driver reads back empty after a default load"
dmesg | grep -F "ezncryptfs: gcm(aes): $picked " | grep -F ", in use" >/dev/null ||
	fail "the driver in use ($picked) is not the one the log says"
echo "picked at load: $picked"

# reload DRIVER: load the module sealing with DRIVER (a driver name or gcm(aes)).
reload() {
	unload_module
	insmod "$EZN_KO" "gcm_driver=$1" || fail "insmod gcm_driver=$1"
}

# The kernel's own choice, and the generic construction with the table-driven
# GHASH over the kernel's ctr(aes), whatever was picked.
reload 'gcm(aes)'
api=$(cat "$param")
ctr=$(awk '/^name/ { n = $3 } /^driver/ && n == "ctr(aes)" { d = $3 }
	   /^priority/ && n == "ctr(aes)" && $3 > best { best = $3; drv = d } END { print drv }' \
	   /proc/crypto)
[ -n "$ctr" ] || fail "no ctr(aes) in /proc/crypto"
table="gcm_base($ctr,ghash-generic)"
dmesg | grep -F "ezncryptfs: gcm(aes): $api, set by gcm_driver" >/dev/null ||
	fail "no kernel log line saying gcm_driver set $api"
[ "$api" != "$table" ] || skip "the kernel's gcm(aes) is $table already: nothing to compare"
echo "crypto API: $api; generic: $table"

# Write under each, then read everything under each.
new_key impl
for drv in "$api" "$table"; do
	reload "$drv"
	expect_eq "gcm_driver after loading $drv" "$drv" "$(cat "$param")"
	mnt impl
	tag=$(echo "$drv" | tr -c 'a-z0-9\n' '_')
	for s in 1 4096 5000 $((146 * 4096 + 17)); do
		head -c "$s" /dev/urandom >"$ref/$tag-$s"
		cp "$ref/$tag-$s" "$UPPER/$tag-$s"
	done
	umnt
done
bad=$(echo "$table" | tr -c 'a-z0-9\n' '_')-5000
flip "$LOWER/$bad" $(($(data_off 1) + 7))
for drv in "$table" "$api"; do
	reload "$drv"
	drop_caches
	mnt impl
	for f in "$ref"/*; do
		name=${f##*/}
		if [ "$name" = "$bad" ]; then
			expect_eq "read of tampered $name under $drv" EIO \
				"$(read_errno "$UPPER/$name" 4096 4096)"
			expect_eq "intact block 0 of $name under $drv" OK \
				"$(read_errno "$UPPER/$name" 0 4096)"
			continue
		fi
		cmp "$f" "$UPPER/$name" || fail "$name differs when read under $drv"
	done
	umnt
done
expect_block_log "$bad" 1
# The offline tool (no kernel crypto) reads both, and names the tampered block alone.
rc=0
out=$("$EZN_RECOVER" --key-file "$EZN_KEYDIR/impl" "$LOWER" 2>&1) || rc=$?
printf '%s\n' "$out"
expect_eq "ezn-recover exit status" 1 "$rc"
printf '%s\n' "$out" | grep -F "DAMAGED $bad: block 1:" >/dev/null ||
	fail "ezn-recover did not report block 1 of $bad"
expect_eq "damaged lines" 1 "$(printf '%s\n' "$out" | grep -c '^DAMAGED')"

# A name that is no AEAD, an AEAD that is not gcm(aes): the load fails, named.
for drv in 'cbc(aes)' 'rfc4106(gcm(aes))' 'no-such-driver'; do
	unload_module
	dmesg -C
	expect_fail "insmod gcm_driver=$drv" insmod "$EZN_KO" "gcm_driver=$drv"
	! module_loaded || fail "the module loaded with gcm_driver=$drv"
	dmesg | grep -F "ezncryptfs: gcm_driver=$drv" >/dev/null ||
		fail "no kernel log line naming gcm_driver=$drv: $(dmesg | tail -n 3)"
done
load_module
drop_key impl
