# lowers: ext4 xfs tmpfs
# Each declared lower filesystem is a fresh, writable mount of that type.
source "$EZN_TOP/tests/vm/lib.sh"
fstype=$(stat -f -c %T "$LOWER")
case "$EZN_LOWER_FS" in
ext4) expect_eq "fs type" ext2/ext3 "$fstype" ;;
*) expect_eq "fs type" "$EZN_LOWER_FS" "$fstype" ;;
esac
[ -z "$(ls -A "$LOWER")" ] || fail "scratch lower is not empty"
echo data >"$LOWER/f"
module_loaded || fail "module not loaded"
