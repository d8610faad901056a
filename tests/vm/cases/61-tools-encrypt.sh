#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ezn-encrypt / ezn-decrypt round trip: the data moves into the category's
# mount and a link is left in its place, checksums identical through the
# link, no cleartext in the lower store, a safety copy kept; the checks refuse
# an already protected directory, a mount point, a directory inside the mount
# and a wrong passphrase; ezn-decrypt brings the same bytes back.
# timeout: 600
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/tools-lib.sh"
trap tools_cleanup EXIT

tools_start

data=/srv/ezn-data/mysql/backup/encrypted
rm -rf /srv/ezn-data
make_data "$data"
before=$(tree_sum "$data")

# a wrong passphrase changes nothing
printf 'wrong horse battery staple\n' >/tmp/ezn-tools/wrong
chmod 600 /tmp/ezn-tools/wrong
rc=$(ezn-encrypt --passfile /tmp/ezn-tools/wrong @backup "$data" >/dev/null 2>&1; echo $?)
expect_eq "encrypt with a wrong passphrase" 5 "$rc"
[ -d "$data" ] && [ ! -L "$data" ] || fail "a wrong passphrase changed $data"

out=$(ezn-encrypt --passfile "$PASSFILE" @backup "$data" 2>&1) || fail "encrypt failed: $out"
echo "$out"
for want in "Checking $data ... done!" "Checking free space" "is now encrypted"; do
	echo "$out" | grep -qF -- "$want" || fail "encrypt output lacks '$want'"
done
[ -L "$data" ] || fail "$data is not a link after encrypt"
expect_eq "link target" "$UPPER$data" "$(readlink "$data")"
expect_eq "checksums through the link" "$before" "$(granted_sum "$data")"
grep -rq "secretschema" "$LOWER/store" && fail "cleartext in the lower store"
ls "$EZN_STATE_DIR"/safety/*.tar.zst >/dev/null || fail "no safety copy"
[ -s "$(ls "$EZN_STATE_DIR"/safety/*.tar.zst | head -n 1)" ] || fail "empty safety copy"
ls -A "$EZN_STATE_DIR/journal" 2>/dev/null | grep -q . && fail "journal left behind"
[ -e "$(dirname "$data")/.encrypted.ezn-orig" ] && fail "original left behind"

# the data survives a service restart
ezn-service restart --passfile "$PASSFILE" >/dev/null 2>&1 || fail "restart failed"
expect_eq "checksums after restart" "$before" "$(granted_sum "$data")"

# refusals
out=$(ezn-encrypt --passfile "$PASSFILE" @backup "$data" 2>&1) && fail "encrypted twice"
echo "$out" | grep -q "already protected" || fail "second encrypt: $out"
out=$(ezn-encrypt --passfile "$PASSFILE" @backup /sys 2>&1) && fail "encrypted /sys"
echo "$out" | grep -q "mount point" || fail "mount point: $out"
granted mkdir -p "$UPPER/inside" || fail "mkdir in the mount"
out=$(ezn-encrypt --passfile "$PASSFILE" @backup "$UPPER/inside" 2>&1) && fail "encrypted inside"
echo "$out" | grep -q "inside" || fail "inside the mount: $out"
out=$(ezn-encrypt --passfile "$PASSFILE" @nosuch /srv 2>&1) && fail "unknown category"
echo "$out" | grep -q "@nosuch is not in" || fail "unknown category: $out"
out=$(ezn-encrypt --passfile "$PASSFILE" backup /srv 2>&1) && fail "category without @"
echo "$out" | grep -q "categories are written @NAME" || fail "bad category: $out"

# not enough room in a category's lower file system: refused before any write
mkdir -p /tmp/ezn-tools/tiny
mount -t tmpfs -o size=2m tiny /tmp/ezn-tools/tiny
printf 'category tiny /tmp/ezn-tools/tiny/lower /tmp/ezn-tools/tiny-mnt\n' >>"$EZN_CONFIG_DIR/ezncrypt.conf"
ezn-key add --passfile "$PASSFILE" @tiny >/dev/null 2>&1 || fail "key add @tiny"
ezn-service start --passfile "$PASSFILE" >/dev/null 2>&1 || fail "start with @tiny"
make_data /srv/ezn-data/big 6
big_before=$(tree_sum /srv/ezn-data/big)
out=$(ezn-encrypt --passfile "$PASSFILE" @tiny /srv/ezn-data/big 2>&1) && fail "encrypted into a full fs"
echo "$out"
echo "$out" | grep -q "not enough space" || fail "free-space refusal: $out"
[ -d /srv/ezn-data/big ] && [ ! -L /srv/ezn-data/big ] || fail "refusal changed the directory"
expect_eq "data after the refusal" "$big_before" "$(tree_sum /srv/ezn-data/big)"
ls "$EZN_STATE_DIR/journal" 2>/dev/null | grep -q . && fail "journal left by a refusal"
umount /tmp/ezn-tools/tiny-mnt
umount /tmp/ezn-tools/tiny
sed -i '/^category tiny/d' "$EZN_CONFIG_DIR/ezncrypt.conf"

out=$(ezn-decrypt --passfile "$PASSFILE" "$data" 2>&1) || fail "decrypt failed: $out"
echo "$out"
[ -d "$data" ] && [ ! -L "$data" ] || fail "$data is not a directory after decrypt"
expect_eq "checksums after decrypt" "$before" "$(granted_sum "$data")"
granted test -e "$UPPER$data" && fail "the encrypted copy is still in the mount"
out=$(ezn-decrypt --passfile "$PASSFILE" "$data" 2>&1) && fail "decrypted a plain directory"
echo "$out" | grep -q "not a link into an encrypted category" || fail "decrypt plain: $out"
echo "encrypt case passed"
