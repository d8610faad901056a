#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host checks of what an administrator installs: `make install` into a staging
# root lays out the tool, its links, the man pages, the completion, the
# systemd unit and the module; systemd accepts the unit; the man pages render
# without warnings; the bash completion offers every option each subcommand's
# --help names; and DKMS builds the module from the installed source for
# Debian's kernel. Prints "PASS|FAIL|SKIP pkg:NAME" lines.
#
# usage: tests/packaging/check.sh   (after make; runs make install itself)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
links="ezn-service ezn-encrypt ezn-decrypt ezn-acl ezn-run ezn-key ezn-audit"
subs="key service encrypt decrypt acl run audit"
status=0

pass() { echo "PASS pkg:$1"; }
skip() { echo "SKIP pkg:$1 ($2)"; }
fail() {
	echo "FAIL pkg:$1 ($2)"
	[ -z "${3:-}" ] || sed 's/^/    | /' "$3" | tail -n 30
	status=1
}

work=$(mktemp -d /tmp/ezn-pkg.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
out=$work/out

# --- make install into a staging root ---------------------------------------
if make -s -C "$top" install DESTDIR="$root" PREFIX=/usr >"$out" 2>&1; then
	pass install
else
	fail install "make install DESTDIR=... failed" "$out"
	exit 1
fi
missing=
for f in usr/sbin/ezn usr/sbin/ezn-recover lib/systemd/system/ezncrypt.service \
	 usr/share/bash-completion/completions/ezn usr/share/man/man8/ezn.8; do
	[ -e "$root/$f" ] || missing="$missing $f"
done
for l in $links; do
	[ "$(readlink -f "$root/usr/sbin/$l")" = "$root/usr/sbin/ezn" ] || missing="$missing sbin/$l"
	[ -e "$root/usr/share/man/man8/$l.8" ] || missing="$missing man8/$l.8"
	[ -e "$root/usr/share/bash-completion/completions/$l" ] || missing="$missing completion/$l"
done
compgen -G "$root/lib/modules/*/*/ezncryptfs.ko" >/dev/null || missing="$missing ezncryptfs.ko"
if [ -z "$missing" ]; then
	pass install-layout
else
	fail install-layout "not installed:$missing"
fi

# --- the systemd unit ---------------------------------------------------------
unit=$root/lib/systemd/system/ezncrypt.service
if ! command -v systemd-analyze >/dev/null; then
	skip systemd-unit "no systemd-analyze"
elif ! grep -q '^ExecStart=.*/usr/sbin/ezn service start' "$unit"; then
	fail systemd-unit "ExecStart does not run the installed /usr/sbin/ezn" "$unit"
else
	# verify checks that the commands exist: point them at the staging root
	sed "s|/usr/sbin/|$root/usr/sbin/|g" "$unit" >"$work/ezncrypt.service"
	if systemd-analyze verify --man=no "$work/ezncrypt.service" >"$out" 2>&1 &&
	   ! grep -q . "$out"; then
		pass systemd-unit
	else
		fail systemd-unit "systemd-analyze verify complains" "$out"
	fi
fi

# --- man pages ------------------------------------------------------------------
if ! command -v man >/dev/null; then
	skip man-pages "no man"
else
	: >"$out"
	for p in "$root"/usr/share/man/man8/*.8; do
		LC_ALL=C.UTF-8 MANWIDTH=80 MANPATH=$root/usr/share/man \
			man --warnings -l "$p" 2>&1 >/dev/null | sed "s|^|${p##*/}: |" >>"$out"
	done
	if grep -q . "$out"; then
		fail man-pages "groff warnings" "$out"
	else
		pass man-pages
	fi
fi

# --- bash completion: every option a subcommand's --help names ------------------
comp=$root/usr/share/bash-completion/completions/ezn
complete_words() {
	# the words the completion offers after "ezn SUB "
	bash -c 'source "$1"; COMP_WORDS=(ezn "$2" ""); COMP_CWORD=2; _ezn; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$comp" "$1"
}
if ! bash -n "$comp" 2>"$out"; then
	fail completion "syntax error" "$out"
else
	gaps=
	for s in $subs; do
		# RULE options (--shell=, --children=) live inside the quoted rule
		help=$("$root/usr/sbin/ezn" "$s" --help | grep -v '^RULE:')
		offered=$(cd "$work" && complete_words "$s")
		want=$(grep -oE -- '--[a-z][a-z-]+' <<<"$help" | sort -u)
		want="$want $(sed -nE "s/^(usage:)? *ezn $s ([a-z][a-z-]+).*/\2/p" <<<"$help")"
		for w in $want; do
			grep -qxF -- "$w" <<<"$offered" || gaps="$gaps $s:$w"
		done
	done
	if [ -z "$gaps" ]; then
		pass completion
	else
		fail completion "not completed:$gaps"
	fi
fi

# --- DKMS ---------------------------------------------------------------------------
# DKMS builds against installed headers: the VM's kernel when it has them (not so for
# the debug kernel, which make check-debug builds from source), else the newest.
kver=${EZN_KVER:-}
if [ -z "$kver" ] || [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
	kver=$(cd /lib/modules && for k in *; do [ -e "$k/build/Makefile" ] && echo "$k"; done |
	       sort -V | tail -n 1)
fi
if ! command -v dkms >/dev/null; then
	skip dkms "no dkms (scripts/install-deps.sh installs it)"
elif [ -z "$kver" ]; then
	skip dkms "no kernel headers under /lib/modules"
else
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
	src=$work/dkms-src/ezncryptfs-$ver
	mkdir -p "$src" "$work/dkms-tree"
	(cd "$top" && git ls-files Kbuild dkms.conf kmod policy | xargs cp --parents -t "$src")
	if dkms build -m ezncryptfs -v "$ver" -k "$kver" --sourcetree "$work/dkms-src" \
		--dkmstree "$work/dkms-tree" >"$out" 2>&1; then
		ko=$(find "$work/dkms-tree" -name 'ezncryptfs.ko*' -path "*/$kver/*" | head -n 1)
		magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
		if [ -n "$ko" ] && [ "${magic%% *}" = "$kver" ]; then
			pass dkms
		else
			fail dkms "no module for $kver (vermagic '$magic')" "$out"
		fi
	else
		fail dkms "dkms build failed" "$out"
	fi
fi
exit $status
