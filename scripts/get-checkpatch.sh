#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of checkpatch.pl, extracting it (with the data files it reads)
# from Debian's linux-source tarball into build/checkpatch when the kernel
# headers package does not ship it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
for d in ${KDIR:-} /lib/modules/"$(uname -r)"/build /usr/src/linux-headers-*; do
	if [ -f "$d/scripts/checkpatch.pl" ]; then
		echo "$d/scripts/checkpatch.pl"
		exit 0
	fi
done
dest=$top/build/checkpatch
if [ ! -f "$dest/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "get-checkpatch: install linux-source-6.1" >&2; exit 1; }
	mkdir -p "$dest"
	base=$(basename "$tarball" .tar.xz)
	tar -xJf "$tarball" -C "$dest" --strip-components=1 \
		"$base/scripts/checkpatch.pl" "$base/scripts/spelling.txt" \
		"$base/scripts/const_structs.checkpatch"
fi
echo "$dest/scripts/checkpatch.pl"
