# SPDX-License-Identifier: GPL-2.0
# Helpers for the tools' VM cases (tests/vm/cases/6*-tools-*.sh), sourced
# after tests/vm/lib.sh: a configuration directory in /tmp with a keystore
# and one category, the ezn binary and its links on PATH.

export PATH=$EZN_TOP/build/bin:$PATH
export EZN_CONFIG_DIR=/tmp/ezn-tools/etc
export EZN_LOG_DIR=/tmp/ezn-tools/log
export EZN_STATE_DIR=/tmp/ezn-tools/state
export EZN_MODULE=$EZN_KO
PASS="correct horse battery staple"
PASSFILE=/tmp/ezn-tools/pass

# tools_setup: a fresh keystore (fast KDF) for @backup, mounted from
# $LOWER/store on $UPPER.
tools_setup() {
	# a case killed by its timeout leaves its mounts behind
	awk '$2 ~ "^/tmp/ezn-tools" { print $2 }' /proc/mounts | sort -r |
		xargs -r -n 1 umount -l 2>/dev/null || true
	rm -rf /tmp/ezn-tools
	mkdir -p "$EZN_CONFIG_DIR"
	printf '%s\n' "$PASS" >"$PASSFILE"
	chmod 600 "$PASSFILE"
	printf 'category backup %s %s\n' "$LOWER/store" "$UPPER" >"$EZN_CONFIG_DIR/ezncrypt.conf"
	ezn key init --kdf interactive --passfile "$PASSFILE" >/dev/null 2>&1 ||
		fail "ezn key init failed"
}

# tools_start: a fresh keystore (tools_setup) and the service started on the
# module under test.
tools_start() {
	unload_module
	tools_setup
	ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "service start failed"
}

# tty_run "ANSWER1\nANSWER2" CMD...: run CMD on a pseudo-terminal (script),
# typing the answers when it prompts; prints what the terminal showed.
tty_run() {
	local answers=$1

	shift
	if [ ! -e /dev/pts/ptmx ]; then
		mkdir -p /dev/pts
		mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts || skip "no devpts"
	fi
	[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
	# Generous pauses: under a loaded host the prompt can take seconds to come.
	{ sleep 4; printf "$answers"; sleep 8; } |
		script -qec "$(printf '%q ' "$@")" /dev/null
}

tools_cleanup() {
	ezn service stop >/dev/null 2>&1 || true
	unload_module || true
}

# tree_sum DIR: a listing of DIR's entries (type, mode, name, link target)
# and the SHA-256 of every file, following DIR itself if it is a link.
tree_sum() {
	(cd "$1/" && find . -mindepth 1 -printf '%y %m %P %l\n' | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# make_data DIR [BIG_MIB]: a tree with files of many sizes, an empty file and
# directory, a symlink and odd modes.
make_data() {
	local d=$1 big=${2:-4} i

	mkdir -p "$d/sub/deeper" "$d/empty-dir"
	for i in $(seq 1 30); do
		head -c $((i * 7919)) /dev/urandom >"$d/sub/f$i"
	done
	head -c $((big * 1024 * 1024)) /dev/urandom >"$d/big.bin"
	echo "CREATE DATABASE secretschema;" >"$d/deeper-dump.sql"
	cp "$d/deeper-dump.sql" "$d/sub/deeper/dump.sql"
	: >"$d/empty"
	ln -s sub/f1 "$d/link-to-f1"
	chmod 640 "$d/sub/f2"
	chmod 700 "$d/sub/deeper"
}

# granted CMD...: CMD with a grant (the root shell of a test is denied).
granted() {
	ezn-run --passfile "$PASSFILE" -- "$@" 2>/dev/null
}

# granted_sum DIR: tree_sum with a grant.
granted_sum() {
	granted bash -c "$(declare -f tree_sum); tree_sum '$1'"
}
