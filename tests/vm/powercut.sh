#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A sync'd file survives a power cut. Two VM boots over one virtio disk image:
# the first writes files through ezncryptfs on ext4, syncs some, leaves others
# dirty and resets the machine with sysrq-b (no unmount, no flush); the second
# mounts again and checks that every sync'd file reads back intact (and that
# the unsynced ones, whatever state they are in, read back or fail cleanly:
# never garbage, never a kernel warning). Prints "PASS|FAIL powercut:NAME".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=${EZN_TEST_KO:-$top/build/kmod-test/ezncryptfs.ko}
work=$top/build/vm-results/powercut
rm -rf "$work"
mkdir -p "$work"
disk=$work/disk.img
truncate -s 256M "$disk"

guest() {
	local phase=$1

	cat >"$work/$phase.sh" <<GUEST
set -u
W='$work'
insmod '$ko' || exit 10
head -c 32 '$work/key' >/tmp/k
keyctl padd logon ezncrypt:powercut @u </tmp/k >/dev/null || exit 11
mkdir -p /mnt/disk /mnt/up
GUEST
	cat >>"$work/$phase.sh"
	"$top/scripts/vm/run.sh" --out "$work/$phase" --disk "$disk" --timeout 600 -- \
		bash "$work/$phase.sh" >"$work/$phase.out" 2>&1
}

check() {
	if eval "$2"; then
		echo "PASS powercut:$1"
	else
		echo "FAIL powercut:$1"
		tail -n 20 "$work"/*.out "$work"/*/console.log 2>/dev/null | sed 's/^/    | /'
	fi
}

head -c 32 /dev/urandom >"$work/key"
guest write <<'GUEST'
mkfs.ext4 -q -F /dev/vda && mount /dev/vda /mnt/disk || exit 12
mkdir -p /mnt/disk/lower
mount -t ezncryptfs -o key=ezncrypt:powercut /mnt/disk/lower /mnt/up || exit 13
for f in small:1000 block:4096 group:700000 big:3000000; do
	head -c "${f#*:}" /dev/urandom >"/mnt/up/${f%%:*}"
done
# An fsync'd rewrite in the middle of an existing file.
head -c 10000 /dev/urandom | dd of=/mnt/up/big bs=1 seek=123456 conv=notrunc,fsync status=none
sync
sha256sum /mnt/up/small /mnt/up/block /mnt/up/group /mnt/up/big >/ezn-out/synced.sha256
# Dirty, never synced: may be lost, must not come back as garbage.
head -c 2000000 /dev/urandom >/mnt/up/unsynced
head -c 5000 /dev/urandom | dd of=/mnt/up/group bs=1 seek=300000 conv=notrunc status=none
sha256sum /mnt/up/group | awk '{ print $1 }' >/ezn-out/group-dirty.sha256
echo b >/proc/sysrq-trigger
GUEST
check reset-without-status "[ ! -s '$work/write/exit-status' ]"
check synced-recorded "[ -s '$work/write/synced.sha256' ]"

guest verify <<'GUEST'
mount /dev/vda /mnt/disk || exit 12
mount -t ezncryptfs -o key=ezncrypt:powercut /mnt/disk/lower /mnt/up || exit 13
cd /mnt/up || exit 14
for f in small block big; do
	grep " /mnt/up/$f\$" "$W/write/synced.sha256" | sha256sum -c --quiet || exit 20
done
# group was rewritten after the sync: either state, never garbage.
now=$(sha256sum /mnt/up/group | awk '{ print $1 }')
grep -q "$now" "$W/write/synced.sha256" "$W/write/group-dirty.sha256" || exit 21
# The unsynced file: gone, readable, or refused with EIO and a log line.
if [ -e /mnt/up/unsynced ] && ! cat /mnt/up/unsynced >/dev/null; then
	dmesg | grep -E 'ezncryptfs: (block|header)' >/dev/null || exit 22
fi
cd / && umount /mnt/up && umount /mnt/disk || exit 23
exit 0
GUEST
check synced-files-intact "[ \"\$(cat '$work/verify/exit-status' 2>/dev/null)\" = 0 ]"
bad=$(cat "$work"/*/console.log | grep -F -f "$top/tests/vm/kernel-log-patterns")
check kernel-log-clean "[ -z \"\$bad\" ]"
rm -f "$disk"
