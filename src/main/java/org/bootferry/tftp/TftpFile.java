package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Content being served. Read by position so that a window can be sent again after a loss without
 * keeping it in memory: a transfer holds no more than the blocks it is sending.
 */
public interface TftpFile extends Closeable {

    /** Size in bytes, fixed when opened; tsize reports it and the last block is computed from it. */
    long size();

    /** Appends {@code length} bytes starting at {@code position} to {@code out}. */
    void read(long position, int length, ByteBuf out) throws IOException;

    /** A file on disk, streamed from the page cache; closing the TftpFile closes the channel. */
    static TftpFile of(FileChannel channel) throws IOException {
        long size = channel.size();
        return new TftpFile() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void read(long position, int length, ByteBuf out) throws IOException {
                int done = 0;
                while (done < length) {
                    int n = out.writeBytes(channel, position + done, length - done);
                    if (n < 0) {
                        throw new IOException("file shrank to " + channel.size() + " bytes while being sent (was " + size + ")");
                    }
                    done += n;
                }
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** Content generated in memory, such as a rendered configuration file. */
    static TftpFile of(byte[] content) {
        byte[] bytes = content.clone();
        return new TftpFile() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public void read(long position, int length, ByteBuf out) {
                out.writeBytes(bytes, (int) position, length);
            }

            @Override
            public void close() {
            }
        };
    }
}
