#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the busybox initramfs that boots a Debian kernel onto the host's root.
#
# usage: mkinitramfs.sh KERNEL_RELEASE OUTPUT.cpio.gz
# The module list comes from modprobe's dependency resolution against
# /lib/modules/KERNEL_RELEASE, so it follows whatever the kernel builds in.
# Modules that are built in (or absent, as in a debug kernel with everything
# built in) are skipped.
set -euo pipefail

kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
busybox=$(command -v busybox) || { echo "mkinitramfs: busybox-static is not installed" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	{ echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,proc,sys,dev,modules}
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
: >"$tmp/modules.order"

if [ -d "/lib/modules/$kver" ]; then
	for m in virtio_pci virtio_blk 9pnet_virtio 9p overlay; do
		modprobe -S "$kver" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		name=$(basename "$ko")
		case "$ko" in
		*.ko.xz) xz -dc "$ko" >"$tmp/modules/${name%.xz}"; name=${name%.xz} ;;
		*.ko.zst) zstd -qdc "$ko" >"$tmp/modules/${name%.zst}"; name=${name%.zst} ;;
		*) cp "$ko" "$tmp/modules/$name" ;;
		esac
		echo "$name" >>"$tmp/modules.order"
	done
fi

mkdir -p "$(dirname "$out")"
(cd "$tmp" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
