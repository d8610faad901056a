#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A disk that fills part-way through ezn-encrypt and ezn-decrypt: the
# free-space check passes, then a filler takes the room while the tool works
# (once its journal exists) and the copy hits ENOSPC. Each time: a clear
# "disk full" error naming the file, a non-zero exit, the bytes intact; then
# --rollback (the state before) and, with the room given back, --resume (the
# state asked for), both checked byte for byte.
# timeout: 900
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"

# The category's lower and the data's parent: small tmpfs file systems of
# their own, so that a filler can fill them.
lowerfs=/tmp/ezn-tools/full-lower
parfs=/srv/ezn-full
data=$parfs/data

cleanup() {
	tools_cleanup
	umount "$parfs" 2>/dev/null || true
	umount "$lowerfs" 2>/dev/null || true
}
trap cleanup EXIT

unload_module
tools_setup
mkdir -p "$lowerfs" "$parfs"
mount -t tmpfs -o size=48m fulllower "$lowerfs"
mount -t tmpfs -o size=44m fullpar "$parfs"
printf 'category backup %s %s\n' "$lowerfs/store" "$UPPER" >"$EZN_CONFIG_DIR/ezncrypt.conf"
ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "service start failed"

make_data "$data" 16
before=$(tree_sum "$data")

# fill_leaving FS MIB: a filler file on FS leaving about MIB MiB free.
fill_leaving() {
	local avail

	avail=$(df -k --output=avail "$1" | tail -n 1)
	avail=$((avail / 1024 - $2))
	[ "$avail" -gt 0 ] || return 0
	dd if=/dev/zero of="$1/filler" bs=1M count="$avail" status=none 2>/dev/null || true
}

# filled FS OP ARGS...: ezn-OP ARGS, with FS filled (4 MiB left) as soon as
# its journal exists, i.e. after its free-space check (stopped meanwhile, so
# that the filler wins the race); prints its output and returns its status.
# The tool and the watcher that stops it share one CPU, the watcher at a
# real-time priority: the tool gets no further than one 10 ms nap of the
# watcher past its journal, however slowly the host runs the VM.
filled() {
	local fs=$1 op=$2 pid st=0

	shift 2
	taskset -c 0 "ezn-$op" --passfile "$PASSFILE" "$@" >/tmp/ezn-tools/op.log 2>&1 &
	pid=$!
	chrt -f 10 taskset -c 0 bash -c '
		while kill -0 "$1" 2>/dev/null && [ -z "$(ls -A "$2" 2>/dev/null)" ]; do
			sleep 0.01
		done
		kill -STOP "$1" 2>/dev/null' watcher "$pid" "$EZN_STATE_DIR/journal" || true
	fill_leaving "$fs" 4
	kill -CONT "$pid" 2>/dev/null || true
	wait "$pid" || st=$?
	cat /tmp/ezn-tools/op.log
	return "$st"
}

# expect_disk_full WHAT OUTPUT FROM: the error says the disk is full and
# names a file under FROM, and tells how to resume or roll back.
expect_disk_full() {
	grep -qF -- "disk full: copying $3/" <<<"$2" || fail "$1: no 'disk full' naming a file: $2"
	grep -qF -- "No space left on device" <<<"$2" || fail "$1: no ENOSPC in: $2"
	grep -qF -- "--resume" <<<"$2" || fail "$1: no hint to resume: $2"
	[ -n "$(ls -A "$EZN_STATE_DIR/journal" 2>/dev/null)" ] || fail "$1: no journal left"
}

no_journal() {
	[ -z "$(ls -A "$EZN_STATE_DIR/journal" 2>/dev/null)" ] || fail "$1: journal left behind"
}

# --- encrypt, disk full midway, rolled back
out=$(filled "$lowerfs" encrypt @backup "$data") && fail "encrypt succeeded on a full disk: $out"
echo "$out"
expect_disk_full "encrypt" "$out" "$data"
[ -d "$data" ] && [ ! -L "$data" ] || fail "the failed encrypt moved $data"
expect_eq "bytes after the failed encrypt" "$before" "$(tree_sum "$data")"
out=$(ezn-encrypt --passfile "$PASSFILE" --rollback "$data" 2>&1) || fail "rollback: $out"
echo "$out"
[ -d "$data" ] && [ ! -L "$data" ] || fail "rollback left no directory"
expect_eq "bytes after the rollback" "$before" "$(tree_sum "$data")"
granted test -e "$UPPER$data" && fail "rollback left the encrypted copy"
granted test -e "$UPPER$parfs/.data.ezn-incoming" && fail "rollback left the staging copy"
no_journal "encrypt rollback"
rm -f "$lowerfs/filler"

# --- encrypt, disk full midway, room given back, resumed
out=$(filled "$lowerfs" encrypt @backup "$data") && fail "encrypt succeeded on a full disk: $out"
echo "$out"
expect_disk_full "encrypt again" "$out" "$data"
expect_eq "bytes after the second failed encrypt" "$before" "$(tree_sum "$data")"
rm -f "$lowerfs/filler"
out=$(ezn-encrypt --passfile "$PASSFILE" --resume "$data" 2>&1) || fail "resume: $out"
echo "$out"
[ -L "$data" ] || fail "resume left no link at $data"
expect_eq "bytes after the resumed encrypt" "$before" "$(granted_sum "$data")"
[ -e "$parfs/.data.ezn-orig" ] && fail "resume left the original"
no_journal "encrypt resume"

# --- decrypt, disk full midway (the data's parent), rolled back
out=$(filled "$parfs" decrypt "$data") && fail "decrypt succeeded on a full disk: $out"
echo "$out"
expect_disk_full "decrypt" "$out" "$UPPER$data"
[ -L "$data" ] || fail "the failed decrypt removed the link"
expect_eq "bytes after the failed decrypt" "$before" "$(granted_sum "$data")"
out=$(ezn-decrypt --passfile "$PASSFILE" --rollback "$data" 2>&1) || fail "decrypt rollback: $out"
echo "$out"
[ -L "$data" ] || fail "decrypt rollback left no link"
expect_eq "bytes after the decrypt rollback" "$before" "$(granted_sum "$data")"
[ -e "$parfs/.data.ezn-incoming" ] && fail "decrypt rollback left the staging copy"
no_journal "decrypt rollback"
rm -f "$parfs/filler"

# --- decrypt, disk full midway, room given back, resumed
out=$(filled "$parfs" decrypt "$data") && fail "decrypt succeeded on a full disk: $out"
echo "$out"
expect_disk_full "decrypt again" "$out" "$UPPER$data"
rm -f "$parfs/filler"
out=$(ezn-decrypt --passfile "$PASSFILE" --resume "$data" 2>&1) || fail "decrypt resume: $out"
echo "$out"
[ -d "$data" ] && [ ! -L "$data" ] || fail "decrypt resume left no directory"
expect_eq "bytes after the resumed decrypt" "$before" "$(tree_sum "$data")"
granted test -e "$UPPER$data" && fail "decrypt resume left the encrypted copy"
no_journal "decrypt resume"
echo "fullness case passed"
