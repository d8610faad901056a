# A case that skips itself.
echo "SKIP: nothing to do"
exit 77
