#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (started by tests/vm/run.sh through scripts/vm/run.sh).
#
# usage: guest.sh MODULE.ko CASE_LIST CASE_TIMEOUT
# CASE_LIST has one case per line: "ID FILE LOWER TIMEOUT". For each case this
# script makes a fresh scratch filesystem of type LOWER, makes sure the module is
# loaded, runs FILE under a timeout and appends "STATUS ID" to
# /ezn-out/results, where STATUS is pass, fail, skip or timeout. The kernel
# messages a case produced go to its log; a case during which the kernel logged a
# warning, BUG, lockdep report or the like fails even if its script passed.
set -u
out=/ezn-out
ko=$1
list=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
patterns=$top/tests/vm/kernel-log-patterns
scratch=/mnt/ezn-scratch

mkdir -p "$out/cases" "$scratch" /mnt/ezn-upper
: >"$out/results"
: >"$out/subresults"
: >"$out/dmesg.log"
sysctl -qw kernel.hung_task_timeout_secs=60 kernel.printk_ratelimit=0 2>/dev/null

# On a kernel with kmemleak, report only leaks that appear from here on.
kmemleak=
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ -e /sys/kernel/debug/kmemleak ]; then
	kmemleak=/sys/kernel/debug/kmemleak
fi
kmemleak_scan() {
	# Objects younger than a few seconds are never reported: scan twice.
	echo scan >$kmemleak
	sleep 6
	echo scan >$kmemleak
}
if [ -n "$kmemleak" ]; then
	kmemleak_scan
	echo clear >$kmemleak
fi

load_module() {
	[ -d /sys/module/ezncryptfs ] && return 0
	insmod "$ko"
}

setup_lower() {
	case "$1" in
	ext4|xfs)
		modprobe brd rd_nr=1 rd_size=$((640 * 1024)) max_part=0 || return 1
		if [ "$1" = ext4 ]; then
			mkfs.ext4 -q -F -E lazy_itable_init=1 /dev/ram0 || return 1
		else
			mkfs.xfs -q -f /dev/ram0 || return 1
		fi
		mount -t "$1" /dev/ram0 "$scratch" ;;
	tmpfs)
		mount -t tmpfs -o size=640m,mode=0755 tmpfs "$scratch" ;;
	*)
		echo "guest.sh: unknown lower filesystem '$1'" >&2
		return 1 ;;
	esac
	mkdir -p "$scratch/lower"
}

teardown_lower() {
	local m

	# Whatever the case left mounted below the scratch areas goes first.
	for m in $(awk '{ print $2 }' /proc/mounts | grep -E '^(/mnt/ezn-upper|/mnt/ezn-scratch)' |
		   sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	modprobe -r brd 2>/dev/null
	return 0
}

while read -r id file lower ctimeout; do
	log=$out/cases/$id.log
	status=fail
	if ! setup_lower "$lower" >"$log" 2>&1; then
		echo "guest.sh: cannot prepare a $lower scratch filesystem" >>"$log"
	elif ! load_module >>"$log" 2>&1; then
		echo "guest.sh: cannot load $ko" >>"$log"
	else
		echo "=== $id ($lower) ===" >/dev/kmsg
		EZN_KO=$ko EZN_SUBRESULTS=$out/subresults EZN_LOWER_FS=$lower EZN_SCRATCH=$scratch LOWER=$scratch/lower \
			UPPER=/mnt/ezn-upper EZN_TOP=$top \
			timeout -k 5 "$ctimeout" bash "$file" >>"$log" 2>&1 </dev/null
		rc=$?
		case $rc in
		0) status=pass ;;
		77) status=skip ;;
		124|137) status=timeout; echo "guest.sh: timed out after ${ctimeout}s" >>"$log" ;;
		*) status=fail; echo "guest.sh: exit status $rc" >>"$log" ;;
		esac
	fi
	teardown_lower >>"$log" 2>&1
	klog=$(dmesg -c)
	printf '%s\n' "$klog" >>"$out/dmesg.log"
	{ echo "--- kernel log ---"; printf '%s\n' "$klog"; } >>"$log"
	if printf '%s\n' "$klog" | grep -F -f "$patterns" >/dev/null; then
		echo "guest.sh: the kernel logged a warning or error during this case" >>"$log"
		[ "$status" = timeout ] || status=fail
	fi
	echo "$status $id" >>"$out/results"
	sync
done <"$list"
# kmemleak (debug kernel): scan with the module loaded, then again after it is
# unloaded; any leak reported since the baseline taken at start fails the run.
if [ -n "$kmemleak" ]; then
	kmemleak_scan
	rmmod ezncryptfs_kunit 2>/dev/null
	rmmod ezncryptfs 2>/dev/null
	kmemleak_scan
	cat $kmemleak >"$out/kmemleak.log"
	if [ -s "$out/kmemleak.log" ]; then
		echo "fail kmemleak" >>"$out/subresults"
	else
		echo "pass kmemleak" >>"$out/subresults"
	fi
fi
echo complete >"$out/guest-complete"
sync
