package org.bootferry.dhcp;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where server mode's leases live, behind one interface (as Kea's LeaseMgr): the protocol logic never
 * knows whether it is a journal on disk or a map in a test.
 */
public interface LeaseStore extends AutoCloseable {

    /** The latest record of every address, as the store holds it now. */
    List<Lease> leases();

    /**
     * Stores the record, replacing the address's earlier one. The future completes once the record is
     * durable: an ACK leaves only then (RFC 2131 §4.3.2: the server "MUST commit the binding" before
     * the DHCPACK), and completes exceptionally if it could not be stored.
     */
    CompletableFuture<Void> put(Lease lease);

    @Override
    void close();
}
