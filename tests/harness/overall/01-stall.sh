# timeout: 3600
# Outlives the VM's overall timeout: the run must fail, never pass.
sleep 3600
