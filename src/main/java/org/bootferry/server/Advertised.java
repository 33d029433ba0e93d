package org.bootferry.server;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.ServerSettings;
import org.bootferry.lang.AddressText;

/**
 * The addresses machines are told to reach bootferry at when none is configured: {@code advertise:}
 * (next-server and the URLs of machines that came over IPv4) and {@code advertise6:} (the URLs and
 * DHCPv6 option 59 of machines that came over IPv6).
 */
public final class Advertised {

    private Advertised() {
    }

    /**
     * The snapshot with the address machines are told filled in as {@code serve} tells them, so that
     * {@code explain} shows the same next-server and URLs.
     *
     * @throws ListenerException when nothing is configured and this host has no address to offer
     */
    public static ConfigSnapshot filledIn(ConfigSnapshot snapshot) {
        ServerSettings settings = snapshot.settings();
        if (settings.advertise6().isEmpty()) {
            settings = settings.withAdvertise6(defaultAdvertise6(settings));
        }
        if (settings.advertise().isEmpty()) {
            // On an IPv6-only host the IPv6 address is the one every machine is told.
            Optional<String> v6 = settings.advertise6();
            settings = settings.withAdvertise(defaultAdvertise(settings).or(() -> v6).orElseThrow(() ->
                    new ListenerException("this host has no IPv4 address besides loopback, nor a global or unique local"
                            + " IPv6 one, to advertise to machines: set --advertise (the address machines reach"
                            + " bootferry at)", null)));
        }
        return settings == snapshot.settings() ? snapshot : snapshot.withSettings(settings);
    }

    /**
     * The IPv6 address machines reach us at when {@code advertise6} is not set: {@code advertise}
     * when that is IPv6, the bind address when it is one, else with a wildcard bind this host's
     * first global address on an interface that is up and not loopback, else its first unique local
     * one (fd00::/8). Never a link-local address: a URL would need the client's zone, which EDK2
     * does not parse and no server knows (reference/ipv6). Empty when the host has none, or listens
     * on IPv4 only: then a machine that comes over IPv6 is told why it can't be answered.
     */
    static Optional<String> defaultAdvertise6(ServerSettings settings) {
        InetAddress advertised = BootServer.literal(settings.advertise().orElse(settings.bind()));
        if (advertised instanceof Inet6Address && !advertised.isAnyLocalAddress()) {
            return Optional.of(AddressText.of(advertised));
        }
        InetAddress bind = BootServer.literal(settings.bind());
        if (!(bind instanceof Inet6Address) || !bind.isAnyLocalAddress()) {
            return Optional.empty();
        }
        try {
            List<Inet6Address> found = new ArrayList<>();
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nif.isUp() && !nif.isLoopback()) {
                    Collections.list(nif.getInetAddresses()).stream().filter(Inet6Address.class::isInstance)
                            .map(Inet6Address.class::cast).filter(a -> !a.isLinkLocalAddress()).forEach(found::add);
                }
            }
            // Global before unique local (RFC 4193's fc00::/7 reads as site-local to no Java method).
            return found.stream().sorted(Comparator.comparing(Advertised::uniqueLocal)).findFirst()
                    .map(AddressText::of); // without the zone: a global address needs none
        } catch (SocketException e) {
            throw new ListenerException("cannot list this host's interfaces to choose an IPv6 address to advertise: "
                    + e.getMessage() + "; set advertise6 in server.yaml", e);
        }
    }

    private static boolean uniqueLocal(Inet6Address a) {
        return (a.getAddress()[0] & 0xfe) == 0xfc;
    }

    /**
     * The address machines reach us at when none is configured: with a wildcard bind, this host's
     * first IPv4 address on an interface that is up and not loopback; empty when it has none.
     */
    private static Optional<String> defaultAdvertise(ServerSettings settings) {
        InetAddress bind = BootServer.literal(settings.bind());
        if (!bind.isAnyLocalAddress()) {
            return Optional.of(settings.bind());
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return Optional.of(a.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            throw new ListenerException("cannot list this host's interfaces to choose an address to advertise: "
                    + e.getMessage() + "; set --advertise", e);
        }
        return Optional.empty();
    }
}
