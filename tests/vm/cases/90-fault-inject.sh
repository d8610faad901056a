#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection (debug kernel only): failslab and fail_page_alloc armed for
# sleeping allocations too, and /proc/thread-self/fail-nth swept so that each
# fault-injectable call made by one system call fails in turn: mount, create,
# open (header read), write, fsync, read, truncates that shrink and grow a
# file, a write past its short last block, rename, unlink and umount
# (ezn-failnth), then policy load over netlink (ezn-acltest add and replace
# with EZN_FAIL_NTH). Every call must fail with an errno or succeed; a failed
# policy replace leaves the old policy whole. Then a short random phase:
# task-filtered failslab (make-it-fail) with probability and times over a
# file copy. The harness fails the case on any oops, WARN or KASAN report;
# here: no new kmemleak object, and the module unloads.
# lowers: tmpfs
# timeout: 900
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/acl-lib.sh"

dbg=/sys/kernel/debug
mountpoint -q $dbg || mount -t debugfs debugfs $dbg 2>/dev/null || true
[ -d $dbg/failslab ] || skip "no failslab in this kernel (make check-debug)"
[ -e /proc/thread-self/fail-nth ] || skip "no fail-nth in this kernel"
FAILNTH=$EZN_TOP/build/bin/ezn-failnth
[ -x "$FAILNTH" ] || skip "ezn-failnth not built"
[ -x "$ACLTEST" ] || skip "ezn-acltest not built"

# Leaks already reported before this case are not ours.
kmemleak=$dbg/kmemleak
leaks() {
	[ -e $kmemleak ] || return 0
	echo scan >$kmemleak
	sleep 6
	echo scan >$kmemleak
	grep -o '^unreferenced object 0x[0-9a-f]*' $kmemleak | sort || true
}
leaks >/tmp/fi-leaks-before

# fault_set DIR: only fail-nth injects (probability 0), sleeping allocations
# included, no stack dumps. fault_reset puts the defaults
# back, whatever happens to the case.
fault_set() {
	echo 0 >$dbg/$1/probability
	echo 0 >$dbg/$1/verbose
	echo N >$dbg/$1/ignore-gfp-wait
	echo N >$dbg/$1/task-filter
	echo -1 >$dbg/$1/times
	echo 0 >$dbg/$1/space
	echo 1 >$dbg/$1/interval
}
fault_reset() {
	local d

	for d in failslab fail_page_alloc; do
		echo 0 >$dbg/$d/probability
		echo Y >$dbg/$d/ignore-gfp-wait
		echo N >$dbg/$d/task-filter
		echo 2 >$dbg/$d/verbose
	done
	echo 1 >$dbg/fail_page_alloc/min-order
	echo Y >$dbg/fail_page_alloc/ignore-gfp-highmem
	echo 0 >/proc/self/make-it-fail 2>/dev/null || true
	umount "$UPPER" 2>/dev/null || true
}
trap fault_reset EXIT
fault_set failslab
fault_set fail_page_alloc
# Single pages and page cache pages (highmem-capable) too.
echo 0 >$dbg/fail_page_alloc/min-order
echo N >$dbg/fail_page_alloc/ignore-gfp-highmem

unload_module
load_module
id=$(keyctl search @u logon ezncrypt:fi 2>/dev/null) && keyctl unlink "$id" @u >/dev/null
head -c 32 /dev/urandom | keyctl padd logon ezncrypt:fi @u >/dev/null || fail "keyctl padd"
opts=key=ezncrypt:fi,category=fi
# The first mount writes the lower root's marker; sweep the later ones.
mount -t ezncryptfs -o "$opts" "$LOWER" "$UPPER" || fail "first mount"
umount "$UPPER"

points=0
for op in mount create open write fsync read shrink grow extend rename unlink umount; do
	out=$("$FAILNTH" "$op" "$LOWER" "$UPPER" "$opts" 2>&1) || {
		printf '%s\n' "$out" | tail -n 20
		fail "ezn-failnth $op"
	}
	summary=$(printf '%s\n' "$out" | tail -n 1)
	echo "$summary; errnos: $(printf '%s\n' "$out" | sed -n 's/^[a-z]* N=[0-9]* //p' |
		sort | uniq -c | tr -s ' \n' ' ')"
	n=${summary#*: }
	points=$((points + ${n%% *}))
done
[ "$points" -gt 0 ] || fail "no fault point reached"

# The filesystem works after all that, and what was written reads back.
mount -t ezncryptfs -o "$opts" "$LOWER" "$UPPER" || fail "mount after the sweeps"
head -c 300000 /dev/urandom >/tmp/fi-data
cp /tmp/fi-data "$UPPER/after" && sync
umount "$UPPER"
mount -t ezncryptfs -o "$opts" "$LOWER" "$UPPER" || fail "remount after the sweeps"
cmp /tmp/fi-data "$UPPER/after" || fail "data written after the sweeps reads back wrong"
ls -la "$UPPER" >/dev/null || fail "readdir after the sweeps"
umount "$UPPER"

# Policy load over netlink: each fault point of an add and of a replace.
# acl_sweep OLDCOUNT NEWCOUNT ARGS...: the command fails with an errno (the
# policy then still has OLDCOUNT rules) or succeeds (NEWCOUNT), until a run
# without a fault; after each success the old policy is put back. When the
# fault hits the reply (the admin library's EIO: ack or copy to the caller
# lost), the change may have been applied: the policy is then the new one,
# never a part of it.
acl_sweep() {
	local old=$1 new=$2 n out rules

	shift 2
	for ((n = 1; n < 5000; n++)); do
		out=$(EZN_FAIL_NTH=$n "$ACLTEST" -k "$ACL_KEY" "$@" 2>&1) || true
		rules=$(acl status | sed -n 's/.*rules=\([0-9]*\).*/\1/p')
		case "$out" in
		*"FAULT none"*OK*) [ "$rules" = "$new" ] || fail "$*: $rules rules, not $new"
			echo "acl $1: $((n - 1)) fault points"
			acl_ok replace /tmp/fi-policy-old >/dev/null
			return 0 ;;
		*"FAULT injected"*OK*) [ "$rules" = "$new" ] || fail "$* (N=$n): $rules rules" ;;
		*"FAULT injected"*"ERR EIO"*) [ "$rules" = "$old" ] || [ "$rules" = "$new" ] ||
			fail "$* failed (N=$n: $out) and left $rules rules, not $old or $new"
			# The library's transport error: the reply may be what was lost.
			[ "$rules" = "$old" ] || echo "acl $1: N=$n: applied, reply lost (EIO)" ;;
		*"FAULT injected"*"ERR E"*) [ "$rules" = "$old" ] ||
			fail "$* failed (N=$n: $out) but left $rules rules, not $old" ;;
		*) fail "$* (N=$n): unexpected: $out" ;;
		esac
		if [ "$rules" = "$new" ]; then
			acl_ok replace /tmp/fi-policy-old >/dev/null
		fi
	done
	fail "$*: still injecting after $n calls"
}
# The rules' executables are copies on the guest's tmpfs: under fault
# injection the 9p client that serves the root breaks for good (every later
# open fails with EINVAL), which is not this module's to test.
cp /usr/bin/true /usr/local/bin/fi-true
cp /usr/bin/cat /usr/local/bin/fi-cat
cp /usr/bin/head /usr/local/bin/fi-head
head -c 32 /dev/urandom >"$ACL_KEY"
acl_load_key "$ACL_KEY"
acl_ok bind >/dev/null
acl_ok mode permissive >/dev/null
echo "ALLOW @fi * /usr/local/bin/fi-true" >/tmp/fi-policy-old
cat >/tmp/fi-policy-new <<'P'
ALLOW @fi * /usr/local/bin/fi-true
ALLOW @fi data/** /usr/local/bin/fi-cat
DENY @fi data/secret /usr/local/bin/fi-cat --children=/usr/local/bin/fi-head
P
acl_ok replace /tmp/fi-policy-old >/dev/null
acl_sweep 1 2 add "ALLOW @fi logs/*.log /usr/local/bin/fi-true"
acl_sweep 1 3 replace /tmp/fi-policy-new

# Random phase: failslab task-filtered to one subshell, a fifth of its
# sleeping allocations failing, at most 50 of them, after the first 64 KiB.
# The subshell runs bash builtins only: an exec would load from the 9p root.
fault_reset
echo N >$dbg/failslab/ignore-gfp-wait
echo 0 >$dbg/failslab/verbose
mount -t ezncryptfs -o "$opts" "$LOWER" "$UPPER" || fail "mount for the random phase"
text=$(head -c 150000 /dev/urandom | base64 -w 100)
for round in 1 2 3 4 5; do
	echo Y >$dbg/failslab/task-filter
	echo 50 >$dbg/failslab/times
	echo 65536 >$dbg/failslab/space
	echo 20 >$dbg/failslab/probability
	(
		echo 1 >/proc/self/make-it-fail
		printf '%s\n' "$text" >"$UPPER/random-$round"
		read -r -d "" back <"$UPPER/random-$round" || true
		echo 0 >/proc/self/make-it-fail
		[ "$back" = "$text" ] || echo "round $round: read back differs (a failed write)"
	) 2>&1 || true
	echo 0 >$dbg/failslab/probability
	rm -f "$UPPER/random-$round" || fail "unlink after the random round $round"
done
umount "$UPPER" || fail "umount after the random phase"
fault_reset

# Whatever failed, the module lets go of everything.
unload_module || fail "the module does not unload after the fault injection"
leaks >/tmp/fi-leaks-after
new=$(comm -13 /tmp/fi-leaks-before /tmp/fi-leaks-after)
if [ -n "$new" ]; then
	cat $kmemleak | head -n 60
	fail "kmemleak: new unreferenced objects after the fault injection"
fi
echo "fault injection: $points fault points in the file system sweeps, all clean"
