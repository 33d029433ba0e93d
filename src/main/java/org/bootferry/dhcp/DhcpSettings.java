package org.bootferry.dhcp;

/**
 * How the ProxyDHCP responder behaves on the wire.
 *
 * @param clientPort       where DHCP clients listen (68, RFC 2131 §4.1); tests use their own
 * @param relayPort        where relay agents listen (67, RFC 2131 §4.1)
 * @param answersPerMac    burst of answers one MAC may get before the limit applies
 * @param answersPerSecond sustained answers per MAC per second; a looping client beyond this is
 *                         answered no more often, so it can't make bootferry flood the segment
 */
public record DhcpSettings(int clientPort, int relayPort, int answersPerMac, double answersPerSecond) {

    public static final int CLIENT_PORT = 68;
    public static final int SERVER_PORT = 67;

    public DhcpSettings {
        if (answersPerMac < 1 || answersPerSecond <= 0) {
            throw new IllegalArgumentException("the per-MAC rate limit needs a burst >= 1 and a rate > 0");
        }
    }

    /**
     * A PXE boot takes 2-6 answers within seconds (DISCOVER and 4011 for the ROM, again for iPXE);
     * clients retry after 4, 8, 16 s. Twelve at once and two a second leave every real boot alone.
     */
    public static DhcpSettings defaults() {
        return new DhcpSettings(CLIENT_PORT, SERVER_PORT, 12, 2);
    }

    /**
     * Other client and relay ports. Only tests call it (the server keeps 68/67): a test's responder
     * must answer on unprivileged ports that no real DHCP client or relay listens on.
     */
    public DhcpSettings withClientPort(int port, int relay) {
        return new DhcpSettings(port, relay, answersPerMac, answersPerSecond);
    }
}
