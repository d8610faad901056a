#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ezn key rotate @backup, online: files written before read back identically
# after the rotation without a remount and after a service restart; ezn-recover
# verifies everything with the new key and refuses the old one; a file open
# across the rotation keeps reading; new files are under the new key; no data
# block is re-encrypted; a rotation killed with -9 midway (many small files)
# still reads back, survives a service restart, and is finished by running the
# command again. The access list is put in admin mode (root allowed and
# logged) once, so that reading through the mount needs no ezn-run (every
# keystore unlock costs an Argon2id run, slow on an emulated CPU).
# timeout: 300
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"
trap tools_cleanup EXIT

KSTEST=$EZN_TOP/build/bin/ezn-kstest
RECOVER=$EZN_TOP/build/bin/ezn-recover
T=/tmp/ezn-tools
STORE=$LOWER/store

unload_module
tools_setup

# key_of FILE: the hex key id in a lower file's header (or the marker's, -m).
key_of() {
	if [ "$1" = -m ]; then
		od -An -tx1 -j16 -N16 "$STORE/.ezncryptfs" | tr -d ' \n'
	else
		od -An -tx1 -j32 -N16 "$1" | tr -d ' \n'
	fi
}

# many_ids: "COUNT KEYID" for the key ids in the headers of many/f1..f3000,
# read by one process (bytes 32..47 of each file's first 48).
many_ids() {
	(cd "$STORE/many" && head -q -c 48 f{1..3000}) | od -An -v -tx1 -w48 | cut -c 97- |
		tr -d ' ' | sort | uniq -c | sed 's/^ *//'
}

# data_sums: the SHA-256 of every lower file past its header (the data and
# metadata blocks), which a rotation must not touch.
data_sums() {
	(cd "$STORE" && find . -type f ! -name .ezncryptfs ! -path './many/*' -print0 |
		LC_ALL=C sort -z | while IFS= read -r -d '' f; do
			printf '%s %s\n' "$(tail -c +4097 "$f" | sha256sum | cut -d' ' -f1)" "$f"
		done
	 [ ! -d many ] || echo "many/ $(cd many && tail -q -c +4097 f{1..3000} | sha256sum)")
}

# keys: the category's keys into $T/current.key (and $T/pending.key).
keys() {
	"$KSTEST" "$PASSFILE" backup "$T" || fail "cannot read the keystore"
}

ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "service start failed"
ezn-acl --passfile "$PASSFILE" --mode admin >/dev/null 2>&1 || fail "acl admin mode"
make_data "$T/data" 2
cp -a "$T/data/." "$UPPER/" || fail "copy into the mount failed"
sync
ref=$(tree_sum "$T/data")
expect_eq "tree before rotation" "$ref" "$(tree_sum "$UPPER")"
keys
cp "$T/current.key" "$T/old.key"
old_id=$(key_of -m)
expect_eq "headers under the marker's key" "$old_id" "$(key_of "$STORE/big.bin")"
# A file written just before the rotation and still only in the page cache
# (periodic writeback held off, and its writer keeps it open: the last
# writer's close starts writeback): its lower file is empty, so the walk
# finds no header to rewrap; its first writeback must wrap it under the new
# key.
wb_centisecs=$(cat /proc/sys/vm/dirty_writeback_centisecs)
echo 0 >/proc/sys/vm/dirty_writeback_centisecs
exec 4>"$UPPER/unsynced.txt"
echo "written before the rotation, not on disk yet" >&4
expect_eq "lower size of unsynced.txt before writeback" 0 "$(stat -c %s "$STORE/unsynced.txt")"
blocks_before=$(data_sums)

# A reader holds big.bin open across the rotation.
rm -f "$T/opened" "$T/rotated"
bash -c "exec 3<'$UPPER/big.bin'
	dd bs=1M count=1 iflag=fullblock <&3 >'$T/part1' 2>/dev/null
	touch '$T/opened'
	while [ ! -e '$T/rotated' ]; do sleep 0.1; done
	echo 3 >/proc/sys/vm/drop_caches
	cat <&3 >'$T/part2'" &
reader=$!
for _ in $(seq 100); do [ -e "$T/opened" ] && break; sleep 0.1; done
[ -e "$T/opened" ] || fail "the reader did not start"

out=$(ezn key rotate @backup --passfile "$PASSFILE" 2>&1) || fail "rotate failed: $out"
echo "$out"
echo "$out" | grep -q "@backup: new master key" || fail "rotate output: $out"
touch "$T/rotated"
wait "$reader" || fail "the reader failed across the rotation"
cat "$T/part1" "$T/part2" | cmp - "$T/data/big.bin" || fail "the open file read differently"

keys
cp "$T/current.key" "$T/new.key"
cmp -s "$T/old.key" "$T/new.key" && fail "the key did not change"
[ -e "$T/pending.key" ] && fail "a pending key is left"
new_id=$(key_of -m)
[ "$new_id" != "$old_id" ] || fail "the marker still has the old key id"
for f in big.bin sub/f1 sub/f30 sub/deeper/dump.sql deeper-dump.sql; do
	expect_eq "key id of $f" "$new_id" "$(key_of "$STORE/$f")"
done
expect_eq "data blocks untouched" "$blocks_before" "$(data_sums)"
expect_eq "tree after rotation, no remount" "$ref" "$(tree_sum "$UPPER" | grep -v unsynced.txt)"
echo "$wb_centisecs" >/proc/sys/vm/dirty_writeback_centisecs
exec 4>&-
sync
expect_eq "key id of unsynced.txt, written back after the rotation" "$new_id" \
	"$(key_of "$STORE/unsynced.txt")"

echo "written after the rotation" >"$T/after.txt"
cp "$T/after.txt" "$UPPER/after.txt" || fail "new file after rotation"
sync
expect_eq "new file under the new key" "$new_id" "$(key_of "$STORE/after.txt")"

out=$("$RECOVER" --key-file "$T/new.key" "$STORE" 2>&1) || fail "ezn-recover, new key: $out"
rc=0
"$RECOVER" --key-file "$T/old.key" "$STORE" >/dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "ezn-recover accepted the old key"

ezn-service stop >/dev/null 2>&1 || fail "service stop failed"
ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "restart after rotation"
expect_eq "tree after restart" "$ref" "$(tree_sum "$UPPER" | grep -v 'after.txt\|unsynced.txt')"
expect_eq "unsynced.txt after restart" "written before the rotation, not on disk yet" \
	"$(cat "$UPPER/unsynced.txt")"
expect_eq "new file after restart" "written after the rotation" "$(cat "$UPPER/after.txt")"

# --- interrupted: many small files, kill -9 while headers are being rewrapped.
# Creating thousands of files through the mount is slow on an emulated CPU;
# copies of one lower file are valid files too (the header and the blocks
# name the file id, not the path), so they are made below the mount.
echo "a small file" >"$T/small.txt"
cp "$T/small.txt" "$UPPER/small.txt" || fail "small file"
sync
mkdir "$STORE/many"
(ulimit -n 4096 && cd "$STORE/many" && tee f{1..3000} <"$STORE/small.txt" >/dev/null) ||
	fail "copying the small files failed"
sync
# Reading thousands of files through the mount is slow too: the mount reads a
# sample (and the rest of the tree), ezn-recover checks every file.
sample_ok() {
	expect_eq "$1: sample of many/" "50 a small file" \
		"$( (cd "$UPPER/many" && cat f{1..3000..60}) | uniq -c | sed 's/^ *//')"
	expect_eq "$1: sub/" "$subref" "$(tree_sum "$UPPER/sub")"
	expect_eq "$1: big.bin" "$(sha256sum <"$T/data/big.bin")" "$(sha256sum <"$UPPER/big.bin")"
}
subref=$(tree_sum "$T/data/sub")
cp "$T/new.key" "$T/old.key"
old_id=$new_id
blocks_before=$(data_sums)

setsid ezn key rotate @backup --passfile "$PASSFILE" >"$T/rot1.out" 2>&1 &
rot=$!
handed_over() { [ "$(key_of -m)" != "$old_id" ]; }
wait_for 60 "the rotation never handed its key over" handed_over
# Kill it once it has rewrapped some of many/ (a header rewritten in place
# changes its file's ctime): a fixed delay is too short on a debug kernel.
touch "$T/handover"
for _ in $(seq 1200); do
	[ -n "$(find "$STORE/many" -cnewer "$T/handover" -print -quit)" ] && break
	sleep 0.05
done
kill -9 "$rot" 2>/dev/null
wait "$rot" 2>/dev/null || true
cat "$T/rot1.out"
grep -q "new master key" "$T/rot1.out" && fail "the rotation finished before it was killed"
keys
[ -e "$T/pending.key" ] || fail "no journal after kill -9"
cp "$T/pending.key" "$T/journal.key"
new_id=$(key_of -m)
ids=$(many_ids)
echo "$ids"
n_old=$(echo "$ids" | awk -v id="$old_id" '$2 == id { print $1 }')
n_new=$(echo "$ids" | awk -v id="$new_id" '$2 == id { print $1 }')
expect_eq "headers under the old or the new key" 3000 "$((${n_old:-0} + ${n_new:-0}))"
echo "interrupted: $n_new header(s) rewrapped, $n_old under the old key"
[ "${n_old:-0}" -gt 0 ] && [ "${n_new:-0}" -gt 0 ] || fail "not interrupted midway ($n_new/$n_old)"
sample_ok "interrupted rotation"

# A service restart in the middle mounts with both keys.
ezn-service stop >/dev/null 2>&1 || fail "service stop (interrupted)"
out=$(ezn-service start --passfile "$PASSFILE" 2>&1) || fail "start, interrupted: $out"
grep " $UPPER " /proc/mounts | grep -q "oldkey=ezncrypt:backup#old" ||
	fail "mid-rotation mount without oldkey: $(grep " $UPPER " /proc/mounts)"
sample_ok "interrupted, restarted"

out=$(ezn key rotate @backup --passfile "$PASSFILE" 2>&1) || fail "resume failed: $out"
echo "$out"
echo "$out" | grep -q "resuming an interrupted rotation" || fail "did not resume: $out"
keys
cp "$T/current.key" "$T/new.key"
cmp -s "$T/journal.key" "$T/new.key" || fail "the resumed rotation changed the new key again"
[ -e "$T/pending.key" ] && fail "a pending key is left after resume"
expect_eq "every header rewrapped after resume" "3000 $new_id" "$(many_ids)"
expect_eq "data blocks untouched (interrupted)" "$blocks_before" "$(data_sums)"
sample_ok "after resume"
out=$("$RECOVER" --key-file "$T/new.key" "$STORE" 2>&1) || fail "ezn-recover after resume: $out"
"$RECOVER" --key-file "$T/old.key" "$STORE" >/dev/null 2>&1 &&
	fail "ezn-recover accepted the retired key"

ezn-service stop >/dev/null 2>&1 || fail "final stop"
ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "final start"
grep " $UPPER " /proc/mounts | grep -q oldkey && fail "oldkey after the rotation finished"
sample_ok "after the final restart"
echo "rotate case passed"
