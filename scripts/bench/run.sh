#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: plaintext ext4, ezncryptfs and its peers side by side in one VM
# run, and the in-kernel AES-GCM ceiling. Prints the table and writes it to
# build/bench/results-DATE.txt (and build/bench/latest.txt). Figures are
# throughput under TCG emulation here: read the ratios, not the absolutes.
#
# usage: scripts/bench/run.sh [FS...]   (plain ezncryptfs ecryptfs gocryptfs fscrypt)
# EZN_BENCH_QUICK=1: smaller sizes, for iterating. EZN_BENCH_VARIANTS="NAME=KO ...":
# more ezncryptfs columns, one per other build of the module (KO under this tree).
# EZN_BENCH_ROUNDS=N: N rounds over the filesystems, the best of each kept.
# EZN_BENCH_PERF="FS ...": perf profiles of those filesystems' rows in build/bench/vm.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
ko=${EZN_BENCH_KO:-$top/ezncryptfs.ko}
out=$top/build/bench
mkdir -p "$out"
run=$out/vm
rm -rf "$run"

"$top/scripts/vm/run.sh" --out "$run" --mem 4096 --timeout 3600 -- \
	"$top/scripts/bench/guest.sh" "$ko" "$@"

stamp=$(date -u +%Y-%m-%dT%H:%MZ)
result=$out/results-$stamp.txt
{
	echo "ezncrypt benchmark, $stamp, $(uname -m), $(nproc) host CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
	echo "VM: Debian $(ls /boot/vmlinuz-* | sed 's|.*vmlinuz-||' | sort -V | tail -n 1) under QEMU TCG (${EZN_KVM:+KVM}emulated CPU): ratios matter, not absolutes"
	echo "lower filesystem: ext4 on a RAM disk; ratios: x plain = FS / plaintext; x best peer = ezncryptfs / best of ecryptfs, gocryptfs, fscrypt"
	echo
	awk '
	# Several rounds (EZN_BENCH_ROUNDS): the best figure of each.
	$1 == "crypto" { if (crypto == "" || $3 > crypto) { crypto = $3; unit = $4 }; next }
	{
		if (!($1 in seen)) { seen[$1] = 1; rows[++nrows] = $1 }
		if (!(($1, $2) in v) || $3 > v[$1, $2]) v[$1, $2] = $3
		u[$1] = $4
		if (!($2 in fss)) fsorder[++nfs] = $2
		fss[$2] = 1
	}
	END {
		n = split("plain ezncryptfs ecryptfs gocryptfs fscrypt", order, " ")
		# Other builds of ezncryptfs (EZN_BENCH_VARIANTS), in the order run.
		for (f = 1; f <= nfs; f++) if (fsorder[f] ~ /^ezn-/) order[++n] = fsorder[f]
		printf "%-14s %-7s", "workload", "unit"
		for (i = 1; i <= n; i++) if (order[i] in fss) printf " %20s", order[i]
		printf " %12s\n", "x best peer"
		for (r = 1; r <= nrows; r++) {
			row = rows[r]; plain = v[row, "plain"]
			printf "%-14s %-7s", row, u[row]
			best = 0
			for (i = 1; i <= n; i++) {
				fs = order[i]
				if (!(fs in fss)) continue
				val = v[row, fs]
				if (fs == "plain" || plain == 0 || val == "")
					printf " %20s", (val == "" ? "-" : val)
				else
					printf " %11s (%5.2fx)", val, val / plain
				if (fs != "plain" && fs !~ /^ezn/ && val > best) best = val
			}
			e = v[row, "ezncryptfs"]
			if (best > 0 && e != "") printf " %11.2fx", e / best
			printf "\n"
		}
		if (crypto != "") {
			printf "\nin-kernel AES-256-GCM on 4 KiB blocks (AF_ALG, one thread): %s %s\n", crypto, unit
			e = v["seq-write", "ezncryptfs"]
			if (e != "" && crypto > 0 && e <= crypto)
				printf "ezncryptfs seq-write reaches %.0f%% of that ceiling\n", 100 * e / crypto
			else if (e != "" && crypto > 0)
				printf "ezncryptfs seq-write (%s) is above it: AF_ALG pays a system call per block, so under emulation it is a lower bound of the cipher, not a ceiling\n", e
		}
	}' "$run/bench.tsv"
} >"$result"
cp "$result" "$out/latest.txt"
cat "$result"
