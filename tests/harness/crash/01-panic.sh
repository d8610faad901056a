# The guest kernel crashes: the run must fail, never pass.
echo c >/proc/sysrq-trigger
