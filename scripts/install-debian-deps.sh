#!/usr/bin/env bash
# Installs the Debian packages the tests use (real SIP peers and the browser), only those
# missing, so a second run takes a second. Needs root (or sudo) on Debian 12.
set -euo pipefail
# rtpengine-daemon is the media relay between plain-RTP softphones and the WebRTC agents (Kamailio's
# rtpengine.so ships in the kamailio package); baresip is the real softphone those tests dial with.
packages=(kamailio kamailio-websocket-modules kamailio-presence-modules sip-tester chromium openssl janus rtpengine-daemon baresip)
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
# Debian starts kamailio's and rtpengine's own services where systemd runs; tests bring their own
# instances on loopback, and a system rtpengine would hold ports (and try the kernel module).
for service in kamailio rtpengine-daemon; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    $SUDO systemctl disable --now "$service" || true
  fi
done
