#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ezn-encrypt and ezn-decrypt killed with SIGKILL at random points, then
# --resume or --rollback (chosen at random): the directory's bytes are
# intact every time and the state is the one asked for.
# timeout: 600
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"
trap tools_cleanup EXIT

tools_start

data=/srv/ezn-kill/data
rounds=${EZN_KILL_ROUNDS:-12}
RANDOM=${EZN_SEED:-$$}
echo "seed $RANDOM, $rounds rounds"

# interrupt OP ARGS...: run ezn-OP, kill -9 after a random delay, then finish
# or undo at random. Prints "resumed", "rolled back" or "completed".
interrupt() {
	local op=$1 pid delay out how st ms

	shift
	"ezn-$op" --passfile "$PASSFILE" "$@" >/tmp/ezn-tools/op.log 2>&1 &
	pid=$!
	# the passphrase's KDF is slow under TCG: start the clock once the
	# journaled work has begun (or the command has ended)
	while kill -0 "$pid" 2>/dev/null && ! ls -A "$EZN_STATE_DIR/journal" 2>/dev/null | grep -q .; do
		sleep 0.05
	done
	# decrypt has no safety copy to make: it is done sooner
	ms=$((RANDOM % ${EZN_KILL_MAX_MS:-2500}))
	[ "$op" = encrypt ] || ms=$((ms / 3))
	delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	st=0
	wait "$pid" 2>/dev/null || st=$?
	[ "$st" = 0 ] || [ "$st" = 137 ] || fail "ezn-$op failed by itself (exit $st): $(cat /tmp/ezn-tools/op.log)"
	if [ $((RANDOM % 2)) = 0 ]; then how=--resume; else how=--rollback; fi
	if out=$("ezn-$op" --passfile "$PASSFILE" "$how" "$data" 2>&1); then
		echo "$op killed after ${delay}s: $how done" >&2
		if [ "$how" = --resume ] || echo "$out" | grep -q "finishing instead"; then
			echo resumed
		else
			echo "rolled back"
		fi
	elif echo "$out" | grep -q "no interrupted operation"; then
		if [ "$st" = 0 ]; then
			echo "$op finished before the kill (${delay}s)" >&2
			echo completed
		else
			echo "$op killed at ${delay}s before it began" >&2
			echo "not started"
		fi
	else
		fail "$op $how after a kill at ${delay}s: $out"
	fi
}

rm -rf /srv/ezn-kill
make_data "$data" 24
before=$(tree_sum "$data")
for r in $(seq 1 "$rounds"); do
	if [ -L "$data" ]; then
		res=$(interrupt decrypt "$data")
		case "$res" in
		"rolled back") [ -L "$data" ] || fail "round $r: decrypt rollback left no link" ;;
		resumed) [ -d "$data" ] && [ ! -L "$data" ] || fail "round $r: decrypt left no directory" ;;
		esac
	else
		res=$(interrupt encrypt @backup "$data")
		case "$res" in
		"rolled back")
			[ -d "$data" ] && [ ! -L "$data" ] || fail "round $r: rollback left no directory"
			granted test -e "$UPPER$data" && fail "round $r: rollback left the encrypted copy" ;;
		resumed) [ -L "$data" ] || fail "round $r: encrypt left no link" ;;
		esac
	fi
	expect_eq "round $r ($res): the bytes" "$before" "$(granted_sum "$data")"
	ls -A "$EZN_STATE_DIR/journal" 2>/dev/null | grep -q . && fail "round $r: journal left behind"
	ls -A "$(dirname "$data")" | grep -q ezn- && fail "round $r: leftovers: $(ls -A "$(dirname "$data")")"
	rm -f "$EZN_STATE_DIR"/safety/*
done
echo "interrupt case passed"
