package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A network interface ProxyDHCP answers on when bound to the wildcard address: the name its sockets
 * are tied to (SO_BINDTODEVICE) and its IPv4 addresses, one of which clients on it are given as
 * next-server and in URLs.
 *
 * @param name      the kernel's name for it ({@code br0}, {@code eth1})
 * @param addresses its IPv4 addresses, primary first; never empty
 */
record BootInterface(String name, List<Inet4Address> addresses) {

    BootInterface {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("interface " + name + " has no IPv4 address to answer from");
        }
    }

    /**
     * Every interface that is up, not loopback, and has an IPv4 address. Ports enslaved to a bridge
     * carry no address of their own, and their packets reach the stack through the bridge, which is
     * listed: one socket per boot network.
     */
    static List<BootInterface> list() throws SocketException {
        List<BootInterface> found = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            List<Inet4Address> v4 = new ArrayList<>();
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address address) {
                    v4.add(address);
                }
            }
            if (!v4.isEmpty()) {
                found.add(new BootInterface(nif.getName(), v4));
            }
        }
        return found;
    }

    /**
     * What clients on this interface are told to boot from. The advertised address when it is one
     * of this interface's (single-homed hosts, or the chosen one of several addresses on one link);
     * otherwise this interface's first address, since an address on another network is not what a
     * client here reaches on its link, and a broadcast reply from it would leave by the other interface.
     */
    Inet4Address serverAddress(Optional<InetAddress> advertise) {
        return advertise.filter(addresses::contains).map(Inet4Address.class::cast).orElse(addresses.get(0));
    }
}
