#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo run for real: Kodi 20, Xvfb, MariaDB,
# ffmpeg, and python3-venv. Does nothing when they are already there.
set -euo pipefail

need=()
[ -x /usr/lib/x86_64-linux-gnu/kodi/kodi.bin ] || [ -x /usr/lib/aarch64-linux-gnu/kodi/kodi.bin ] || need+=(kodi)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null || need+=(mariadb-server mariadb-client)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v iptables >/dev/null || need+=(iptables)  # make bench: hints dropped as by a firewall
command -v git >/dev/null || need+=(git)
command -v make >/dev/null || need+=(make)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then need+=(python3-venv); fi

if [ ${#need[@]} -eq 0 ]; then
  echo "install_system_deps: kodi, xvfb, mariadb, ffmpeg already installed"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install_system_deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install_system_deps: done"
