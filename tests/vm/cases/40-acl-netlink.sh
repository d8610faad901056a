#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The access-control netlink interface: the admin key bootstrap and pinning;
# unauthenticated, forged, replayed, cross-socket and misplaced authenticators
# refused; rules added (fingerprint checked by the kernel), dumped, deleted,
# replaced; modes; grants; unprivileged callers refused; a fuzz loop of
# malformed messages refused cleanly (the harness checks the kernel log).
# timeout: 240
source "$EZN_TOP/tests/vm/lib.sh"
source "$EZN_TOP/tests/vm/acl-lib.sh"

[ -x "$ACLTEST" ] || skip "ezn-acltest not built"
unload_module
load_module
head -c 32 /dev/urandom >"$ACL_KEY"
head -c 32 /dev/urandom >/tmp/other.key

# Before any key is bound: nothing mutating works, the bind needs the logon key.
acl_ok status | grep -q "bound=0" || fail "a fresh module reports a bound key"
acl_err ENOKEY mode permissive
id=$(keyctl search @u logon ezncrypt:admin 2>/dev/null) && keyctl unlink "$id" @u
acl_err ENOKEY bind
acl_load_key "$ACL_KEY"
acl_ok bind
acl_ok status | grep -q "bound=1" || fail "status does not report the bound key"

# Root swapping in its own logon key cannot rebind or sign.
acl_load_key /tmp/other.key
ACL_KEY=/tmp/other.key acl_err EPERM bind
ACL_KEY=/tmp/other.key acl_err EPERM mode permissive
# The holder of the bound key may rebind (and back).
ACL_KEY=/tmp/other.key acl_ok bind -o "$ACL_KEY"
acl_err EPERM mode permissive
acl_load_key "$ACL_KEY"
acl_ok bind -o /tmp/other.key

# Abuse of the protocol.
dmesg -C
acl_err EPERM unauth
acl_err EPERM forge
acl_err EPERM replay
acl_err EPERM cross
acl_err EPERM notlast
# a challenge answered after its 30 s lifetime; the next fresh one still works
acl_err EPERM stale
acl_ok mode enforcing
expect_klog "ezncryptfs: admin request refused"

# Rules: the kernel hashes the file itself.
cp /usr/bin/true /usr/local/bin/acl-true
acl_ok add "ALLOW @c * /usr/local/bin/acl-true"
acl_ok add "DENY @c secret /usr/local/bin/acl-true --children=/usr/bin/cat"
acl_err EEXIST add "ALLOW @c * /usr/local/bin/acl-true"
zero_fp=0000000000000000000000000000000000000000000000000000000000000000
fp=$(sha256sum /usr/local/bin/acl-true | cut -d' ' -f1)
cat_fp=$(sha256sum /usr/bin/cat | cut -d' ' -f1)
acl_err EKEYREJECTED add "ALLOW @c x /usr/local/bin/acl-true" "$zero_fp"
# each --children executable is pinned too
acl_err EKEYREJECTED add "ALLOW @c x /usr/local/bin/acl-true --children=/usr/bin/cat" "$fp" \
	"$zero_fp"
expect_klog "rule refused: the fingerprint of child /usr/bin/cat does not match"
acl_err ENOENT add "ALLOW @c * /usr/local/bin/nonexistent"
# /bin is a symlink on Debian: the rule would never match, so it is refused.
if [ -L /bin ]; then
	acl_err ENOTUNIQ add "ALLOW @c * /bin/cat"
fi
acl_ok dump | tee /tmp/dump
grep -q "^0 [0-9a-f]\{64\} ALLOW @c \* /usr/local/bin/acl-true$" /tmp/dump || fail "dump: rule 0"
grep -q "^1 .* DENY @c secret /usr/local/bin/acl-true --children=/usr/bin/cat$" /tmp/dump ||
	fail "dump: rule 1"
grep -q "^0 $fp " /tmp/dump || fail "dump: fingerprint is not the file's SHA-256"
grep -q "^1 $fp,$cat_fp " /tmp/dump || fail "dump: the child's fingerprint is not its SHA-256"
acl_ok delete "ALLOW @c * /usr/local/bin/acl-true"
acl_err ENOENT delete "ALLOW @c * /usr/local/bin/acl-true"
acl_ok delete-index 0
acl_err ENOENT delete-index 0
cat >/tmp/policy <<'P'
# a policy file
ALLOW @a * /usr/local/bin/acl-true
ALLOW @b data/** /usr/bin/cat

DENY @b data/secret /usr/bin/cat
P
acl_ok replace /tmp/policy
acl_ok status | grep -q "rules=3" || fail "replace: not 3 rules"
: >/tmp/empty
acl_ok replace /tmp/empty
acl_ok status | grep -q "rules=0" || fail "replace with nothing"

# Modes.
for m in permissive admin enforcing; do
	acl_ok mode "$m"
	acl_ok status | grep -q "mode=$m" || fail "mode $m not reported"
done

# Grants.
sleep 100 &
sleeper=$!
out=$(acl_ok grant "$sleeper" 30 backup)
gid=${out#OK }
acl_ok status | grep -q "grants=1" || fail "grant not counted"
acl_ok revoke "$gid"
acl_err ENOENT revoke "$gid"
acl_ok grant "$sleeper" 30 >/dev/null
kill "$sleeper"
wait "$sleeper" 2>/dev/null || true
acl_ok status | grep -q "grants=0" || fail "a grant outlived its process"
acl_err ESRCH grant 999999 30

# Unprivileged callers: status yes, anything else no.
cp "$ACL_KEY" /tmp/nobody.key
chmod 644 /tmp/nobody.key
setpriv --reuid=65534 --regid=65534 --clear-groups "$ACLTEST" -k /tmp/nobody.key status |
	grep -q "^version=" || fail "status as nobody"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ACLTEST" -k /tmp/nobody.key \
	mode permissive || true)
case "$out" in "ERR EPERM"*) ;; *) fail "nobody changed the mode: $out" ;; esac
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$ACLTEST" audit 1 100 || true)
case "$out" in *"ERR EPERM"*) ;; *) fail "nobody joined the audit group: $out" ;; esac
rm -f /tmp/nobody.key

# Fuzz: random malformed messages are refused, the kernel log stays clean.
acl_ok fuzz 4000 "$RANDOM"
acl_ok status >/dev/null
acl_ok mode enforcing
unload_module
