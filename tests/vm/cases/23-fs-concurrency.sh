#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Concurrency and memory pressure: writers on disjoint stripes of one file
# with readers, a truncater racing an mmap writer, renames and an unlink of
# open files, sequential writers whose pages are written behind while they
# rewrite, truncate, unlink and close, all while a loop syncs and drops
# caches. Afterwards every deterministic result is checked, again after a
# remount with cold caches, and the kernel log must be clean.
# lowers: ext4 xfs tmpfs
# timeout: 400
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/fs-lib.sh"

fs_key
fs_mount

# Memory pressure and writeback in the background.
(
	while [ ! -e /tmp/ezn-conc-done ]; do
		sync
		echo 3 >/proc/sys/vm/drop_caches
		sleep 0.2
	done
) &
pressure=$!
rm -f /tmp/ezn-conc-done

python3 - "$UPPER" <<'PY' || { touch /tmp/ezn-conc-done; wait; fail "concurrent workload"; }
import mmap, os, random, sys, time
from multiprocessing import Process
d = sys.argv[1]
B, W, ROUNDS, STRIPES = 4096, 4, 40, 24
SMIB, STRUNC = 5, 3 * 1024 * 1024 + 1000
A = os.path.join(d, "striped")
def stream_chunk(gen, i):
    return bytes([(gen * 97 + i) % 251 + 1]) * 65536
def blk(w, r):
    return bytes([(w * 50 + r) % 251 + 1]) * B
def writer(w):
    fd = os.open(A, os.O_RDWR)
    for r in range(ROUNDS):
        for s in range(STRIPES):
            os.pwrite(fd, blk(w, r), (s * W + w) * B)
        if r % 10 == 0:
            os.fsync(fd)
    os.close(fd)
def reader(seed):
    rnd = random.Random(seed)
    fd = os.open(A, os.O_RDONLY)
    for _ in range(300):
        os.pread(fd, rnd.randrange(1, 3 * B), rnd.randrange(0, STRIPES * W * B))
    os.close(fd)
def truncater():
    p = os.path.join(d, "trunc")
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    for i in range(200):
        os.ftruncate(fd, B + (i % 7) * B + (i % 3) * 1000)
    os.ftruncate(fd, 5 * B)
    os.close(fd)
def mapper():
    p = os.path.join(d, "trunc")
    for i in range(100):
        fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            m = mmap.mmap(fd, B, mmap.MAP_SHARED)
        except (ValueError, OSError):
            os.close(fd)
            continue
        m[0:8] = b"mappedXX"     # the truncater keeps the size above one block
        m.close()
        os.close(fd)
def renamer():
    a, b = os.path.join(d, "ren-a"), os.path.join(d, "ren-b")
    for i in range(200):
        os.rename(a, b) if i % 2 == 0 else os.rename(b, a)
def open_writer(fd):
    for i in range(200):
        os.pwrite(fd, bytes([i % 256]) * 100, i * 100)
    os.close(fd)
def streamer():
    # Sequential writes (written behind while they go on), a rewrite of the
    # start of the file while its pages are written back, and a truncate.
    p = os.path.join(d, "stream")
    fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
    for i in range(SMIB * 16):
        os.write(fd, stream_chunk(0, i))
    os.lseek(fd, 0, os.SEEK_SET)
    for i in range(32):
        os.write(fd, stream_chunk(1, i))
    os.ftruncate(fd, STRUNC)
    os.close(fd)
def stream_doomed():
    # Unlinked and closed while its write-behind may still be at work.
    for n in range(4):
        p = os.path.join(d, "stream-doomed")
        fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        for i in range(48):
            os.write(fd, stream_chunk(n, i))
        os.unlink(p)
        os.close(fd)
def unlinked():
    p = os.path.join(d, "doomed")
    fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
    os.write(fd, b"q" * (3 * B))
    os.unlink(p)
    for i in range(50):
        os.pwrite(fd, bytes([i]) * B, (i % 10) * B)
    for i in range(40, 50):
        assert os.pread(fd, B, (i % 10) * B) == bytes([i]) * B, "unlinked file content"
    os.close(fd)

with open(A, "wb") as f:
    f.truncate(STRIPES * W * B)
with open(os.path.join(d, "ren-a"), "wb") as f:
    f.write(b"\0" * 20000)
with open(os.path.join(d, "trunc"), "wb") as f:
    f.truncate(B)
ren_fd = os.open(os.path.join(d, "ren-a"), os.O_RDWR)    # open before the renames start
procs = [Process(target=writer, args=(w,)) for w in range(W)]
procs += [Process(target=reader, args=(s,)) for s in range(2)]
procs += [Process(target=f) for f in (truncater, mapper, renamer, unlinked, streamer,
                                       stream_doomed)]
procs.append(Process(target=open_writer, args=(ren_fd,)))
for p in procs:
    p.start()
for p in procs:
    p.join()
    assert p.exitcode == 0, f"{p.name} exited {p.exitcode}"
PY
touch /tmp/ezn-conc-done
wait "$pressure"

check() {
	python3 - "$UPPER" <<'PY' || fail "$1: final contents"
import os, sys
d = sys.argv[1]
B, W, ROUNDS, STRIPES = 4096, 4, 40, 24
data = open(os.path.join(d, "striped"), "rb").read()
assert len(data) == STRIPES * W * B, len(data)
for s in range(STRIPES):
    for w in range(W):
        off = (s * W + w) * B
        want = bytes([(w * 50 + ROUNDS - 1) % 251 + 1]) * B
        assert data[off:off + B] == want, f"stripe {s} of writer {w}"
assert os.path.getsize(os.path.join(d, "trunc")) == 5 * B
ren = os.path.join(d, "ren-a")
ren = ren if os.path.exists(ren) else os.path.join(d, "ren-b")
r = open(ren, "rb").read()
assert len(r) == 20000
for i in range(200):
    assert r[i * 100:(i + 1) * 100] == bytes([i % 256]) * 100, f"renamed file chunk {i}"
assert not os.path.exists(os.path.join(d, "doomed"))
SMIB, STRUNC = 5, 3 * 1024 * 1024 + 1000
def stream_chunk(gen, i):
    return bytes([(gen * 97 + i) % 251 + 1]) * 65536
want = b"".join(stream_chunk(1, i) for i in range(32))
want += b"".join(stream_chunk(0, i) for i in range(32, SMIB * 16))
s = open(os.path.join(d, "stream"), "rb").read()
assert s == want[:STRUNC], "streamed file"
assert not os.path.exists(os.path.join(d, "stream-doomed"))
PY
}
check "after the run"
fs_remount
check "after remount"
fs_umount
echo "concurrency on $EZN_LOWER_FS: ok"
