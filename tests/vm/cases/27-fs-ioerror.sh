#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A lower filesystem that fails to write a file's blocks: xfs on a
# device-mapper device whose table turns the sectors of two lower files into
# an "error" target (xfs stays up on data write errors). A short file's
# last block and metadata entry go through the lower page cache, so the
# error comes from the lower writeback:
#  - fsync through each of two opens of the file reports EIO, not only the
#    first (the lower file is shared by both), and only once each;
#  - syncfs of the mount reports them too, and EIO for a file that was
#    never fsynced;
#  - a file outside the failing sectors still syncs, and reads back.
# lowers: tmpfs
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/fs-lib.sh"

command -v dmsetup >/dev/null || skip "no dmsetup"
modprobe dm-mod 2>/dev/null || skip "no device-mapper module"
command -v mkfs.xfs >/dev/null || skip "no mkfs.xfs"

dev=ezn-ioerr
# No udev in the VM: libdevmapper makes the /dev/mapper nodes itself.
export DM_DISABLE_UDEV=1
dir=/mnt/ezn-scratch-ioerr
cleanup() {
	umount "$UPPER" 2>/dev/null || true
	umount "$dir" 2>/dev/null || true
	dmsetup remove "$dev" 2>/dev/null || true
	modprobe -r brd 2>/dev/null || true
}
trap cleanup EXIT

modprobe brd rd_nr=1 rd_size=$((320 * 1024)) max_part=0 || fail "modprobe brd"
sectors=$(blockdev --getsz /dev/ram0)
dmsetup create "$dev" --table "0 $sectors linear /dev/ram0 0" || fail "dmsetup create"
mkfs.xfs -q -f "/dev/mapper/$dev" || fail "mkfs.xfs"
mkdir -p "$dir"
mount "/dev/mapper/$dev" "$dir" || fail "mount xfs"
mkdir "$dir/lower"
fs_key
fs_mount "" "$dir/lower"

head -c 100 /dev/urandom >"$UPPER/shared"
head -c 100 /dev/urandom >"$UPPER/unsynced"
head -c 100 /dev/urandom >"$UPPER/healthy"
cp "$UPPER/healthy" /tmp/ioerr-healthy
sync

# The sectors of the two lower files, in 512-byte units, sorted by start.
ranges=$(for f in shared unsynced; do
	xfs_io -r -c fiemap "$dir/lower/$f" | awk '$3 ~ /^[0-9]+\.\.[0-9]+$/ {
		split($3, r, "\\.\\."); print r[1], r[2] - r[1] + 1 }'
done | sort -n)
[ -n "$ranges" ] || fail "no extents found for the lower files"
table=$(awk -v total="$sectors" 'BEGIN { pos = 0 } {
		if ($1 > pos) print pos, $1 - pos, "linear /dev/ram0", pos
		print $1, $2, "error"
		pos = $1 + $2
	}
	END { if (pos < total) print pos, total - pos, "linear /dev/ram0", pos }' <<<"$ranges")
echo "device table: $(tr '\n' ';' <<<"$table")"
printf '%s\n' "$table" | dmsetup load "$dev" || fail "dmsetup load"
dmsetup suspend "$dev" && dmsetup resume "$dev" || fail "dmsetup resume"

dmesg -C
out=$(python3 - "$UPPER" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
up = sys.argv[1]

def res(f, *a):
    try:
        f(*a)
        return "OK"
    except OSError as e:
        return errno.errorcode[e.errno]

def syncfs(fd):
    if libc.syncfs(fd):
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))

# Opened before the errors: each must hear of them.
fd1 = os.open(up + "/shared", os.O_RDWR)
fd2 = os.open(up + "/shared", os.O_RDWR)
fdu = os.open(up + "/unsynced", os.O_RDWR)
fdh = os.open(up + "/healthy", os.O_RDWR)
os.pwrite(fd1, b"y" * 50, 0)
print("fsync-1", res(os.fsync, fd1))
print("fsync-2", res(os.fsync, fd2))
print("fsync-2-again", res(os.fsync, fd2))
print("fsync-healthy", res(os.fsync, fdh))
# Opened after the errors above: its first syncfs hears of them, once.
root = os.open(up, os.O_RDONLY)
print("syncfs-shared", res(syncfs, root))
os.pwrite(fdu, b"z" * 50, 0)
print("syncfs", res(syncfs, root))
print("syncfs-again", res(syncfs, root))
PY
) || fail "the I/O error script failed: $out"
printf '%s\n' "$out"
get() { sed -n "s/^$1 //p" <<<"$out"; }
expect_eq "fsync through the open that wrote" EIO "$(get fsync-1)"
expect_eq "fsync through the other open of the file" EIO "$(get fsync-2)"
expect_eq "a second fsync through that open" OK "$(get fsync-2-again)"
expect_eq "fsync of a file outside the failing sectors" OK "$(get fsync-healthy)"
expect_eq "syncfs after the fsync errors" EIO "$(get syncfs-shared)"
expect_eq "syncfs after a lower writeback error of a file not fsynced" EIO "$(get syncfs)"
expect_eq "a second syncfs" OK "$(get syncfs-again)"
if dmesg | grep -E "XFS.*([Ss]hut ?down|Corruption)" >/dev/null; then
	dmesg | grep XFS | tail -n 5
	fail "xfs shut down: the errors did not stay in the files' data"
fi
cmp /tmp/ioerr-healthy "$UPPER/healthy" || fail "the healthy file reads back wrong"
