package org.bootferry.journal;

/**
 * How big the event journal grows: past {@code maxBytes} {@code events.jsonl} becomes
 * {@code events.jsonl.1} (the one before becomes {@code .2}, and so on) and a new one is begun; the
 * oldest beyond {@code keep} is deleted. So the journal holds at most {@code (keep + 1) * maxBytes}
 * (a file goes past {@code maxBytes} only by a single line longer than that). server.yaml's
 * {@code events:} section, live.
 *
 * @param maxBytes how big {@code events.jsonl} grows before it is rotated
 * @param keep     how many rotated files are kept
 */
public record JournalRotation(long maxBytes, int keep) {

    /** 64 MiB is about half a million events (a DHCP answer's is ~125 bytes); five of them kept. */
    public static final JournalRotation DEFAULT = new JournalRotation(64L << 20, 5);

    public JournalRotation {
        if (maxBytes < 1 || keep < 1) {
            throw new IllegalArgumentException("a journal rotates at a size >= 1 and keeps >= 1 file: " + maxBytes
                    + ", " + keep);
        }
    }
}
