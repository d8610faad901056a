#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the sample's cleartext tree into DIR (deterministic, no randomness).

Used twice by make-sample.sh inside the VM: through an ezncryptfs mount (which
produces tests/format/sample/) and into a plain directory (tests/format/expected/).
"""
import os
import sys

B = 4096
GROUP = 146  # data blocks per metadata group


def pattern(n, seed):
    return bytes((i * 31 + seed * 7 + (i >> 8)) & 0xFF for i in range(n))


def main(d):
    os.makedirs(os.path.join(d, "text"), exist_ok=True)
    open(os.path.join(d, "empty"), "wb").close()
    with open(os.path.join(d, "hello.txt"), "wb") as f:
        f.write(b"hello, ezncrypt\n")
    with open(os.path.join(d, "exact-4096.bin"), "wb") as f:
        f.write(pattern(B, 1))
    with open(os.path.join(d, "text", "readme.txt"), "wb") as f:
        line = b"The sample tree of ezncryptfs format version 1 (see FORMAT.md).\n"
        f.write(line * (5000 // len(line) + 1))
    # Crosses the first metadata group: data in blocks 0-1, a hole in blocks
    # 2-143, data in blocks 144-146 (the last one 3000 bytes).
    with open(os.path.join(d, "group-crossing.bin"), "wb") as f:
        f.write(pattern(2 * B, 2))
        f.seek(144 * B)
        f.write(pattern(2 * B + 3000, 3))
    os.symlink("hello.txt", os.path.join(d, "link-to-hello"))


if __name__ == "__main__":
    main(sys.argv[1])
