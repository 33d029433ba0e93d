package org.bootferry.dhcp;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.bootferry.lang.Ipv4;
import org.bootferry.lang.RecordJournal;
import org.bootferry.machine.MacAddress;

/**
 * Server mode's leases on disk: a {@link RecordJournal} ({@code leases.journal}, fdatasync'd before an
 * ACK leaves, compacted, a torn tail cut off) of one line an address: {@code address holder expires
 * crc}, the holder a MAC or {@code -}, the expiry in epoch milliseconds.
 */
public final class LeaseJournal implements LeaseStore {

    static final String FILE = "leases.journal";

    /** A lease as a journal line; the address is its key. */
    static final RecordJournal.Format<Lease> FORMAT = new RecordJournal.Format<>() {
        @Override
        public String key(Lease lease) {
            return lease.address().getHostAddress();
        }

        @Override
        public String text(Lease lease) {
            return lease.address().getHostAddress() + " " + lease.holder().map(MacAddress::toString).orElse("-")
                    + " " + lease.expires();
        }

        @Override
        public Optional<Lease> parse(String text) {
            String[] f = text.split(" ");
            if (f.length != 3) {
                return Optional.empty();
            }
            Optional<MacAddress> holder = f[1].equals("-") ? Optional.empty() : Optional.of(MacAddress.parse(f[1]));
            return Ipv4.parse(f[0]).map(address -> new Lease(address, holder, Long.parseLong(f[2])));
        }
    };

    private final RecordJournal<Lease> journal;

    /**
     * Opens (or creates) {@code dir/leases.journal}, reads it and starts the writer.
     *
     * @throws IOException when it can't be read or written, or is damaged
     */
    public LeaseJournal(Path dir) throws IOException {
        this.journal = new RecordJournal<>(dir, FILE, FORMAT);
    }

    /**
     * The records of {@code dir/leases.journal} as they stand, without opening it for writing: what a
     * command reads while the server may be running.
     *
     * @throws IOException when it can't be read, or is damaged
     */
    public static List<Lease> read(Path dir) throws IOException {
        return RecordJournal.read(dir.resolve(FILE), FORMAT);
    }

    static String format(Lease lease) {
        return RecordJournal.line(lease, FORMAT);
    }

    @Override
    public List<Lease> leases() {
        return journal.records();
    }

    @Override
    public CompletableFuture<Void> put(Lease lease) {
        return journal.put(lease);
    }

    @Override
    public void close() {
        journal.close();
    }
}
