package org.bootferry.machine;

/**
 * Which address family each machine's firmware got its boot file over, moments ago: told by the DHCP
 * and DHCPv6 servers as they answer a firmware, asked by the DHCP server before it hands iPXE a script
 * URL. On a dual-stack link iPXE configures both families and takes the script URL of DHCPv4 before
 * DHCPv6's, so only this memory keeps a machine whose firmware came over IPv6 on IPv6.
 */
public interface BootFamilies {

    /** {@code mac}'s firmware was just given its boot file over IPv6 ({@code ipv6}) or IPv4. */
    void firmwareAnswered(MacAddress mac, boolean ipv6);

    /** True when {@code mac}'s firmware was last given its boot file over IPv6, moments ago. */
    boolean firmwareCameOverIpv6(MacAddress mac);

    /** Remembers nothing: for servers of one family and for tests. */
    BootFamilies NONE = new BootFamilies() {
        @Override
        public void firmwareAnswered(MacAddress mac, boolean ipv6) {
        }

        @Override
        public boolean firmwareCameOverIpv6(MacAddress mac) {
            return false;
        }
    };
}
