# SPDX-License-Identifier: GPL-2.0
# Helpers for the filesystem VM cases (tests/vm/cases/2*-fs-*.sh), sourced
# after tests/vm/lib.sh: a logon master key in the user keyring (where the
# mount looks it up) and mount/umount of $LOWER on $UPPER.

EZN_FS_KEY=ezncrypt:fs-${EZN_LOWER_FS:-test}

# fs_key [NAME]: load a fresh random 32-byte logon key (default $EZN_FS_KEY).
fs_key() {
	local name=${1:-$EZN_FS_KEY} id

	id=$(keyctl search @u logon "$name" 2>/dev/null) && keyctl unlink "$id" @u >/dev/null
	head -c 32 /dev/urandom >"/tmp/key.$name"
	keyctl padd logon "$name" @u <"/tmp/key.$name" >/dev/null || fail "keyctl padd logon $name"
}

# fs_mount [OPTIONS [LOWERDIR]]: mount with key=$EZN_FS_KEY plus OPTIONS.
fs_mount() {
	local opts="key=$EZN_FS_KEY${1:+,$1}"

	mount -t ezncryptfs -o "$opts" "${2:-$LOWER}" "$UPPER" ||
		fail "mount -o $opts ${2:-$LOWER}: $(dmesg | grep ezncryptfs | tail -n 3)"
}

fs_umount() {
	umount "$UPPER" || fail "umount $UPPER"
}

# fs_remount: umount, drop every cache, mount again.
fs_remount() {
	fs_umount
	sync
	echo 3 >/proc/sys/vm/drop_caches
	fs_mount "$@"
}

# mount_errno OPTIONS SOURCE: try mount(2); print OK or the errno name.
fs_mount_errno() {
	python3 - "$1" "$2" "$UPPER" <<'PY'
import ctypes, errno, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.mount(sys.argv[2].encode(), sys.argv[3].encode(), b"ezncryptfs", 0, sys.argv[1].encode())
print("OK" if r == 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())))
PY
}

# expect_mount_refused WHAT ERRNO OPTIONS SOURCE [LOGREGEX]
expect_mount_refused() {
	local got

	dmesg -C
	got=$(fs_mount_errno "$3" "$4")
	if [ "$got" = OK ]; then
		umount "$UPPER"
		fail "$1: mount succeeded"
	fi
	expect_eq "$1: errno" "$2" "$got"
	[ -z "${5:-}" ] || expect_klog "$5"
	echo "$1: refused with $got: $(dmesg | grep ezncryptfs | tail -n 1)"
}
