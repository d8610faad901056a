#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark, inside the VM (started by scripts/bench/run.sh). Every
# filesystem lives on the same lower filesystem, ext4 on a RAM disk, and runs
# the same work; results go to /ezn-out/bench.tsv as "ROW FS VALUE UNIT" lines.
#
# usage: guest.sh MODULE.ko [FS...]   (default: all)
set -u
ko=$1
shift
all="plain ezncryptfs ecryptfs gocryptfs fscrypt"
list=${*:-$all}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
out=/ezn-out/bench.tsv
pass=benchmark-passphrase-0123456789
# EZN_BENCH_QUICK=1: reduced sizes, for iterating (the figures are noisier).
if [ "${EZN_BENCH_QUICK:-0}" = 1 ]; then
	seq_mib=${EZN_BENCH_SEQ_MIB:-16}
	rand_mib=${EZN_BENCH_RAND_MIB:-4}
	small_files=${EZN_BENCH_SMALL_FILES:-500}
	db_rows=${EZN_BENCH_DB_ROWS:-5000}
else
	seq_mib=${EZN_BENCH_SEQ_MIB:-64}
	rand_mib=${EZN_BENCH_RAND_MIB:-16}
	small_files=${EZN_BENCH_SMALL_FILES:-2000}
	db_rows=${EZN_BENCH_DB_ROWS:-30000}
fi
: >"$out"

modprobe brd rd_nr=1 rd_size=$((1536 * 1024)) max_part=0
mkfs.ext4 -q -F -O encrypt /dev/ram0
mkdir -p /mnt/ram /mnt/up
mount /dev/ram0 /mnt/ram
modprobe ecryptfs
modprobe fuse
modprobe algif_aead

record() {
	echo "$1 $2 $3 $4" | tee -a "$out"
}

drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# setup_FS: prints the directory the work runs in.
setup_plain() {
	mkdir -p /mnt/ram/plain
	echo /mnt/ram/plain
}
teardown_plain() { rm -rf /mnt/ram/plain; }

# ezncryptfs as a user runs it: the service mounts it with the access check
# enforcing, and the benchmark's programs are allowed by rules, so every
# open, stat and I/O pays for the decision.
# Set here, not in setup_ezncryptfs(): that runs in a command substitution.
export EZN_CONFIG_DIR=/tmp/ezn-bench/etc EZN_LOG_DIR=/tmp/ezn-bench/log
export EZN_STATE_DIR=/tmp/ezn-bench/state
setup_ezncryptfs() {
	mkdir -p "$EZN_CONFIG_DIR" /mnt/ram/ezn
	printf '%s\n' "$pass" >/tmp/ezn-bench/pass
	chmod 600 /tmp/ezn-bench/pass
	printf 'category bench /mnt/ram/ezn /mnt/up\n' >"$EZN_CONFIG_DIR/ezncrypt.conf"
	{
		"$bin/ezn" key init --kdf interactive --passfile /tmp/ezn-bench/pass &&
		"$bin/ezn" service start --module "$ko" --no-audit --passfile /tmp/ezn-bench/pass &&
		# The work's programs, and the shell and tools that set it up and clean up.
		for exe in /usr/bin/fio "$bin/smallfiles" /usr/bin/mysqldump /usr/bin/bash \
			/usr/bin/rm /usr/bin/mkdir /usr/bin/rmdir /usr/bin/stat; do
			"$bin/ezn" acl --passfile /tmp/ezn-bench/pass -a "ALLOW @bench * $exe" || exit 1
		done
	} >/tmp/ezn-bench/setup.log 2>&1 || { cat /tmp/ezn-bench/setup.log >&2; return 1; }
	echo /mnt/up
}
teardown_ezncryptfs() { "$bin/ezn" service stop >/dev/null; rm -rf /mnt/ram/ezn; }

setup_ecryptfs() {
	mkdir -p /mnt/ram/ecl
	printf 'passphrase_passwd=%s\n' "$pass" >/tmp/ecpass
	mount -t ecryptfs /mnt/ram/ecl /mnt/up -o "key=passphrase:passphrase_passwd_file=/tmp/ecpass,ecryptfs_cipher=aes,ecryptfs_key_bytes=32,ecryptfs_passthrough=n,ecryptfs_enable_filename_crypto=n,no_sig_cache" \
		</dev/null >/dev/null || return 1
	echo /mnt/up
}
teardown_ecryptfs() { umount /mnt/up; rm -rf /mnt/ram/ecl; }

setup_gocryptfs() {
	mkdir -p /mnt/ram/gcl
	echo "$pass" >/tmp/gpass
	gocryptfs -q -init -passfile /tmp/gpass /mnt/ram/gcl >/dev/null &&
		gocryptfs -q -passfile /tmp/gpass /mnt/ram/gcl /mnt/up || return 1
	echo /mnt/up
}
teardown_gocryptfs() { fusermount -u /mnt/up; rm -rf /mnt/ram/gcl; }

setup_fscrypt() {
	fscrypt setup --force --quiet >/dev/null 2>&1
	fscrypt setup /mnt/ram --quiet >/dev/null 2>&1
	mkdir -p /mnt/ram/fsc
	echo "$pass" | fscrypt encrypt /mnt/ram/fsc --source=custom_passphrase --name=bench \
		--quiet >/dev/null 2>&1 || return 1
	echo /mnt/ram/fsc
}
teardown_fscrypt() { fscrypt lock /mnt/ram/fsc >/dev/null 2>&1; rm -rf /mnt/ram/fsc; }

# fio_bw DIR NAME RW BS MIB: MiB/s (read or write side, whichever RW is).
fio_bw() {
	local line

	line=$(fio --name="$2" --directory="$1" --rw="$3" --bs="$4" --size="${5}M" \
		--ioengine=psync --end_fsync=1 --invalidate=1 --output-format=terse \
		--terse-version=3 2>/dev/null) || return 1
	case "$3" in
	*read) echo "$line" | awk -F';' '{ printf "%.1f %.0f\n", $7 / 1024, $8 }' ;;
	*) echo "$line" | awk -F';' '{ printf "%.1f %.0f\n", $48 / 1024, $49 }' ;;
	esac
}

db_ready=
start_db() {
	# shellcheck source=../demo/mariadb.sh
	source "$top/scripts/demo/mariadb.sh"
	EZN_DB_DIR=/tmp/benchdb db_start >/dev/null && db_generate "$db_rows" && db_ready=1
}

# The guest has no /dev/fd, so no process substitution here: plain captures.
line=$("$bin/afalg-gcm" 3)
read -r mibs driver <<<"$line"
record crypto gcm-aes-4k "${mibs:-0}" "MiB/s(${driver:-none})"
start_db || echo "bench: MariaDB did not start; no mysqldump row" >&2

for fs in $list; do
	echo "== $fs" >&2
	d=$("setup_$fs") || { echo "bench: cannot set up $fs" >&2; continue; }
	set -- $(fio_bw "$d" seq write 1M "$seq_mib")
	record seq-write "$fs" "${1:-0}" MiB/s
	drop_caches
	set -- $(fio_bw "$d" seq read 1M "$seq_mib")
	record seq-read "$fs" "${1:-0}" MiB/s
	rm -f "$d"/seq.*
	set -- $(fio_bw "$d" rnd randwrite 4k "$rand_mib")
	record rand-write-4k "$fs" "${2:-0}" IOPS
	drop_caches
	set -- $(fio_bw "$d" rnd randread 4k "$rand_mib")
	record rand-read-4k "$fs" "${2:-0}" IOPS
	rm -f "$d"/rnd.*
	mkdir -p "$d/small"
	small=$("$bin/smallfiles" "$d/small" "$small_files")
	while read -r what ops; do
		[ -n "$what" ] && record "small-$what" "$fs" "$ops" ops/s
	done <<<"$small"
	rm -rf "$d/small"
	if [ -n "$db_ready" ]; then
		t0=$(date +%s.%N)
		if mysqldump --all-databases --result-file="$d/dump.sql"; then
			t1=$(date +%s.%N)
			size=$(stat -c %s "$d/dump.sql")
			record mysqldump "$fs" "$(echo "$size $t0 $t1" |
				awk '{ printf "%.1f", $1 / 1048576 / ($3 - $2) }')" MiB/s
		fi
		rm -f "$d/dump.sql"
	fi
	"teardown_$fs"
done
