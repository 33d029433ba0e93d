package org.bootferry.tftp;

import java.net.InetSocketAddress;

/** Told of every transfer that ended: what the server package turns into metrics and boot events. */
@FunctionalInterface
public interface TransferListener {

    TransferListener NONE = (client, name, bytes, millis, resentBlocks, complete) -> { };

    /**
     * @param bytes        bytes the client acknowledged
     * @param resentBlocks blocks sent again after a timeout
     * @param complete     false when the transfer was abandoned (client gone, retries spent)
     */
    void transferred(InetSocketAddress client, String name, long bytes, long millis, long resentBlocks, boolean complete);
}
