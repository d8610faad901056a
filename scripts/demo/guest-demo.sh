#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The seed scenario end to end, inside the VM, with Debian's MariaDB: protect
# the backup directory, watch a shell redirection get denied, approve
# mysqldump, read the backup with ezn-run, restore it through an approved
# script, catch an unapproved client in the audit summary, and time the dump.
# Every step prints its command and output; a step that does not behave as
# the product promises makes the script exit non-zero (make check runs it as
# a test with smaller data).
#
# usage: guest-demo.sh MODULE.ko
# EZN_DEMO_ROWS sets the data size; EZN_DEMO_SRV names a directory on a
# filesystem to work in (the test harness's scratch filesystem) instead of a
# fresh ext4 RAM disk mounted on /srv.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# /usr/local is left out: the demo means the distribution's mysqldump.
export PATH=$top/build/bin:/usr/sbin:/usr/bin:/sbin:/bin
ko=$1
rows=${EZN_DEMO_ROWS:-100000}
srv=${EZN_DEMO_SRV:-/srv}
conf=/etc/ezncrypt
lower=$srv/ezncrypt/lower/backup
mnt=$srv/ezncrypt/mnt/backup
backup=/mysql/backup/encrypted
passfile=/root/.ezn-demo-passphrase
failures=0

# shellcheck source=mariadb.sh
source "$top/scripts/demo/mariadb.sh"

step() {
	printf '\n\033[1m== %s\033[0m\n' "$*"
}

# show CMD: print the command as typed, then run it through bash.
show() {
	printf '# %s\n' "$1"
	bash -c "$1"
}

bad() {
	printf '\033[31mDEMO CHECK FAILED: %s\033[0m\n' "$*"
	failures=$((failures + 1))
}

last_denial() {
	dmesg | grep 'ezncryptfs: DENIED' | tail -n 1
}

step "1. MariaDB with generated databases ($rows rows a table)"
if [ -z "${EZN_DEMO_SRV:-}" ]; then
	modprobe brd rd_nr=1 rd_size=$((1024 * 1024)) max_part=0
	mkfs.ext4 -q -F /dev/ram0
	mkdir -p /srv && mount /dev/ram0 /srv
fi
mkdir -p "$srv"
EZN_DB_DIR=$srv/mysql-data
db_start >/dev/null || { bad "MariaDB did not start"; exit 1; }
db_generate "$rows" || bad "loading the data failed"
show 'mariadb -e "SELECT table_schema, COUNT(*) AS tables FROM information_schema.tables WHERE table_schema IN (\"shop\", \"payroll\", \"analytics\") GROUP BY table_schema"'
mkdir -p "$backup"
echo "-- an older backup, kept" >"$backup/edump0.sql"

step "2. ezn-service start (passphrase from a file in this demo), ezn-service status"
mkdir -p "$conf" "$lower" "$mnt"
printf 'category backup %s %s\n' "$lower" "$mnt" >"$conf/ezncrypt.conf"
printf 'correct horse battery staple\n' >"$passfile"
chmod 600 "$passfile"
show "ezn key init --kdf interactive --passfile $passfile" || bad "key init"
show "ezn-service start --module $ko --passfile $passfile" || bad "service start"
show "ezn-service status" || bad "service status"

step "3. ezn-encrypt @backup $backup"
show "ezn-encrypt --passfile $passfile @backup $backup" || bad "ezn-encrypt"
show "ls -l /mysql/backup"
[ -L "$backup" ] || bad "$backup is not a link into the mount"

step "4. a shell redirection into the protected directory is denied, for root too"
if show "mysqldump --all-databases > $backup/edump1.sql"; then
	bad "the redirection was allowed"
fi
show "dmesg | grep 'ezncryptfs: DENIED' | tail -n 1"
last_denial | grep -q 'exec="/usr/bin/bash"' || bad "no DENIED line for bash"

step "5. approve mysqldump"
show "ezn-acl --passfile $passfile -a 'ALLOW @backup * /usr/bin/mysqldump'" || bad "ezn-acl -a"
show "ezn-acl -L"

step "6. the redirection is still denied; mysqldump --result-file is allowed"
if show "mysqldump --all-databases > $backup/edump1.sql"; then
	bad "the redirection was allowed after the rule"
fi
show "mysqldump --all-databases --result-file=$backup/edump2.sql" ||
	bad "mysqldump --result-file was denied"

step "7. one-off administrator access with ezn-run"
show "ezn-run --passfile $passfile 'ls -l $backup/'" || bad "ezn-run ls"
cd /root || exit 1
show "ezn-run --passfile $passfile 'cp $backup/edump2.sql .'" || bad "ezn-run cp"
show 'grep "^CREATE.*DATABASE" edump2.sql | cut -c1-70'
[ "$(grep -c '^CREATE.*DATABASE' edump2.sql)" -ge 3 ] || bad "the dump lacks the databases"
if show "cat $backup/edump2.sql >/dev/null"; then
	bad "root's cat read the backup without ezn-run"
fi

step "8. on disk, the store holds only ciphertext"
show "find $lower -type f -printf '%s %p\\n'"
show "head -c 8192 $lower/mysql/backup/encrypted/edump2.sql | tail -c 64 | od -A d -t x1"
if grep -rlE 'payroll|analytics|CREATE DATABASE' "$lower"; then
	bad "schema names found in the lower store"
else
	echo "no schema name in any lower file"
fi

step "9. restore through an approved script (--shell rule) into a fresh MariaDB"
cat >/usr/local/sbin/restore.sh <<'SH'
#!/bin/bash
# Load a dump into the MariaDB listening on $1's socket. This script opens
# the dump (its rule's --shell), mariadb reads it as the script's child
# (its rule's --children).
mariadb --socket="$1" < "$2"
SH
chmod 755 /usr/local/sbin/restore.sh
show "ezn-acl --passfile $passfile -a 'ALLOW @backup * /usr/local/sbin/restore.sh --shell=/usr/bin/bash --children=/usr/bin/mariadb'" ||
	bad "ezn-acl -a restore"
before=$(db_checksum)
db_stop
EZN_DB_DIR=$srv/mysql-restore
db_start >/dev/null || bad "second MariaDB did not start"
show "/usr/local/sbin/restore.sh $EZN_DB_SOCK $backup/edump2.sql" || bad "restore.sh failed"
after=$(db_checksum)
show "mariadb -N -e 'CHECKSUM TABLE shop.orders, payroll.salaries, analytics.events'"
[ -n "$after" ] && [ "$before" = "$after" ] && echo "restored data matches the original" ||
	bad "restored data differs"
if show "bash -c 'exec mariadb --socket=$EZN_DB_SOCK < $backup/edump2.sql'"; then
	bad "an unapproved bash read the dump"
fi

step "10. an old client hard-coded in a backup script is denied and reported"
cp "$(readlink -f /usr/bin/mysqldump)" /usr/local/bin/mysqldump-5.7
if show "/usr/local/bin/mysqldump-5.7 --all-databases --result-file=$backup/edump3.sql"; then
	bad "the unapproved client was allowed"
fi
sleep 1
show "ezn-audit --summary"
rc=$?
[ "$rc" -ne 0 ] || bad "ezn-audit --summary exited 0 after denials"
echo "(ezn-audit --summary exit status: $rc — monitoring acts on it)"

step "11. the cost: mysqldump --result-file into the encrypted and a plain directory"
mkdir -p "$srv/plain"
timed() {
	local t0 t1

	t0=$(date +%s%N)
	mysqldump --all-databases --result-file="$1" || return 1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
sync
plain_ms=$(timed "$srv/plain/t.sql")
enc_ms=$(timed "$backup/t.sql")
size=$(stat -c %s "$srv/plain/t.sql")
echo "dump size: $((size / 1024)) KiB; plain: ${plain_ms} ms; encrypted: ${enc_ms} ms"
awk -v p="$plain_ms" -v e="$enc_ms" 'BEGIN { if (p > 0) printf "ratio encrypted/plain: %.2f\n", e / p }'
echo "(QEMU TCG emulation: compare the ratio, not the times)"

step "done"
show "ezn-service stop" || bad "service stop"
db_stop
if [ "$failures" -gt 0 ]; then
	echo "$failures demo check(s) failed"
	exit 1
fi
echo "every step behaved as promised"
