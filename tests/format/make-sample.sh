#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the checked-in sample (tests/format/sample/ and expected/) with the
# real module in the VM. Only needed when the format version changes: the
# sample is what keeps readers of older versions honest.
#
# usage: tests/format/make-sample.sh [MODULE.ko]     (on the host; make test-module first)
#        tests/format/make-sample.sh --guest MODULE.ko  (inside the VM, internal)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

if [ "${1:-}" = --guest ]; then
	ko=$2
	[ -d /sys/module/ezncryptfs ] || insmod "$ko"
	mkdir -p /mnt/ezn-sample
	mount -t tmpfs -o mode=0755 tmpfs /mnt/ezn-sample
	mkdir /mnt/ezn-sample/lower /mnt/ezn-sample/upper
	keyctl padd logon ezncrypt:sample @u <"$here/sample.key" >/dev/null
	mount -t ezncryptfs -o key=ezncrypt:sample /mnt/ezn-sample/lower /mnt/ezn-sample/upper
	python3 "$here/gen-expected.py" /mnt/ezn-sample/upper
	umount /mnt/ezn-sample/upper
	tar -C /mnt/ezn-sample/lower --sparse -cf /ezn-out/sample.tar .
	dmesg | grep ezncryptfs >/ezn-out/sample-dmesg.log || true
	exit 0
fi

ko=$(realpath "${1:-$top/build/kmod-test/ezncryptfs.ko}")
kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
out=$top/build/format-sample
rm -rf "$out"
mkdir -p "$out"
"$top/scripts/vm/run.sh" --kver "$kver" --out "$out" --timeout 300 -- \
	"$here/make-sample.sh" --guest "$ko"
rm -rf "$here/sample" "$here/expected"
mkdir "$here/sample"
tar -C "$here/sample" -xf "$out/sample.tar"
python3 "$here/gen-expected.py" "$here/expected"
echo "sample written by $(modinfo -F version "$ko") on $kver:"
find "$here/sample" "$here/expected" -printf '%M %8s %P\n' | sort -k3
