package org.bootferry.machine;

import java.time.Instant;

/**
 * One step of one machine's boot, as a stage saw it. A machine's events in order are its boot's
 * timeline; the last one is where it stopped.
 *
 * @param detail what was served or why it failed, e.g. {@code ipxe.efi} or {@code 404 unknown machine}
 * @param bytes  bytes sent, 0 when not a transfer
 * @param millis how long the step took, 0 when instant
 */
public record BootEvent(Instant time, MacAddress mac, Stage stage, String detail, long bytes, long millis) {

    /** The boot stages in the order a boot passes them. */
    public enum Stage {
        DHCP_OFFER("dhcp-offer"),
        PXE_ACK("pxe-ack"),
        TFTP("tftp"),
        SCRIPT("script"),
        KERNEL("kernel"),
        INITRD("initrd"),
        KICKSTART("kickstart"),
        INSTALL_FILE("install-file"),
        DONE("done"),
        LOCAL_BOOT("local-boot"),
        RESET("reset"),
        FAILED("failed");

        private final String id;

        Stage(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    public static BootEvent now(MacAddress mac, Stage stage, String detail) {
        return new BootEvent(Instant.now(), mac, stage, detail, 0, 0);
    }

    public static BootEvent transfer(MacAddress mac, Stage stage, String detail, long bytes, long millis) {
        return new BootEvent(Instant.now(), mac, stage, detail, bytes, millis);
    }
}
