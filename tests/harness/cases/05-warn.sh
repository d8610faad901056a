# The script succeeds, but the module raises a WARN through the debug knob:
# the harness must fail the case and the run.
echo 1 >/sys/module/ezncryptfs/parameters/debug_warn
exit 0
