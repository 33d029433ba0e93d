package org.bootferry.machine;

/**
 * Where every protocol reports the steps of a machine's boot: DHCP its offers and 4011 answers, TFTP
 * its transfers, HTTP its scripts, files and {@code POST /done}. The journal keeps them; the API and
 * the status page show them.
 */
@FunctionalInterface
public interface BootLog {

    /** Records one step; never blocks on I/O, so a protocol may call it on its event loop. */
    void record(BootEvent event);
}
