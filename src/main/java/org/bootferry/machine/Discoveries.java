package org.bootferry.machine;

import java.util.List;

/**
 * Discovery: the network-boot clients that asked and have no machine file, so an admin can adopt
 * them without reading a MAC off a console. Passive: recording a machine answers nothing. DHCP
 * reports, the journal keeps, the API, the status page and the CLI show.
 */
public interface Discoveries {

    /** Records one request; never blocks on I/O, so DHCP may call it on its event loop. */
    void saw(Sighting sighting);

    /** Every machine kept, the most recently seen first. */
    List<Discovered> discovered();

    /** How many machines were forgotten to keep the list bounded, the longest unseen first. */
    long dropped();

    /** Records nothing, shows nothing: for servers and tests without a state directory. */
    Discoveries NONE = new Discoveries() {
        @Override
        public void saw(Sighting sighting) {
        }

        @Override
        public List<Discovered> discovered() {
            return List.of();
        }

        @Override
        public long dropped() {
            return 0;
        }
    };
}
