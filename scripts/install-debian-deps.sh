#!/usr/bin/env bash
# Installs the Debian packages the tests use (real SIP peers and the browser), only those
# missing, so a second run takes a second. Needs root (or sudo) on Debian 12.
set -euo pipefail
packages=(kamailio kamailio-websocket-modules kamailio-presence-modules sip-tester chromium openssl janus)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-debian-deps: all present (${packages[*]})"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-debian-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts kamailio's own service where systemd runs; tests bring their own instances.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet kamailio 2>/dev/null; then
  $SUDO systemctl disable --now kamailio || true
fi
