# SPDX-License-Identifier: GPL-2.0
# Helpers for the access-control VM cases (tests/vm/cases/4*-acl-*.sh),
# sourced after tests/vm/lib.sh: a fresh module with a bound admin key, and
# ezn-acltest wrappers that check its "OK" / "ERR ERRNO" answers.

ACLTEST=$EZN_TOP/build/bin/ezn-acltest
ACL_KEY=/tmp/ezn-admin.key

acl() {
	"$ACLTEST" -k "$ACL_KEY" "$@"
}

# acl_ok ARGS...: the request must succeed.
acl_ok() {
	local out

	out=$(acl "$@" 2>&1) || fail "ezn-acltest $*: $out"
	printf '%s\n' "$out"
}

# acl_err ERRNO ARGS...: the request must fail with ERRNO.
acl_err() {
	local want=$1 out

	shift
	if out=$(acl "$@" 2>&1); then
		fail "ezn-acltest $*: succeeded ($out), expected $want"
	fi
	case "$out" in
	"ERR $want"*) echo "refused as expected: ezn-acltest $*: $out" ;;
	*) fail "ezn-acltest $*: expected ERR $want, got: $out" ;;
	esac
}

# acl_load_key FILE: FILE becomes the logon key ezncrypt:admin in @u.
acl_load_key() {
	local id

	id=$(keyctl search @u logon ezncrypt:admin 2>/dev/null) && keyctl unlink "$id" @u >/dev/null
	keyctl padd logon ezncrypt:admin @u <"$1" >/dev/null || fail "keyctl padd ezncrypt:admin"
}

# acl_fresh: reload the module, make and bind a new admin key (engaging
# access control), leaving the logon key in @u.
acl_fresh() {
	[ -x "$ACLTEST" ] || skip "ezn-acltest not built (make build/bin/ezn-acltest)"
	unload_module
	load_module
	head -c 32 /dev/urandom >"$ACL_KEY"
	acl_load_key "$ACL_KEY"
	acl_ok bind >/dev/null
}

# acl_fs_key / acl_mount CATEGORY / acl_umount: a mount of $LOWER on $UPPER.
acl_mount() {
	local id

	if ! keyctl search @u logon ezncrypt:acl-fs >/dev/null 2>&1; then
		head -c 32 /dev/urandom >/tmp/ezn-acl-fs.key
		keyctl padd logon ezncrypt:acl-fs @u </tmp/ezn-acl-fs.key >/dev/null ||
			fail "keyctl padd ezncrypt:acl-fs"
	fi
	mount -t ezncryptfs -o "key=ezncrypt:acl-fs,category=$1" "$LOWER" "$UPPER" ||
		fail "mount: $(dmesg | grep ezncryptfs | tail -n 3)"
}

acl_umount() {
	umount "$UPPER" || fail "umount $UPPER"
}

# expect_denied_log TYPE EXEC PATH: a DENIED line of that shape is in the log.
expect_denied_log() {
	local re="ezncryptfs: DENIED type=\"$1\" exec=\"$2\"( script=\"[^\"]*\")? comm=\"[^\"]*\" path=\"$3\" pid=[0-9]+ uid=[0-9]+"

	dmesg | grep -E -- "$re" >/dev/null ||
		fail "no DENIED line type=$1 exec=$2 path=$3 (log: $(dmesg | grep DENIED | tail -n 3))"
}
