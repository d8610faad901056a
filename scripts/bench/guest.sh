#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark, inside the VM (started by scripts/bench/run.sh). Every
# filesystem lives on the same lower filesystem, ext4 on a RAM disk, and runs
# the same work; results go to /ezn-out/bench.tsv as "ROW FS VALUE UNIT" lines,
# each round's after a "round N" line.
#
# usage: guest.sh MODULE.ko [FS...]   (default: all)
# EZN_BENCH_VARIANTS="NAME=MODULE.ko ..." adds an ezncryptfs column "ezn-NAME"
# per other build of the module (before/after comparisons within one run).
set -u
ko=$1
main_ko=$1
shift
all="plain ezncryptfs ecryptfs gocryptfs fscrypt"
list=${*:-$all}
for v in ${EZN_BENCH_VARIANTS:-}; do
	list="$list ezn-${v%%=*}"
done
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

# EZN_BENCH_PERF="FS ...": profile those filesystems' rows (perf, cpu-clock,
# whole system) into /ezn-out/perf-FS-ROW.txt, by symbol alone, and
# perf-FS-ROW-incl.txt, with the time of callees in their callers. perf takes
# seconds to start under TCG: it records from the moment it acknowledges
# "enable" on its control FIFO, so the row is sampled from its first operation.
perf_pid=
prof_start() {
	case " ${EZN_BENCH_PERF:-} " in
	*" $fs "*) ;;
	*) return 0 ;;
	esac
	rm -f /tmp/perf-ctl /tmp/perf-ack
	mkfifo /tmp/perf-ctl /tmp/perf-ack
	exec {perf_ctl}<>/tmp/perf-ctl {perf_ack}<>/tmp/perf-ack
	perf record -q -D -1 --control "fd:$perf_ctl,$perf_ack" -e cpu-clock -a -g \
		-o "/tmp/perf-$fs-$1.data" >/dev/null 2>&1 &
	perf_pid=$!
	prof_row=$1
	echo enable >&"$perf_ctl"
	read -r -t 120 -u "$perf_ack" _ || echo "bench: perf did not start" >&2
}
prof_stop() {
	[ -n "$perf_pid" ] || return 0
	kill -INT "$perf_pid"
	wait "$perf_pid"
	perf_pid=
	exec {perf_ctl}>&- {perf_ack}>&-
	perf report -q -i "/tmp/perf-$fs-$prof_row.data" --stdio --no-children \
		--sort sym -g none --percent-limit 0.5 >"/ezn-out/perf-$fs-$prof_row.txt" 2>&1
	# Inclusive time (callees counted in their callers): where a row's time goes.
	perf report -q -i "/tmp/perf-$fs-$prof_row.data" --stdio --children \
		--sort sym -g none --percent-limit 1 >"/ezn-out/perf-$fs-$prof_row-incl.txt" 2>&1
	rm -f "/tmp/perf-$fs-$prof_row.data"
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
	rm -rf /tmp/ezn-bench
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
teardown_ezncryptfs() {
	"$bin/ezn" service stop --unload >/dev/null
	rm -rf /mnt/ram/ezn /tmp/ezn-bench
}

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
# The protector and policy go too: the next round's setup makes new ones under
# the same name, which fscrypt refuses while the old ones exist.
teardown_fscrypt() {
	fscrypt lock /mnt/ram/fsc >/dev/null 2>&1
	rm -rf /mnt/ram/fsc /mnt/ram/.fscrypt
}

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

# The cipher's own ceiling, measured inside the kernel by tcrypt (mode 211:
# gcm(aes) at every key and block size, a second each; the module refuses to
# stay loaded once done, by design). The 256-bit key on 4 KiB blocks is the
# request ezncryptfs makes per block, with nothing around it.
tcrypt_gcm() {
	dmesg -C
	modprobe tcrypt mode=211 sec=1 2>/dev/null
	dmesg | awk '
	/testing speed of gcm\(aes\)/ {
		dir = $NF; drv = $(NF - 1); gsub(/[()]/, "", drv); next
	}
	/testing speed of/ { dir = ""; next }
	dir != "" && /256 bit key, 4096 byte blocks/ {
		for (i = 1; i <= NF; i++) if ($i == "operations") ops = $(i - 1)
		printf "crypto-%s gcm-aes-4k %.1f MiB/s(%s)\n", substr(dir, 1, 3), ops * 4096 / 1048576, drv
	}'
}
# The guest has no /dev/fd, so no process substitution here: plain captures.
tcrypt_gcm | while read -r what row val unit; do record "$what" "$row" "$val" "$unit"; done
# ezncryptfs spreads the blocks of a run over the CPUs: the ceiling is per CPU.
record crypto-cpus vm "$(nproc)" CPUs
# The module times the gcm(aes) implementations at load and seals with the
# fastest (kmod/gcm_impl.c): what it measured, "crypto-load-N DRIVER MiB/s".
dmesg -C
insmod "$ko"
ezn_gcm=$(cat /sys/module/ezncryptfs/parameters/gcm_driver)
rmmod ezncryptfs
n=0
dmesg | sed -n 's/.*ezncryptfs: gcm(aes): \([^ ]*\) \([0-9]*\) MiB\/s\(, in use\)\{0,1\}$/\1 \2 \3/p' |
	while read -r driver mibs inuse; do
		n=$((n + 1))
		record "crypto-load-$n" "$driver" "$mibs" "MiB/s${inuse:+(in-use)}"
	done
# Through AF_ALG, a system call per 4 KiB block: the kernel's gcm(aes), the one
# ezncryptfs uses, and the peers' ciphers, which compute no tag (eCryptfs:
# cbc(aes), fscrypt: xts(aes)).
for what in "enc gcm gcm(aes)" "enc ezn $ezn_gcm" "enc cbc cbc(aes)" "dec cbc cbc(aes)" \
	    "enc xts xts(aes)" "dec xts xts(aes)"; do
	set -- $what
	read -r mibs driver <<<"$("$bin/afalg-speed" 3 "$1" "$3")"
	record "crypto-afalg-$1-$2" "$3" "${mibs:-0}" "MiB/s(${driver:-none})"
done
start_db || echo "bench: MariaDB did not start; no mysqldump row" >&2

# EZN_BENCH_ROUNDS=N: the whole list N times, round robin, so that a slow
# stretch of a shared host hits every filesystem; run.sh keeps each best.
for round in $(seq "${EZN_BENCH_ROUNDS:-1}"); do
# Figures are paired by round in the table (run.sh), also when a setup fails.
echo "round $round" >>"$out"
for fs in $list; do
	echo "== $fs (round $round)" >&2
	kind=$fs ko=$main_ko
	case "$fs" in
	ezn-*)
		kind=ezncryptfs
		for v in ${EZN_BENCH_VARIANTS:-}; do
			[ "ezn-${v%%=*}" = "$fs" ] && ko=${v#*=}
		done ;;
	esac
	d=$("setup_$kind") || { echo "bench: cannot set up $fs" >&2; continue; }
	prof_start seq-write
	set -- $(fio_bw "$d" seq write 1M "$seq_mib")
	prof_stop
	record seq-write "$fs" "${1:-0}" MiB/s
	drop_caches
	prof_start seq-read
	set -- $(fio_bw "$d" seq read 1M "$seq_mib")
	prof_stop
	record seq-read "$fs" "${1:-0}" MiB/s
	rm -f "$d"/seq.*
	prof_start rand-write
	set -- $(fio_bw "$d" rnd randwrite 4k "$rand_mib")
	prof_stop
	record rand-write-4k "$fs" "${2:-0}" IOPS
	drop_caches
	prof_start rand-read
	set -- $(fio_bw "$d" rnd randread 4k "$rand_mib")
	prof_stop
	record rand-read-4k "$fs" "${2:-0}" IOPS
	rm -f "$d"/rnd.*
	mkdir -p "$d/small"
	prof_start small
	small=$("$bin/smallfiles" "$d/small" "$small_files")
	prof_stop
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
	"teardown_$kind"
done
done
