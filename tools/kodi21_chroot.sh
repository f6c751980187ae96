#!/usr/bin/env bash
# Builds (once) a Debian 13 "trixie" chroot with Kodi 21.2, MariaDB 11.8 and Python 3.13, all from
# Debian's own archive, under build/trixie (or $EASYTV_TRIXIE_ROOT). Idempotent: a finished chroot
# carries build/trixie/.easytv-ready and is left alone. Needs root (debootstrap, chroot).
# The host's Debian 12 system is not touched: trixie packages live only inside the chroot.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${EASYTV_TRIXIE_ROOT:-$PWD/build/trixie}
marker="$root/.easytv-ready"
packages="kodi xvfb python3 mariadb-server mariadb-client ffmpeg ca-certificates"
# EASYTV_CHROOT_REFRESH=1 runs the (idempotent) apt-get step again on a finished chroot.
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$packages" ] && [ "${EASYTV_CHROOT_REFRESH:-0}" != 1 ]; then
  echo "kodi21_chroot: $root ready (Kodi $(cat "$root/.easytv-kodi-version" 2>/dev/null || echo '?'))"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
began=$(date +%s)
if [ ! -x "$root/usr/bin/apt-get" ]; then
  echo "kodi21_chroot: debootstrap trixie into $root"
  $sudo rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  $sudo debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >"$root.debootstrap.log" 2>&1 \
    || { tail -20 "$root.debootstrap.log"; exit 1; }
fi
# No package may start a server inside the chroot.
printf '#!/bin/sh\nexit 101\n' | $sudo tee "$root/usr/sbin/policy-rc.d" >/dev/null
$sudo chmod +x "$root/usr/sbin/policy-rc.d"
$sudo cp /etc/resolv.conf "$root/etc/resolv.conf"
# apt-get runs in a private mount namespace: proc and sysfs are mounted there only and vanish
# with it, so nothing stays mounted on the host even if this script is killed.
in_chroot() {
  $sudo unshare --mount --propagation private sh -c \
    'root=$1; shift; mount -t proc proc "$root/proc"; mount -t sysfs sysfs "$root/sys"; exec chroot "$root" "$@"' \
    easytv-chroot "$root" "$@"
}
echo "kodi21_chroot: apt-get install $packages"
in_chroot apt-get update -qq
in_chroot apt-get install -y -qq --no-install-recommends $packages >"$root.apt.log" 2>&1 \
  || { tail -20 "$root.apt.log"; exit 1; }
in_chroot dpkg-query -W -f='${Version}' kodi | $sudo tee "$root/.easytv-kodi-version" >/dev/null
echo "$packages" | $sudo tee "$marker" >/dev/null
echo "kodi21_chroot: $root ready in $(( $(date +%s) - began )) s (Kodi $(cat "$root/.easytv-kodi-version"))"
