# A case that fails: the harness must report it failed.
echo "this case fails on purpose"
exit 1
