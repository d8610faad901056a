# timeout: 5
# A case that hangs: the harness must report it timed out.
sleep 3600
