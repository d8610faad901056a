# SPDX-License-Identifier: GPL-2.0
# MariaDB for the demo and its test, inside the VM: a private data directory
# on tmpfs, a server on a unix socket, and generated databases.
# Source this file; it defines functions only.

EZN_DB_DIR=${EZN_DB_DIR:-/var/lib/ezn-demo-mysql}
EZN_DB_SOCK=/run/mysqld/mysqld.sock

# db_start [DATADIR]: initialise DATADIR if needed and start a server on it.
db_start() {
	local dir=${1:-$EZN_DB_DIR}

	mkdir -p "$dir" /run/mysqld
	if [ ! -d "$dir/mysql" ]; then
		mariadb-install-db --datadir="$dir" --user=root \
			--auth-root-authentication-method=normal >"$dir.install.log" 2>&1 ||
			{ cat "$dir.install.log"; return 1; }
	fi
	mariadbd --datadir="$dir" --user=root --socket="$EZN_DB_SOCK" --skip-networking \
		--pid-file="$dir.pid" --log-error="$dir.err" &
	for _ in $(seq 1 60); do
		mariadb -e 'select 1' >/dev/null 2>&1 && return 0
		sleep 1
	done
	cat "$dir.err"
	return 1
}

db_stop() {
	mariadb-admin shutdown 2>/dev/null
	for _ in $(seq 1 30); do
		[ -S "$EZN_DB_SOCK" ] || return 0
		sleep 1
	done
}

# db_generate ROWS: three schemas of ROWS generated rows each (the Sequence
# engine's seq_1_to_N); about 350 bytes of dump per ROWS.
db_generate() {
	local rows=$1

	mariadb <<SQL
CREATE DATABASE IF NOT EXISTS shop;
CREATE DATABASE IF NOT EXISTS payroll;
CREATE DATABASE IF NOT EXISTS analytics;
USE shop;
CREATE TABLE shop.orders (id INT PRIMARY KEY, customer VARCHAR(64), total DECIMAL(10,2),
	note VARCHAR(128));
CREATE TABLE payroll.salaries (id INT PRIMARY KEY, employee VARCHAR(64), amount INT,
	iban VARCHAR(34));
CREATE TABLE analytics.events (id INT PRIMARY KEY, kind VARCHAR(32), payload VARCHAR(200));
INSERT INTO shop.orders
	SELECT seq, CONCAT('customer-', seq), seq * 1.37, CONCAT('order note ', MD5(seq))
	FROM seq_1_to_$rows;
INSERT INTO payroll.salaries
	SELECT seq, CONCAT('employee-', seq), 30000 + seq % 50000, CONCAT('DE', LPAD(seq, 20, '0'))
	FROM seq_1_to_$rows;
INSERT INTO analytics.events
	SELECT seq, ELT(1 + seq % 3, 'view', 'click', 'buy'), SHA2(seq, 512) FROM seq_1_to_$rows;
SQL
}

# db_checksum: one line per table with its checksum, to compare two servers.
db_checksum() {
	mariadb -N -e 'CHECKSUM TABLE shop.orders, payroll.salaries, analytics.events'
}
