package org.bootferry.storm;

import java.util.Locale;

/** The steps of one simulated PXE boot, in the order a UEFI machine takes them. */
enum Stage {
    /** DHCPDISCOVER to 67 → ProxyDHCP OFFER (first send to answer, retries included). */
    DHCP,
    /** DHCPREQUEST to 4011 → ACK naming the boot file (PXE 2.1 §2.2.3). */
    PXE,
    /** The first-stage loader over TFTP: EDK2's tsize probe, then the transfer (blksize 1468, windowsize 4). */
    TFTP,
    /** The iPXE script over HTTP. */
    SCRIPT,
    KERNEL,
    INITRD,
    /** The install file named by {@code inst.ks=} on the script's kernel line. */
    KICKSTART,
    /** The installer's {@code POST /done/M}. */
    DONE;

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
