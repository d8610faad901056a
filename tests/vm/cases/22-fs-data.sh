#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The data path: writes and reads across block and group boundaries (a
# group's first block rewritten alone among others), pwrite/pread,
# readv/writev, O_APPEND, O_TRUNC, O_DIRECT (served buffered), mmap
# MAP_SHARED writes with msync, truncate down and up mid-block (holes),
# SEEK_DATA/SEEK_HOLE, copy_file_range/sendfile/splice, fsync/fdatasync/
# syncfs, unlink and rename of open files; every file is compared with a
# reference copy after a remount with dropped caches and after a module
# reload, and the lower files hold no cleartext. A sequential writer's data
# reaches the lower file while it writes, and the rest at its close, with no
# sync (write-behind). Writers killed during their fsync(), with sync()
# beside them, lose nothing and hang nothing.
# lowers: ext4 xfs tmpfs
# timeout: 400
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/fs-lib.sh"

ref=/tmp/ezn-data-ref
rm -rf "$ref"
mkdir -p "$ref"
fs_key
fs_mount

# The same operations on the mount and on the reference directory.
ops() {
	python3 - "$1" <<'PY'
import mmap, os, sys
d = sys.argv[1]
B, G = 4096, 146 * 4096
def p(n): return os.path.join(d, n)
def pattern(n, seed):
    return bytes((seed * 131 + i * 7 + (i >> 12)) & 0xff for i in range(n))
def wr(name, off, data, flags=0):
    fd = os.open(p(name), os.O_RDWR | os.O_CREAT | flags, 0o644)
    os.pwrite(fd, data, off)
    os.close(fd)
# boundaries: within a block, across blocks, across the first group
wr("b", 0, pattern(3 * B + 17, 1))
wr("b", B - 5, pattern(10, 2))
wr("g", 0, pattern(G + 3 * B + 100, 3))
wr("g", G - 50, pattern(300, 4))
wr("g", 2 * G + 5, pattern(B, 5))            # past EOF: a hole of more than a group
# A group's first block rewritten alone while the group holds more blocks
# (the second group: its first block whole, its second short): the others
# keep their metadata entries, and read back after a remount.
fd = os.open(p("grp"), os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, pattern(G + B + 43, 6))
os.fsync(fd)
os.pwrite(fd, pattern(100, 7), G + 200)
os.fsync(fd)
os.close(fd)
# writev / readv
fd = os.open(p("v"), os.O_RDWR | os.O_CREAT, 0o644)
os.writev(fd, [b"a" * 5000, b"b" * 100, b"c" * 9000])
os.lseek(fd, 0, 0)
bufs = [bytearray(4000), bytearray(10100)]
assert os.readv(fd, bufs) == 14100
assert bytes(bufs[0]) == b"a" * 4000
os.close(fd)
# O_APPEND
for i in range(5):
    fd = os.open(p("app"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.write(fd, pattern(1000 + i, 10 + i))
    os.close(fd)
# O_TRUNC
wr("t", 0, pattern(3 * B, 20))
fd = os.open(p("t"), os.O_WRONLY | os.O_TRUNC)
os.write(fd, b"short")
os.close(fd)
# O_DIRECT (aligned buffers through mmap)
buf = mmap.mmap(-1, 2 * B)
buf.write(pattern(2 * B, 30))
try:
    fd = os.open(p("direct"), os.O_RDWR | os.O_CREAT | os.O_DIRECT, 0o644)
except OSError:
    fd = os.open(p("direct"), os.O_RDWR | os.O_CREAT, 0o644)   # reference on tmpfs
os.pwrite(fd, buf, B)
rb = mmap.mmap(-1, 2 * B)
assert os.preadv(fd, [rb], B) == 2 * B
assert rb[:] == buf[:]
os.close(fd)
# truncate down mid-block, up mid-block (hole), down to a block boundary
wr("tr", 0, pattern(5 * B + 300, 40))
os.truncate(p("tr"), 2 * B + 10)
os.truncate(p("tr"), 7 * B + 1234)
wr("tr", 6 * B, b"tail")
wr("tr2", 0, pattern(G + 2 * B, 41))
os.truncate(p("tr2"), G - 1)
os.truncate(p("tr2"), G + 20 * B)
os.truncate(p("tr3"), 0) if os.path.exists(p("tr3")) else open(p("tr3"), "wb").close()
wr("tr3", 0, pattern(3 * B, 42))
os.truncate(p("tr3"), B)
# mmap shared writes, growing through ftruncate, msync
fd = os.open(p("mm"), os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 3 * B + 100)
m = mmap.mmap(fd, 3 * B + 100, mmap.MAP_SHARED)
m[10:20] = b"0123456789"
m[B - 3:B + 3] = b"XXXXXX"
m[3 * B:3 * B + 100] = pattern(100, 50)
m.flush()
m.close()
os.ftruncate(fd, 5 * B)
m = mmap.mmap(fd, 5 * B, mmap.MAP_SHARED)
m[4 * B + 7:4 * B + 9] = b"ZZ"
m.close()
os.fsync(fd)
os.close(fd)
# copy_file_range, sendfile, splice
src = os.open(p("g"), os.O_RDONLY)
dst = os.open(p("cfr"), os.O_WRONLY | os.O_CREAT, 0o644)
n = 0
while n < 2 * B + 77:
    n += os.copy_file_range(src, dst, 2 * B + 77 - n, 100 + n, n)
os.close(dst)
dst = os.open(p("sf"), os.O_WRONLY | os.O_CREAT, 0o644)
off = 0
while off < 3 * B:
    off += os.sendfile(dst, src, B + off, 3 * B - off)
os.close(dst)
r, w = os.pipe()
dst = os.open(p("spl"), os.O_WRONLY | os.O_CREAT, 0o644)
os.lseek(src, 5, 0)
left = 5000
while left:
    k = os.splice(src, w, min(left, 4096))
    os.splice(r, dst, k)
    left -= k
os.close(dst); os.close(r); os.close(w); os.close(src)
# fsync, fdatasync, syncfs
fd = os.open(p("sync"), os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, pattern(B + 1, 60))
os.fsync(fd)
os.write(fd, b"more")
os.fdatasync(fd)
os.close(fd)
# unlink and rename while open
fd = os.open(p("gone"), os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, pattern(3 * B, 70))
os.unlink(p("gone"))
os.pwrite(fd, b"after unlink", B)
assert os.pread(fd, 12, B) == b"after unlink"
assert os.fstat(fd).st_size == 3 * B
os.close(fd)
fd = os.open(p("ren1"), os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, pattern(B + 9, 80))
os.rename(p("ren1"), p("ren2"))
os.write(fd, b"after rename")
os.close(fd)
PY
}
ops "$UPPER" || fail "operations on the mount"
ops "$ref" || fail "operations on the reference"
python3 -c "import os; os.sync()"

compare() {
	local f

	for f in "$ref"/*; do
		f=$(basename "$f")
		cmp "$ref/$f" "$UPPER/$f" || fail "$1: $f differs from the reference"
		expect_eq "$1: size of $f" "$(stat -c %s "$ref/$f")" "$(stat -c %s "$UPPER/$f")"
	done
	expect_eq "$1: file list" "$(ls "$ref")" "$(ls "$UPPER")"
}
compare "before remount"

# SEEK_DATA / SEEK_HOLE (the generic answer: all data up to EOF)
python3 - "$UPPER/g" <<'PY' || fail "lseek SEEK_DATA/SEEK_HOLE"
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size = os.fstat(fd).st_size
assert os.lseek(fd, 0, os.SEEK_DATA) == 0
assert os.lseek(fd, 0, os.SEEK_HOLE) == size
try:
    os.lseek(fd, size, os.SEEK_DATA)
    raise SystemExit("SEEK_DATA at EOF succeeded")
except OSError as e:
    assert e.errno == 6, e   # ENXIO
PY

fs_remount
compare "after remount"
# the lower sizes follow from the cleartext sizes
expect_eq "lower size of b" $((4096 + 4096 + 3 * 4096 + 17)) "$(stat -c %s "$LOWER/b")"
expect_eq "lower size of tr3" $((3 * 4096)) "$(stat -c %s "$LOWER/tr3")"
# no cleartext: the 'after rename' marker string is not in any lower file
if grep -rqa "after rename" "$LOWER"; then
	fail "cleartext found in the lower directory"
fi
fs_umount
unload_module
load_module
fs_mount
compare "after module reload"

# Memory: the lower page cache does not keep a second copy of what was written.
if [ "$EZN_LOWER_FS" != tmpfs ]; then
	head -c $((4 * 1024 * 1024)) /dev/urandom >"$UPPER/big"
	sync
	cached=$(fincore -b -n -o RES "$LOWER/big" | tr -d ' ')
	echo "lower page cache of a 4 MiB file after writeback: $cached bytes"
	[ "$cached" -le $((256 * 1024)) ] || fail "lower cache keeps $cached bytes of a 4 MiB file"
	echo 3 >/proc/sys/vm/drop_caches
	md5sum "$UPPER/big" >/dev/null
	cached=$(fincore -b -n -o RES "$LOWER/big" | tr -d ' ')
	echo "lower page cache after reading it back: $cached bytes"
	[ "$cached" -le $((256 * 1024)) ] || fail "lower cache keeps $cached bytes after a read"
fi

# Write-behind: a sequential writer's data reaches the lower file while it
# writes (a MiB at a time) and the rest once its last writer closes it,
# without a sync and with the flusher held off (its timers at an hour), and
# reads back after a remount.
wb_saved=$(cat /proc/sys/vm/dirty_writeback_centisecs /proc/sys/vm/dirty_expire_centisecs)
echo 360000 >/proc/sys/vm/dirty_writeback_centisecs
echo 360000 >/proc/sys/vm/dirty_expire_centisecs
head -c $((6 * 1024 * 1024 + 100 * 1024)) /dev/urandom >"$ref/behind"
# header, a metadata block per 146 data blocks, the data
full=$((4096 * (1 + (6 * 256 + 25 + 145) / 146) + 6 * 1024 * 1024 + 100 * 1024))
exec 5>"$UPPER/behind"
dd if="$ref/behind" bs=256k status=none >&5
lower_size_at_least() {
	[ "$(stat -c %s "$LOWER/$1")" -ge "$2" ]
}
wait_for 30 "the written data in the lower file without a sync" \
	lower_size_at_least behind $((5 * 1024 * 1024))
sleep 1
size=$(stat -c %s "$LOWER/behind")
echo "lower size of a 6.1 MiB file open for writing, not synced: $size bytes"
[ "$size" -lt "$full" ] || fail "the last partial MiB reached the lower file before the close"
exec 5>&-
wait_for 30 "the whole file in the lower file once closed, without a sync" \
	lower_size_at_least behind "$full"
echo "lower size once closed, not synced: $(stat -c %s "$LOWER/behind") bytes"
set -- $wb_saved
echo "$1" >/proc/sys/vm/dirty_writeback_centisecs
echo "$2" >/proc/sys/vm/dirty_expire_centisecs
fs_remount
cmp "$ref/behind" "$UPPER/behind" || fail "a file written behind differs after remount"

# Writers killed while their own fsync() writes back, a sync() beside them:
# nothing hangs, and every byte they wrote is in the file once synced.
head -c 6M /dev/urandom >"$ref/killed"
for round in 1 2 3 4 5 6; do
	dd if="$ref/killed" of="$UPPER/killed$round" bs=1M conv=fsync 2>/dev/null &
	writer=$!
	sleep "0.$((RANDOM % 9 + 1))"
	sync &
	syncer=$!
	kill -9 $writer 2>/dev/null || true
	wait $writer 2>/dev/null || true
	syncer_done() { ! kill -0 $syncer 2>/dev/null; }
	wait_for 120 "sync() beside a killed writer never returned" syncer_done
done
sync
echo 3 >/proc/sys/vm/drop_caches
checked=0
for round in 1 2 3 4 5 6; do
	# A writer killed before its open() left no file.
	[ -e "$UPPER/killed$round" ] || continue
	size=$(stat -c %s "$UPPER/killed$round")
	cmp -n "$size" "$ref/killed" "$UPPER/killed$round" ||
		fail "a killed writer's data differs after sync ($size bytes written)"
	checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || fail "no killed writer had opened its file"
echo "killed writers checked: $checked of 6"
fs_umount
echo "data path on $EZN_LOWER_FS: ok"
