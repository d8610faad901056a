#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything the build, the tests, the demo and the benchmarks need,
# from Debian's packages. Idempotent: packages already present are skipped,
# and apt-get runs only when something is missing.
set -euo pipefail

packages=(
	# build: the module against Debian's kernel, the tools
	build-essential pkg-config linux-headers-amd64 linux-source-6.1 bc flex bison
	libelf-dev libssl-dev libkeyutils-dev libnl-3-dev libnl-genl-3-dev libsodium-dev
	libarchive-dev libjson-c-dev clang
	# the VM harness: the kernel it boots, QEMU, the initramfs, scratch filesystems
	linux-image-amd64 qemu-system-x86 busybox-static cpio kmod file e2fsprogs xfsprogs
	keyutils iproute2 util-linux zstd xz-utils attr python3 dmsetup
	# demo and benchmarks
	mariadb-server mariadb-client fio ecryptfs-utils gocryptfs fuse3 fscrypt
	# packaging checks: the DKMS build, the systemd unit, the man pages
	dkms systemd man-db
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=
[ "$(id -u)" = 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
# MariaDB is driven by the demo inside the VM; it must not run on the host.
if command -v systemctl >/dev/null && systemctl is-active -q mariadb 2>/dev/null; then
	$sudo systemctl stop mariadb || true
	$sudo systemctl disable mariadb || true
fi
