package org.bootferry.machine;

import java.util.List;

/**
 * The DHCPv6 boot clients that asked and could not be tied to a MAC (DHCPv6 carries none; see
 * {@code dhcp6.ClientMac}), so an admin can name them by DUID. DHCPv6 reports, the journal keeps,
 * the API and the status page show.
 */
public interface UnidentifiedClients {

    /** Records one unanswered request; never blocks, so DHCPv6 may call it on its event loop. */
    void saw(UnidentifiedClient.Sighting sighting);

    /** The client of {@code duid} (hex) was answered: it is no longer unidentified. */
    void identified(String duid);

    /** Every client kept, the most recently seen first. */
    List<UnidentifiedClient> clients();

    /** How many clients were forgotten to keep the list bounded, the longest unseen first. */
    long dropped();

    /** Records nothing, shows nothing: for tests that look elsewhere. */
    UnidentifiedClients NONE = new UnidentifiedClients() {
        @Override
        public void saw(UnidentifiedClient.Sighting sighting) {
        }

        @Override
        public void identified(String duid) {
        }

        @Override
        public List<UnidentifiedClient> clients() {
            return List.of();
        }

        @Override
        public long dropped() {
            return 0;
        }
    };
}
