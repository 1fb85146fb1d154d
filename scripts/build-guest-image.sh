#!/usr/bin/env bash
# Builds the guest image that the QEMU provider boots: the Debian cloud kernel and a small busybox
# initramfs. Its /init prints MICROVM-READY on the serial console, then a heartbeat line
# (MICROVM-HEARTBEAT n, with n counting up from 0) about once a second. A guest restored from a
# snapshot continues that count, which is how tests tell a restore from a reboot.
#
# Inputs: the versioned linux-image-*-cloud-amd64 package that linux-image-cloud-amd64 depends on
# (fetched with apt-get download from the mirror apt already uses), /bin/busybox from
# busybox-static, and the /init text below. The result is cached: a second run with the same inputs
# only compares a key file and exits.
#
# Usage: scripts/build-guest-image.sh [--out DIR] [--force]
#   --out DIR  output directory; default
#              ${MICROVM_IMAGE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/microvm-blueprint/guest}
#   --force    rebuild even when the cached image matches the inputs
# Output: DIR/vmlinuz, DIR/initrd.img and DIR/image.key (the inputs the image was built from).
set -euo pipefail

# Bump when the layout or /init changes in a way the key below would not see.
readonly FORMAT_VERSION=1
readonly META_PACKAGE=linux-image-cloud-amd64
readonly BUSYBOX=/bin/busybox
readonly APPLETS=(sh mount umount sleep cat echo ls mkdir dmesg uname poweroff)

log() {
  echo "build-guest-image: $*"
}

fail() {
  echo "build-guest-image: $*" >&2
  exit 1
}

usage() {
  sed -n '12,16p' "$0" | sed 's/^# \{0,1\}//'
}

out_dir="${MICROVM_IMAGE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/microvm-blueprint/guest}"
force=false
while [ $# -gt 0 ]; do
  case "$1" in
    --out)
      [ $# -ge 2 ] || fail "--out needs a directory"
      out_dir="$2"
      shift 2
      ;;
    --force)
      force=true
      shift
      ;;
    -h|--help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      fail "unknown argument '$1'"
      ;;
  esac
done

for tool in apt-cache apt-get dpkg-deb cpio gzip sha256sum; do
  command -v "$tool" >/dev/null || fail "missing tool '$tool'; run scripts/install-system-packages.sh"
done
[ -x "$BUSYBOX" ] || fail "missing $BUSYBOX; install the busybox-static package (scripts/install-system-packages.sh)"
if command -v ldd >/dev/null && ldd "$BUSYBOX" 2>/dev/null | grep -q '=>'; then
  fail "$BUSYBOX is dynamically linked; install busybox-static instead of busybox"
fi

# The /init of the guest. It runs as PID 1, so it must never exit: the kernel would panic, and
# with panic=-1 and QEMU's -no-reboot that ends the QEMU process.
init_script='#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel gives /init the console only when /dev/console exists in the initramfs, which
# needs root to create, so reopen it from devtmpfs in every case.
exec </dev/console >/dev/console 2>&1
echo MICROVM-READY
n=0
while :; do
  echo "MICROVM-HEARTBEAT $n"
  n=$((n + 1))
  sleep 1
done
'

log "resolving the kernel package behind $META_PACKAGE"
# One apt-cache call, because each one reloads the package lists (most of a cached run's time).
# The meta-package pins its kernel exactly, as in "Depends: linux-image-6.1.0-50-cloud-amd64 (= 6.1.176-1)".
depends=$(apt-cache show --no-all-versions "$META_PACKAGE" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)
kernel_package=$(printf '%s' "$depends" | tr ',' '\n' \
  | sed -n 's/^ *\(linux-image-[^ ]*-cloud-amd64\) (= \([^)]*\)).*$/\1/p' | head -n 1)
kernel_version=$(printf '%s' "$depends" | tr ',' '\n' \
  | sed -n 's/^ *linux-image-[^ ]*-cloud-amd64 (= \([^)]*\)).*$/\1/p' | head -n 1)
if [ -z "$kernel_package" ] || [ -z "$kernel_version" ]; then
  fail "apt-cache finds no exact linux-image-*-cloud-amd64 dependency of $META_PACKAGE (Depends: '${depends}'); run 'apt-get update' and retry"
fi

busybox_digest=$(sha256sum "$BUSYBOX" | cut -d ' ' -f 1)
init_digest=$(printf '%s' "$init_script" | sha256sum | cut -d ' ' -f 1)
key="format=$FORMAT_VERSION
kernel=$kernel_package $kernel_version
busybox=$busybox_digest
init=$init_digest
applets=${APPLETS[*]}"

kernel_out="$out_dir/vmlinuz"
initrd_out="$out_dir/initrd.img"
key_out="$out_dir/image.key"
if ! $force && [ -f "$kernel_out" ] && [ -f "$initrd_out" ] && [ -f "$key_out" ] \
    && [ "$(cat "$key_out")" = "$key" ]; then
  log "up to date (cached, same inputs): $kernel_package $kernel_version"
  echo "kernel: $kernel_out"
  echo "initrd: $initrd_out"
  exit 0
fi

mkdir -p "$out_dir"
work=$(mktemp -d "$out_dir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

log "downloading $kernel_package $kernel_version"
apt_options=(-q)
if [ "$(id -u)" -eq 0 ]; then
  # As root, apt hands the download to the unprivileged _apt user, which cannot write into the
  # private temporary directory, so download as root directly.
  apt_options+=(-o APT::Sandbox::User=root)
fi
(cd "$work" && apt-get "${apt_options[@]}" download "$kernel_package=$kernel_version") \
  || fail "apt-get download $kernel_package=$kernel_version failed; check the apt sources and network access to the Debian mirror"
deb=$(ls "$work"/*.deb)

log "unpacking the kernel from $(basename "$deb")"
# Only the kernel image is needed, so extract just boot/vmlinuz-* instead of the modules tree.
mkdir -p "$work/pkg"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/pkg" --wildcards './boot/vmlinuz-*'
kernel_file=$(ls "$work"/pkg/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$kernel_file" ] || fail "$(basename "$deb") contains no boot/vmlinuz-*"

log "assembling the initramfs"
root="$work/initramfs"
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in "${APPLETS[@]}"; do
  ln -s busybox "$root/bin/$applet"
done
printf '%s' "$init_script" > "$root/init"
chmod 0755 "$root/init"
if [ "$(id -u)" -eq 0 ]; then
  mknod -m 0600 "$root/dev/console" c 5 1
fi
(cd "$root" && find . -print0 | LC_ALL=C sort -z \
  | cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -9 -n > "$work/initrd.img"

# Files appear under their final names only when complete, and the key goes last, so an
# interrupted build never looks cached.
rm -f "$key_out"
cp "$kernel_file" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$kernel_out"
mv -f "$work/initrd.img" "$initrd_out"
printf '%s' "$key" > "$work/image.key"
mv -f "$work/image.key" "$key_out"

log "built $kernel_package $kernel_version: kernel $(du -h "$kernel_out" | cut -f 1), initrd $(du -h "$initrd_out" | cut -f 1)"
echo "kernel: $kernel_out"
echo "initrd: $initrd_out"
