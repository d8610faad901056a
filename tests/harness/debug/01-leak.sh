# timeout: 60
# The script succeeds and the kernel log stays clean, but the module leaks
# 128 bytes (filled with 0xa5) through the debug knob: the run's kmemleak scan
# must report it and fail the run.
[ -e /sys/module/ezncryptfs/parameters/debug_leak ] || { echo "no debug_leak knob"; exit 1; }
[ -e /sys/kernel/debug/kmemleak ] || { echo "this kernel has no kmemleak"; exit 1; }
echo 1 >/sys/module/ezncryptfs/parameters/debug_leak
