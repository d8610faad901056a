#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make style: checkpatch.pl --strict over every C source and header we own.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
checkpatch=$(scripts/get-checkpatch.sh)
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h')
[ -n "$files" ] || exit 0
# Userspace has no kernel types or helpers to prefer; the rest applies as is.
status=0
for f in $files; do
	ignore=SPDX_LICENSE_TAG,FILE_PATH_CHANGES
	case "$f" in
	kmod/ezn_format.h) ignore=$ignore,PREFER_KERNEL_TYPES ;;
	kmod/*) ;;
	*) ignore=$ignore,PREFER_KERNEL_TYPES,SSCANF_TO_KSTRTO,PREFER_DEFINED_ATTRIBUTE_MACRO,NEW_TYPEDEFS,CAMELCASE ;;
	esac
	out=$(perl "$checkpatch" --strict --no-tree --terse --show-types --max-line-length=100 \
		--ignore "$ignore" -f "$f" 2>&1) || { printf '%s\n' "$out"; status=1; }
done
[ "$status" = 0 ] && echo "style: $(echo "$files" | wc -w) files clean"
exit "$status"
