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
# EZN_BENCH_ROUNDS=N: N rounds over the filesystems, the best of each kept;
# with two or more, the last column gives the rounds' own ratios to the best
# peer (each round's figures were taken minutes apart, the best ones need not
# be): their median, and in how many rounds ezncryptfs led.
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
	# Several rounds (EZN_BENCH_ROUNDS): the best figure of each, and every
	# figure by round ("round N" lines start them).
	# The cipher alone: crypto-enc and crypto-dec (tcrypt, in the kernel),
	# crypto-afalg-{enc,dec}-MODE (from user space, a system call per block).
	$1 == "round" { round = $2; next }
	$1 ~ /^crypto-/ {
		if (!($1 in crypto) || $3 > crypto[$1]) { crypto[$1] = $3; cunit[$1] = $4; cname[$1] = $2 }
		next
	}
	{
		if (!($1 in seen)) { seen[$1] = 1; rows[++nrows] = $1 }
		if (!(($1, $2) in v) || $3 > v[$1, $2]) v[$1, $2] = $3
		rv[$1, $2, round] = $3
		if (round > rounds) rounds = round
		u[$1] = $4
		if (!($2 in fss)) fsorder[++nfs] = $2
		fss[$2] = 1
		if (peer($2)) peers = 1
	}
	END {
		n = split("plain ezncryptfs ecryptfs gocryptfs fscrypt", order, " ")
		# Other builds of ezncryptfs (EZN_BENCH_VARIANTS), in the order run.
		for (f = 1; f <= nfs; f++) if (fsorder[f] ~ /^ezn-/) order[++n] = fsorder[f]
		printf "%-14s %-7s", "workload", "unit"
		for (i = 1; i <= n; i++) if (order[i] in fss) printf " %20s", order[i]
		if (peers)
			printf " %12s", "x best peer"
		if (peers && rounds > 1)
			printf " %16s", "by round, led"
		printf "\n"
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
				if (peer(fs) && val > best) best = val
			}
			e = v[row, "ezncryptfs"]
			if (best > 0 && e != "") printf " %11.2fx", e / best
			if (rounds > 1 && best > 0 && e != "")
				by_round(row, order, n)
			printf "\n"
		}
		if (peers && rounds > 1)
			printf "\nby round, led: the median over the rounds of ezncryptfs / the best peer of the same round, and in how many rounds that was above 1\n"
		printf "\n"
		ceiling("crypto-enc", "encryption", "seq-write")
		ceiling("crypto-dec", "decryption", "seq-read")
		loaded()
		afalg("gcm", "the kernel\047s gcm(aes)")
		afalg("ezn", "gcm(aes) as ezncryptfs seals")
		afalg("cbc", "cbc(aes), eCryptfs")
		afalg("xts", "xts(aes), fscrypt")
	}
	# What the table compares ezncryptfs with: not plaintext, not its own builds.
	function peer(fs) {
		return fs != "plain" && fs !~ /^ezn/
	}
	# Round by round, ezncryptfs against the best peer of that round: the
	# median ratio and the number of rounds in which it led.
	function by_round(row, order, n,   k, i, fs, best, m, led, tmp, j, ratio, med) {
		m = 0
		led = 0
		for (k = 1; k <= rounds; k++) {
			if (!((row, "ezncryptfs", k) in rv))
				continue
			best = 0
			for (i = 1; i <= n; i++) {
				fs = order[i]
				if (peer(fs) && ((row, fs, k) in rv) && rv[row, fs, k] > best)
					best = rv[row, fs, k]
			}
			if (best <= 0)
				continue
			ratio = rv[row, "ezncryptfs", k] / best
			if (ratio > 1)
				led++
			# Insertion sort: a handful of rounds.
			for (j = ++m; j > 1 && tmp[j - 1] > ratio; j--)
				tmp[j] = tmp[j - 1]
			tmp[j] = ratio
		}
		if (!m)
			return
		med = m % 2 ? tmp[(m + 1) / 2] : (tmp[m / 2] + tmp[m / 2 + 1]) / 2
		printf " %8.2fx %3d/%d", med, led, m
	}
	# What the module measured at load to pick its gcm(aes) (crypto-load-N).
	function loaded(   i, k, sep) {
		for (i = 1; ("crypto-load-" i) in crypto; i++) {
			k = "crypto-load-" i
			if (i == 1)
				printf "ezncryptfs at load (in the kernel, 4 KiB seals, one thread):"
			printf "%s %s %s MiB/s%s", sep, cname[k], crypto[k],
			       cunit[k] ~ /in-use/ ? " (in use)" : ""
			sep = ","
		}
		if (i > 1)
			printf "\n"
	}
	# A cipher through AF_ALG (a system call per 4 KiB block), as recorded:
	# crypto-afalg-enc-WHAT and crypto-afalg-dec-WHAT.
	function afalg(what, label,   e, d) {
		e = "crypto-afalg-enc-" what
		d = "crypto-afalg-dec-" what
		if (!(e in crypto))
			return
		printf "through AF_ALG from user space (a system call per 4 KiB block), %s: encryption %s %s",
		       label, crypto[e], unit_of(e)
		if (d in crypto)
			printf ", decryption %s MiB/s", crypto[d]
		printf "\n"
	}
	# "MiB/s(driver)" as recorded: "MiB/s (driver)".
	function unit_of(key,   s) {
		s = cunit[key]
		sub(/\(/, " (", s)
		return s
	}
	# ezncryptfs seals and opens runs of blocks on every CPU of the VM, so
	# its ceiling is the single-thread figure times the CPUs (of the kernel\047s
	# gcm(aes): tcrypt measures no other; ezncryptfs may use a faster one).
	function ceiling(key, what, row,   e, cpus) {
		if (!(key in crypto) || crypto[key] <= 0)
			return
		e = v[row, "ezncryptfs"]
		cpus = crypto["crypto-cpus"] > 0 ? crypto["crypto-cpus"] : 1
		printf "the kernel\047s gcm(aes), %s of 4 KiB blocks (tcrypt, in the kernel, one thread): %s %s", what,
		       crypto[key], unit_of(key)
		if (e != "")
			printf "; x %d CPUs = %.1f, of which ezncryptfs %s reaches %.0f%%", cpus,
			       crypto[key] * cpus, row, 100 * e / (crypto[key] * cpus)
		printf "\n"
	}' "$run/bench.tsv"
} >"$result"
cp "$result" "$out/latest.txt"
cat "$result"
