#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: the seed scenario in a VM with the release module, shown live.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/demo
rm -rf "$out"
mkdir -p "$out"
ko=${EZN_DEMO_KO:-$top/ezncryptfs.ko}
"$top/scripts/vm/run.sh" --out "$out" --mem 3072 --timeout 1800 -- \
	bash -c "set -o pipefail; '$top/scripts/demo/guest-demo.sh' '$ko' 2>&1 | tee /ezn-out/demo.log" &
vm=$!
while [ ! -e "$out/demo.log" ] && kill -0 "$vm" 2>/dev/null; do
	sleep 1
done
tail -n +1 -f --pid="$vm" "$out/demo.log" 2>/dev/null
wait "$vm"
status=$?
echo
echo "demo: transcript in $out/demo.log, VM console in $out/console.log"
exit "$status"
