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
        ADOPTED("adopted"),
        /** A request of a machine's URL without its capability: the detail names who asked. */
        REFUSED("refused"),
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

    /**
     * This event as one JSON object (time, mac, stage, detail, and bytes and millis when it was a
     * transfer), written by hand: the journal writes one per DHCP answer, and a JSON tree per event
     * costs more than the answer.
     */
    public String toJson() {
        StringBuilder json = new StringBuilder(128).append("{\"time\":\"").append(time)
                .append("\",\"mac\":\"").append(mac).append("\",\"stage\":\"").append(stage.id())
                .append("\",\"detail\":");
        quote(detail, json);
        if (bytes > 0) {
            json.append(",\"bytes\":").append(bytes);
        }
        if (millis > 0) {
            json.append(",\"millis\":").append(millis);
        }
        return json.append('}').toString();
    }

    /** A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped. */
    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
