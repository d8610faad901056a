#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel (KASAN, lockdep, kmemleak, UBSAN, KUnit, failslab)
# from Debian's linux-source with the fragment kept beside this script.
# The result is cached outside the work tree, so that every clone on the
# machine shares it (EZN_DEBUG_KERNEL_DIR, default ~/.cache/ezncrypt/debug-kernel),
# and rebuilt only when the fragment or the source version changes. Prints the
# tree's path; the modules are installed beside it, in modroot/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
[ -n "$tarball" ] || { echo "debug-kernel: install linux-source-6.1" >&2; exit 1; }
cache=${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}
dest=${EZN_DEBUG_KERNEL_DIR:-${cache:-$here/../../build}/ezncrypt/debug-kernel}
stamp=$(cat "$here/debug.config" "$here/build.sh" | sha256sum | cut -c1-16)-$(stat -c %s-%Y "$tarball")
if [ -f "$dest/.ezn-stamp" ] && [ "$(cat "$dest/.ezn-stamp")" = "$stamp" ] &&
   [ -f "$dest/src/arch/x86/boot/bzImage" ]; then
	echo "$dest/src"
	exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
echo "debug-kernel: unpacking $(basename "$tarball")" >&2
tar -xJf "$tarball" -C "$dest"
mv "$dest"/linux-source-* "$dest/src"
cd "$dest/src"
KCONFIG_ALLCONFIG=$here/debug.config make -s allnoconfig >&2
# Every option of the fragment must have survived dependency resolution.
missing=0
while read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" .config && { echo "debug-kernel: $opt is set" >&2; missing=1; }
	elif ! grep -qx "$line" .config; then
		echo "debug-kernel: $line did not stick" >&2
		missing=1
	fi
done <"$here/debug.config"
[ "$missing" = 0 ] || { echo "debug-kernel: fix debug.config" >&2; exit 1; }
echo "debug-kernel: building bzImage (about 15 minutes on 2 cores)" >&2
nice make -s -j"$(nproc)" bzImage modules >&2
make -s modules_prepare >&2
make -s modules_install INSTALL_MOD_PATH="$dest/modroot" >&2
echo "$stamp" >"$dest/.ezn-stamp"
echo "$dest/src"
