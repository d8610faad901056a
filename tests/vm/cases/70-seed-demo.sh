# timeout: 900
# The seed scenario end to end with MariaDB (scripts/demo/guest-demo.sh, what
# make demo shows), with small data: every step must behave as promised.
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/scripts/demo/mariadb.sh"
cleanup() {
	db_stop >/dev/null 2>&1 || true
	"$EZN_TOP/build/bin/ezn" service stop >/dev/null 2>&1 || true
	unload_module || true
}
trap cleanup EXIT
unload_module
command -v mariadbd >/dev/null || skip "mariadb-server is not installed"
EZN_DEMO_ROWS=3000 EZN_DEMO_SRV=$EZN_SCRATCH/srv \
	"$EZN_TOP/scripts/demo/guest-demo.sh" "$EZN_KO"
