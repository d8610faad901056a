# timeout: 60
# The script succeeds, but the module reads freed memory through the debug
# knob: KASAN reports it, and the harness must fail the case and the run.
[ -e /sys/module/ezncryptfs/parameters/debug_uaf ] || { echo "no debug_uaf knob"; exit 1; }
echo 1 >/sys/module/ezncryptfs/parameters/debug_uaf
exit 0
