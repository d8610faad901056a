# timeout: 240
# The module loads into the Debian kernel, registers its filesystem type and
# netlink family, answers over netlink, and unloads leaving nothing behind:
# no module, filesystem type, netlink family or slab cache. Repeated in a loop.
source "$EZN_TOP/tests/vm/lib.sh"
ezn=$EZN_TOP/build/bin/ezn

registered() {
	module_loaded || fail "module not loaded"
	grep -qw ezncryptfs /proc/filesystems || fail "filesystem type not registered"
	genl ctrl get name ezncryptfs >/dev/null 2>&1 || fail "netlink family not registered"
	ls /sys/kernel/slab | grep -q '^ezncryptfs_inode_cache$' || fail "inode cache missing"
}

gone() {
	! module_loaded || fail "module still loaded"
	! grep -qw ezncryptfs /proc/filesystems || fail "filesystem type left registered"
	! genl ctrl get name ezncryptfs >/dev/null 2>&1 || fail "netlink family left registered"
	! ls /sys/kernel/slab | grep -q ezncryptfs || fail "slab cache left behind"
	! grep -q ezncryptfs /proc/slabinfo || fail "slab cache left in /proc/slabinfo"
}

unload_module
load_module
registered
expect_klog 'ezncryptfs: version [0-9.]+ loaded \(on-disk format 1\)'
out=$("$ezn" version) || fail "ezn version failed while the module is loaded"
echo "$out"
echo "$out" | grep -q '^ezncryptfs module [0-9.]*, on-disk format 1, 0 mount(s)$' ||
	fail "ezn version did not report the module"
modinfo "$EZN_KO" | grep -q "^vermagic: *$(uname -r) " || fail "vermagic is not $(uname -r)"

for i in $(seq 1 25); do
	unload_module
	gone
	load_module
	registered
done
unload_module
gone
set +e
"$ezn" version
rc=$?
set -e
expect_eq "ezn version exit status with the module unloaded" 3 "$rc"
expect_klog 'ezncryptfs: unloaded'
