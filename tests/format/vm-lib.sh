# SPDX-License-Identifier: GPL-2.0
# Helpers for the crypto VM cases (tests/vm/cases/3*-crypto-*.sh), sourced
# after tests/vm/lib.sh. Offsets follow FORMAT.md / kmod/ezn_format.h.

EZN_RECOVER=$EZN_TOP/build/bin/ezn-recover
EZN_BS=4096
EZN_PER_GROUP=146
EZN_KEYDIR=${EZN_KEYDIR:-/tmp/ezn-crypto-keys}

# new_key NAME [BYTES]: make a random key file $EZN_KEYDIR/NAME and load it
# as the logon key ezncrypt:NAME in the user keyring (mount finds it there).
new_key() {
	local name=$1 bytes=${2:-32}

	mkdir -p "$EZN_KEYDIR"
	chmod 700 "$EZN_KEYDIR"
	(umask 077 && head -c "$bytes" /dev/urandom >"$EZN_KEYDIR/$name")
	load_key "$name" "$EZN_KEYDIR/$name"
}

# load_key NAME FILE: (re)load FILE as ezncrypt:NAME.
load_key() {
	drop_key "$1"
	keyctl padd logon "ezncrypt:$1" @u <"$2" >/dev/null || fail "keyctl padd ezncrypt:$1"
}

drop_key() {
	local id

	id=$(keyctl search @u logon "ezncrypt:$1" 2>/dev/null) || return 0
	keyctl unlink "$id" @u >/dev/null 2>&1 || true
}

# mnt KEYNAME [LOWER]: mount LOWER (default $LOWER) on $UPPER.
mnt() {
	mount -t ezncryptfs -o "key=ezncrypt:$1" "${2:-$LOWER}" "$UPPER" ||
		fail "mount with key ezncrypt:$1 failed: $(dmesg | tail -n 3)"
}

umnt() {
	umount "$UPPER" || fail "umount $UPPER"
}

# mount_errno KEYNAME [LOWER]: try mount(2) and print the errno name (OK on success).
mount_errno() {
	python3 - "$1" "${2:-$LOWER}" "$UPPER" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.mount(sys.argv[2].encode(), sys.argv[3].encode(), b"ezncryptfs", 0,
               ("key=ezncrypt:" + sys.argv[1]).encode())
print("OK" if r == 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno())))
PY
}

# Lower offsets of data block I and of its metadata entry.
data_off() {
	echo $((EZN_BS + ($1 / EZN_PER_GROUP) * (EZN_PER_GROUP + 1) * EZN_BS +
		(1 + $1 % EZN_PER_GROUP) * EZN_BS))
}

meta_off() {
	echo $((EZN_BS + ($1 / EZN_PER_GROUP) * (EZN_PER_GROUP + 1) * EZN_BS +
		($1 % EZN_PER_GROUP) * 28))
}

# flip FILE OFFSET: invert one bit of the byte at OFFSET.
flip() {
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0x04]))
PY
}

# copy_range SRC SOFF DST DOFF LEN: overwrite DST[DOFF..] with SRC[SOFF..].
copy_range() {
	python3 - "$@" <<'PY'
import sys
src, soff, dst, doff, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
with open(src, "rb") as f:
    f.seek(soff)
    data = f.read(n)
with open(dst, "r+b") as f:
    f.seek(doff)
    f.write(data)
PY
}

# Drop every cache so the next read comes from the lower file.
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# read_errno FILE OFFSET LEN: read LEN bytes at OFFSET; print OK or the errno name.
read_errno() {
	python3 - "$@" <<'PY'
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_RDONLY)
    try:
        os.pread(fd, int(sys.argv[3]), int(sys.argv[2]))
    finally:
        os.close(fd)
    print("OK")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}

# expect_block_log NAME INDEX: the kernel logged a line naming file NAME and block INDEX.
expect_block_log() {
	dmesg | grep -E "ezncryptfs" | grep -F -- "$1" | grep -E "block $2([^0-9]|$)" >/dev/null ||
		fail "no kernel log line naming '$1' and block $2 (log: $(dmesg | grep ezncryptfs | tail -n 3))"
}

# Skip while the module cannot mount at all (the filesystem not built yet).
require_mount() {
	local probe=$EZN_SCRATCH/ezn-probe got

	mkdir -p "$probe"
	new_key probe
	got=$(mount_errno probe "$probe")
	if [ "$got" = OK ]; then
		umount "$UPPER"
	elif dmesg | tail -n 5 | grep "not implemented" >/dev/null; then
		skip "this build of the module cannot mount yet"
	fi
	rm -rf "$probe"
	drop_key probe
}
