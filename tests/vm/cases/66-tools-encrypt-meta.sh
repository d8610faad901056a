#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ezn-encrypt / ezn-decrypt keep what a directory holds besides bytes: hard
# links (one file under several names stays one file, both ways), user.*
# extended attributes and POSIX ACLs (access and default), through the
# encrypted mount and back, and in the safety copy (restored by GNU tar);
# an attribute the target refuses (user.* on a tmpfs lower, Linux 6.1) is a
# warning naming the file, not silence.
# timeout: 400
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"

noxfs=/tmp/ezn-tools/noxattr-lower

cleanup() {
	tools_cleanup
	umount "$noxfs" 2>/dev/null || true
}
trap cleanup EXIT

command -v setfattr >/dev/null && command -v getfattr >/dev/null || skip "no setfattr/getfattr"

# meta_sum DIR: the carried attributes of every entry but symlinks (name and
# value, hex) and the hard-link groups (each name with the first name of its
# file), sorted.
meta_sum() {
	(cd "$1/" &&
		find . -mindepth 1 ! -type l -print0 | LC_ALL=C sort -z |
		xargs -0 -r getfattr -h -e hex -m '^(user\.|system\.posix_acl_)' -d 2>/dev/null |
		awk '/^# file: /{ f = substr($0, 9); next } NF { print f, $0 }' | LC_ALL=C sort &&
		find . -type f -links +1 -printf '%P %i\n' | LC_ALL=C sort |
		awk '{ if (!($2 in f)) f[$2] = $1; print $1, "->", f[$2] }')
}

granted_meta() {
	granted bash -c "$(declare -f meta_sum); meta_sum '$1'"
}

tools_start

# On the scratch file system (ext4 or xfs: user xattrs and ACLs).
data=$LOWER/meta/data
make_data "$data" 2
ln "$data/sub/f3" "$data/hard-f3"
ln "$data/sub/f3" "$data/sub/deeper/hard-f3-again"
ln "$data/big.bin" "$data/sub/big-again"
setfattr -n user.origin -v backup-host "$data/sub/f4" || skip "no user xattrs on $EZN_LOWER_FS"
setfattr -n user.binary -v 0x00ff10 "$data/big.bin"
setfattr -n user.on-a-link -v shared "$data/sub/f3"
setfattr -n user.dir -v yes "$data/sub"
# user_obj rw, user 1000 r, group_obj r, mask r, other none
acl=0x0200000001000600ffffffff02000400e803000004000400ffffffff10000400ffffffff20000000ffffffff
setfattr -n system.posix_acl_access -v "$acl" "$data/sub/f5" || skip "no ACLs on $EZN_LOWER_FS"
setfattr -n system.posix_acl_default -v "$acl" "$data/sub/deeper"
before=$(tree_sum "$data")
meta_before=$(meta_sum "$data")
echo "$meta_before"
for want in "sub/f4 user.origin=" "big.bin user.binary=0x00ff10" "sub/f5 system.posix_acl_access=" \
	    "sub/deeper system.posix_acl_default=" "sub/deeper/hard-f3-again -> hard-f3" \
	    "sub/big-again -> big.bin"; do
	grep -qF -- "$want" <<<"$meta_before" || fail "the test tree lacks '$want'"
done

out=$(ezn-encrypt --passfile "$PASSFILE" @backup "$data" 2>&1) || fail "encrypt failed: $out"
echo "$out"
grep -q "warning: .*extended attribute" <<<"$out" && fail "attributes not carried: $out"
[ -L "$data" ] || fail "$data is not a link after encrypt"
expect_eq "bytes through the link" "$before" "$(granted_sum "$data")"
expect_eq "links, attributes and ACLs through the link" "$meta_before" "$(granted_meta "$data")"
# the lower store holds one file for the three names
n=$(find "$LOWER/store" -type f -links 3 -printf '%i\n' | sort -u | wc -l)
expect_eq "files with three links in the lower store" 1 "$n"
# so does the safety copy, with the attributes and ACLs: GNU tar restores it
safety=$(ls -t "$EZN_STATE_DIR"/safety/*.tar.zst | head -n 1)
restored=$LOWER/meta/restored
mkdir "$restored"
tar --zstd --xattrs --xattrs-include='*' --acls -xpf "$safety" -C "$restored" ||
	fail "tar cannot restore the safety copy $safety"
expect_eq "bytes in the safety copy" "$before" "$(tree_sum "$restored/data")"
expect_eq "links, attributes and ACLs in the safety copy" "$meta_before" \
	"$(meta_sum "$restored/data")"
rm -r "$restored"

out=$(ezn-decrypt --passfile "$PASSFILE" "$data" 2>&1) || fail "decrypt failed: $out"
echo "$out"
grep -q "warning: .*extended attribute" <<<"$out" && fail "attributes not carried back: $out"
[ -d "$data" ] && [ ! -L "$data" ] || fail "$data is not a directory after decrypt"
expect_eq "bytes after decrypt" "$before" "$(tree_sum "$data")"
expect_eq "links, attributes and ACLs after decrypt" "$meta_before" "$(meta_sum "$data")"

# A category whose lower is a tmpfs: Linux 6.1's tmpfs refuses user.*
# attributes. The move succeeds, with a warning naming the file and the
# attribute; the ACL (which tmpfs keeps) is carried.
mkdir -p "$noxfs"
mount -t tmpfs -o size=32m noxattr "$noxfs"
if touch "$noxfs/probe" && setfattr -n user.probe -v 1 "$noxfs/probe" 2>/dev/null; then
	echo "this tmpfs keeps user xattrs: no refusal to see"
else
	rm -f "$noxfs/probe"
	printf 'category notx %s %s\n' "$noxfs/store" /tmp/ezn-tools/notx-mnt \
		>>"$EZN_CONFIG_DIR/ezncrypt.conf"
	ezn-key add --passfile "$PASSFILE" @notx >/dev/null 2>&1 || fail "key add @notx"
	ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "start with @notx"
	small=$LOWER/meta/small
	mkdir -p "$small"
	echo "a row" >"$small/rows"
	setfattr -n user.kept -v no "$small/rows"
	setfattr -n system.posix_acl_access -v "$acl" "$small/rows"
	small_before=$(tree_sum "$small")
	out=$(ezn-encrypt --passfile "$PASSFILE" @notx "$small" 2>&1) || fail "encrypt @notx: $out"
	echo "$out"
	grep -qF -- "warning: $small/rows: extended attribute user.kept not carried" <<<"$out" ||
		fail "no warning naming the file and the attribute: $out"
	expect_eq "bytes in @notx" "$small_before" "$(granted_sum "$small")"
	got=$(granted getfattr -h -e hex -n system.posix_acl_access "$small/rows") || true
	grep -qF -- "$acl" <<<"$got" || fail "the ACL was not carried to @notx: $got"
fi
echo "meta case passed"
