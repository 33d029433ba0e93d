package org.bootferry.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.ServerSettings;

/** The address machines are told to reach bootferry at ({@code advertise:}), when none is configured. */
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
        if (snapshot.settings().advertise().isPresent()) {
            return snapshot;
        }
        return snapshot.withSettings(snapshot.settings().withAdvertise(defaultAdvertise(snapshot.settings())));
    }

    /**
     * The address machines reach us at when none is configured: with a wildcard bind, this host's
     * first IPv4 address on an interface that is up and not loopback.
     */
    private static String defaultAdvertise(ServerSettings settings) {
        InetAddress bind = BootServer.literal(settings.bind());
        if (!bind.isAnyLocalAddress()) {
            return settings.bind();
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            throw new ListenerException("cannot list this host's interfaces to choose an address to advertise: "
                    + e.getMessage() + "; set --advertise", e);
        }
        throw new ListenerException("this host has no IPv4 address besides loopback to advertise to machines:"
                + " set --advertise (the address machines reach bootferry at)", null);
    }
}
