#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make vm-shell: load the test module and give the developer a shell (or run
# the command given) on the VM's serial console. Leaving the shell ends the VM.
insmod "$EZN_TOP/build/kmod-test/ezncryptfs.ko" && echo "ezncryptfs loaded (test flavour)"
echo "scratch space: /tmp (tmpfs); modprobe brd for a RAM disk; exit to power off"
exec setsid -c "$@" </dev/ttyS0 >/dev/ttyS0 2>&1
