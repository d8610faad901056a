#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian kernel in QEMU on the host's root (read-only 9p + tmpfs overlay)
# and run one command in it.
#
# usage: run.sh [options] [--] COMMAND [ARGS...]
#   --kver VERSION      kernel release to boot (default: newest /boot/vmlinuz-*)
#   --kernel IMAGE      boot this image instead of /boot/vmlinuz-VERSION
#   --out DIR           the guest's writable share, mounted at /ezn-out (default: temp)
#   --console FILE      keep the whole console log here (default: DIR/console.log)
#   --timeout SECONDS   kill the VM after this long (default 1800)
#   --disk FILE         attach FILE as a raw virtio disk (/dev/vda, /dev/vdb, ...)
#   --mem MiB, --smp N  guest size (default 2048 MiB, 2 CPUs)
#   --interactive       console on this terminal instead of the log file
#   --append ARGS       extra kernel command-line arguments
#   --modules DIR       the booted kernel's modules (DIR holds modules.dep etc.),
#                       for a kernel not installed under /lib/modules
# Every EZN_* variable of the caller's environment is exported to the guest
# command. Environment: EZN_KVER, EZN_KERNEL and EZN_VM_MODULES give the defaults of
# --kver, --kernel and --modules (the debug-kernel lane sets them), and
# EZN_VM_APPEND adds kernel command-line arguments; EZN_KVM=1 opts in to KVM (it hangs on some hosts, so TCG is the
# default); EZN_QEMU_EXTRA adds QEMU arguments.
#
# The exit status is the command's, read back from the share; 124 means the VM
# was killed by the timeout, 125 that it ended without reporting a status
# (panic, crash or power loss), so a broken guest is never a success.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${EZN_KVER:-} kernel=${EZN_KERNEL:-} modules=${EZN_VM_MODULES:-} out= console= timeout=1800 mem=2048 smp=2 interactive=0 append=
disks=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) kver=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--disk) disks+=("$2"); shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--append) append="$append $2"; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "run.sh: no command given" >&2; exit 2; }

if [ -z "$kver" ]; then
	if [ -n "$kernel" ]; then
		echo "run.sh: --kernel needs --kver (the release its modules are under)" >&2
		exit 2
	fi
	kver=$(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V | tail -n 1)
	[ -n "$kver" ] || { echo "run.sh: no /boot/vmlinuz-* (run scripts/install-deps.sh)" >&2; exit 2; }
fi
kernel=${kernel:-/boot/vmlinuz-$kver}
[ -r "$kernel" ] || { echo "run.sh: cannot read kernel image $kernel" >&2; exit 2; }

cache=$top/build/vm
initrd=$cache/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$initrd" -ot "$top/scripts/vm/init" ] ||
   [ "$initrd" -ot "$top/scripts/vm/mkinitramfs.sh" ]; then
	"$top/scripts/vm/mkinitramfs.sh" "$kver" "$initrd"
fi

if [ -z "$out" ]; then
	out=$(mktemp -d /tmp/ezn-vm.XXXXXX)
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/exit-status"
console=${console:-$out/console.log}

# The guest runs this script from the share; arguments are quoted here once.
{
	echo "#!/bin/sh"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root TERM=${TERM:-linux} EZN_TOP=$(printf %q "$top")"
	# EZN_* settings (test sizes, say) follow the command into the guest.
	while IFS='=' read -r name _; do
		printf 'export %s=%q\n' "$name" "${!name}"
	done < <(env | grep -E '^EZN_[A-Z0-9_]+=' | grep -vE '^EZN_(TOP|KVM|QEMU_EXTRA)=')
	# A fresh /tmp for the guest; a checkout under the host's /tmp (CI's
	# clone, say) stays visible at its own path.
	echo "mkdir -p /run/ezn-host-tmp && mount --bind /tmp /run/ezn-host-tmp"
	echo "mount -t tmpfs -o mode=1777 tmpfs /tmp"
	case "$top" in
	/tmp/*)
		first=${top#/tmp/}
		first=${first%%/*}
		echo "mkdir -p /tmp/$first && mount --bind /run/ezn-host-tmp/$first /tmp/$first" ;;
	esac
	echo "cd $(printf %q "$top")"
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$out/guest-cmd"

accel=(-accel tcg -cpu max)
if [ "${EZN_KVM:-0}" = 1 ]; then
	accel=(-accel kvm -cpu host)
fi

# no_timer_check: under a loaded host, TCG can miss the IO-APIC timer check and panic.
cmdline="console=ttyS0 no_timer_check panic=-1 oops=panic loglevel=5 ezn.run=/ezn-out/guest-cmd"
[ -z "$modules" ] || cmdline="$cmdline ezn.modules=$(realpath "$modules")"
cmdline="$cmdline ${EZN_VM_APPEND:-} $append"

args=(-nodefaults -no-reboot -m "$mem" -smp "$smp" "${accel[@]}"
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-virtfs "local,path=/,mount_tag=hostroot,readonly=on,security_model=none,multidevs=remap"
	-virtfs "local,path=$out,mount_tag=ezn_out,security_model=none,multidevs=remap"
	-device virtio-rng-pci)
for d in "${disks[@]}"; do
	args+=(-drive "file=$d,format=raw,if=virtio,cache=writeback")
done
# shellcheck disable=SC2206
args+=(${EZN_QEMU_EXTRA:-})

status=0
if [ "$interactive" = 1 ]; then
	qemu-system-x86_64 "${args[@]}" -display none -serial mon:stdio || status=$?
else
	timeout --foreground -k 10 "$timeout" qemu-system-x86_64 "${args[@]}" -display none \
		-monitor none -serial "file:$console" </dev/null || status=$?
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		echo "run.sh: the VM did not finish within ${timeout}s; killed" >&2
		exit 124
	fi
fi
if [ ! -s "$out/exit-status" ]; then
	echo "run.sh: the guest ended without reporting a status (panic or crash?)" >&2
	exit 125
fi
exit "$(cat "$out/exit-status")"
