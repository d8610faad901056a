# timeout: 120
# KUnit tests of the module's pure parts (ezncryptfs_kunit.ko, built only
# against a kernel with CONFIG_KUNIT: the debug-kernel lane). Each KUnit case
# is reported as its own result, parsed from the KTAP the kernel logs.
source "$EZN_TOP/tests/vm/lib.sh"
kunit_ko=$(dirname "$EZN_KO")/ezncryptfs_kunit.ko
[ -f "$kunit_ko" ] || skip "this kernel has no KUnit (run make check-debug)"
dmesg -c >/dev/null
insmod "$kunit_ko" || fail "cannot load $kunit_ko"
sleep 1
ktap=$(dmesg)
rmmod ezncryptfs_kunit
echo "$ktap"
suite=
n=0
while IFS= read -r line; do
	line=${line#\[*\] }
	case "$line" in
	*"# Subtest: "*) suite=${line##*# Subtest: } ;;
	*) ;;
	esac
	if [[ $line =~ ^[[:space:]]+(not\ )?ok\ [0-9]+\ (-\ )?([A-Za-z0-9_]+) ]]; then
		res=pass
		[ -z "${BASH_REMATCH[1]}" ] || res=fail
		echo "$res kunit:$suite.${BASH_REMATCH[3]}" >>"$EZN_SUBRESULTS"
		n=$((n + 1))
	fi
done <<<"$ktap"
[ "$n" -gt 0 ] || fail "no KTAP results in the kernel log"
! grep -q 'not ok' <<<"$ktap" || fail "KUnit reported failures"
