#!/usr/bin/env bash
# Installs every Debian package the test suite uses, only those missing. Needs root (apt-get).
set -euo pipefail
PACKAGES=(
  maven openjdk-17-jdk-headless curl iproute2
  qemu-system-x86 ipxe-qemu ipxe ovmf dnsmasq-base busybox-static cpio tcpdump
  tftp-hpa atftp tftpd-hpa chromium
  docker-registry skopeo umoci zstd apache2-utils openssl
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools: all present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test tools missing: ${missing[*]}; run as root (apt-get) to install them" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
