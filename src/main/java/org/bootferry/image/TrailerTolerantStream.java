package org.bootferry.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Lets a tar end without the zero padding of its last entry and without its end-of-archive
 * trailer (umoci 0.4.7 'insert', umoci issue #436): at the real end of the stream it supplies
 * them once. Only the padding and trailer may be missing; {@link #requireComplete} refuses a tar
 * that ends inside an entry's data. The layer's digest still covers every byte, so nothing
 * unverified slips through.
 */
final class TrailerTolerantStream extends FilterInputStream {
    private long count;
    private long realEnd = -1;
    private int supplied;
    private int toSupply;

    TrailerTolerantStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (realEnd < 0) {
            int n = in.read(b, off, len);
            if (n >= 0) {
                count += n;
                return n;
            }
            realEnd = count;
            toSupply = (int) ((512 - count % 512) % 512) + 1024;
        }
        if (supplied >= toSupply) {
            return -1;
        }
        int n = Math.min(len, toSupply - supplied);
        Arrays.fill(b, off, off + n, (byte) 0);
        supplied += n;
        return n;
    }

    /** Fails if the stream ended before {@code dataEnd}, the end of entry {@code name}'s data. */
    void requireComplete(long dataEnd, String name) throws IOException {
        if (realEnd >= 0 && realEnd < dataEnd) {
            throw new IOException("tar ends inside the data of " + name + " (" + (dataEnd - realEnd)
                    + " bytes missing)");
        }
    }
}
