package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
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

    /**
     * A file on disk, streamed from the page cache through a read-ahead of 32 KiB (one read serves
     * many blocks of a lock-step transfer or a window), which this file holds until closed; closing
     * the TftpFile closes the channel. For files too large to share ({@link SmallFiles}).
     */
    static TftpFile of(FileChannel channel) throws IOException {
        long size = channel.size();
        return new TftpFile() {
            private static final int READ_AHEAD = 32 * 1024;
            private ByteBuffer ahead;
            private long aheadStart;

            @Override
            public long size() {
                return size;
            }

            @Override
            public void read(long position, int length, ByteBuf out) throws IOException {
                if (ahead == null || length > ahead.capacity()) {
                    // No more than the file, and at least a block (RFC 2348 allows up to 65464 bytes).
                    ahead = ByteBuffer.allocate((int) Math.min(Math.max(READ_AHEAD, length), size)).limit(0);
                }
                long offset = position - aheadStart;
                if (offset < 0 || offset + length > ahead.limit()) {
                    aheadStart = position;
                    offset = 0;
                    ahead.clear().limit((int) Math.min(ahead.capacity(), size - position));
                    readFully(position, ahead);
                }
                out.writeBytes(ahead.array(), (int) offset, length);
            }

            /** Fills {@code into} from its start with the bytes at {@code position}, then flips it. */
            private void readFully(long position, ByteBuffer into) throws IOException {
                while (into.hasRemaining()) {
                    if (channel.read(into, position + into.position()) < 0) {
                        throw new IOException("file shrank to " + channel.size() + " bytes while being sent (was " + size + ")");
                    }
                }
                into.flip();
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /**
     * Content in memory, such as a rendered configuration file or a {@link SmallFiles} copy. The array
     * is not copied: transfers may share one, and nobody changes it afterwards.
     */
    static TftpFile of(byte[] content) {
        return new TftpFile() {
            @Override
            public long size() {
                return content.length;
            }

            @Override
            public void read(long position, int length, ByteBuf out) {
                out.writeBytes(content, (int) position, length);
            }

            @Override
            public void close() {
            }
        };
    }
}
