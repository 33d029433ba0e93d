#!/bin/sh
# Installs every Debian package the test suite needs: as root, with apt-get, only what is missing.
# Add a package here when a test starts needing a new tool (one per line, with what needs it).
# Not from Debian: kubectl 1.21 or newer (KubernetesDeployTest renders deploy/kubernetes with its
# kustomize). This kind of machine comes with one; Debian's kubernetes-client (1.20) is too old.
# A quoted here-document: the notes may hold any character.
PACKAGES=$(cat <<'LIST'
qemu-system-x86          e2e: the VMs
qemu-system-arm          e2e: the arm64 VM (qemu-system-aarch64)
qemu-efi-aarch64         e2e: arm64 UEFI firmware (AAVMF)
grub-common              e2e: grub-mkimage builds the arm64 network loader (Debian has no arm64 iPXE)
ipxe-qemu                e2e: QEMU NIC option ROMs (iPXE)
ipxe                     tftp + e2e: undionly.kpxe, ipxe.efi served by bootferry
ovmf                     e2e: UEFI firmware, with Secure Boot and the Microsoft keys (OVMF_*_4M.ms.fd); HTTPS Boot with TLS (HttpsBootEndToEndTest)
pxelinux                 e2e: the Debian pxelinux.0, booted unmodified (PxelinuxEndToEndTest)
syslinux-common          e2e: the pxelinux ldlinux.c32 and menu modules, the syslinux.efi ldlinux.e64
syslinux-efi             e2e: syslinux.efi under OVMF over TFTP (PxelinuxEndToEndTest)
grub-efi-amd64-bin       e2e: the x86_64-efi GRUB grub-mknetdir lays out (GrubNetdirEndToEndTest)
shim-signed              e2e: the Debian signed shim fetching grubx64.efi beside itself (GrubNetdirEndToEndTest)
debian-installer-12-netboot-amd64  e2e + loader tests: the stock installer, the Debian signed shim and GRUB
shim-helpers-amd64-signed  loader tests: the Debian signed MokManager, served beside a shim
dnsmasq-base             e2e + dhcp tests: the site DHCP server and relay agent (DHCPv4 and, in BootOnly6NamespaceTest, DHCPv6), and the other server OtherDhcpServerTest finds (not "dnsmasq", which starts a system service)
procps                   e2e: sysctl, IP forwarding in the namespace that routes the relayed link
isc-dhcp-client          dhcp6 tests: stock dhclient -6 against DHCPv6 server mode (ServerDhcp6NamespaceTest)
dnsutils                 dhcp tests: dig asks the DNS listener of server mode (ServerModeAdminTest)
cpio                     e2e: initramfs archive
gzip                     e2e: initramfs compression
tcpdump                  e2e: packet captures and fixtures
iproute2                 e2e: network namespaces, bridge, tap, veth
curl                     http tests; HTTPS tests: --cacert with the exported CA, Range over TLS (HttpsListenerTest)
python3-minimal          Ipv6OnlyNetworkTest: a raw TFTP request from a namespace, to see the answer's source address
nginx-light              image tests: a real mirror serving install trees (InstallTreeTest; the package starts no service where policy-rc.d forbids, and the test runs its own nginx on its own config)
debootstrap              systemd unit + container tests: Debian trees (scripts/debian-tree.sh)
systemd-container        systemd unit test: systemd-nspawn --boot
podman                   container test: builds and runs the image (ContainerIT)
qemu-user-static         jar test: runs the arm64 JRE from Debian on the jar (NativeLibrariesIT)
runc                     container test: the runtime podman uses here (crun refuses a hybrid cgroup host)
tftp-hpa                 tftp tests: a real client
atftp                    tftp tests: a client with options
tftpd-hpa                tftp tests: the incumbent server, for comparison
docker-registry          image tests + e2e: a real OCI registry (on loopback, or in the e2e lab)
skopeo                   image tests + e2e: pushes images
umoci                    image tests + e2e: builds images
zstd                     image tests: zstd layers
xz-utils                 kernel tests: unpack the ELF vmlinux inside a Debian bzImage (e2e/Vmlinux)
apache2-utils            image tests: htpasswd
openssl                  image tests: the token server signing key; HTTPS tests: an admin's own certificate and key (HttpsListenerTest)
chromium                 http tests: the status page in a real browser
groff-base               man page test: groff renders target/man/*.1 as man does
nodejs                   packaging: KubeVirtVmTypesTest runs the TypeScript compiler (with the npm its nodejs carries)
maven                    build
openjdk-17-jdk-headless  build
LIST
)
set -eu

missing=''
for pkg in $(printf '%s\n' "$PACKAGES" | awk 'NF { print $1 }'); do
    if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $pkg"
    fi
done
if [ -z "$missing" ]; then
    echo "test-deps: all test packages are installed"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "test-deps: missing:$missing -- run as root: sudo $0" >&2
    exit 1
fi

# Tests start the servers they need themselves, on loopback or in their own namespaces: keep
# packages like tftpd-hpa and docker-registry from starting system services (and taking port 69
# or 5000 on every interface) while they install.
policy=/usr/sbin/policy-rc.d
added_policy=''
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    added_policy=1
fi
trap '[ -n "$added_policy" ] && rm -f "$policy"' EXIT

echo "test-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends $missing
