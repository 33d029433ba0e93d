package org.bootferry.http;

import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.epoll.EpollSendfile;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file's body on an epoll connection, sent with sendfile(2) as nginx sends it: a sendfile that sends
 * less than it was given means the socket is full, and the connection's turn ends there until the
 * socket has room (EPOLLOUT).
 *
 * <p>Why not Netty's {@link DefaultFileRegion}: its epoll transport calls sendfile again after a short
 * one, until one sends nothing (EAGAIN), and then checks the file's size (fstat) in case it was
 * truncated. That empty call costs more than a syscall: the kernel first splices up to a pipe's worth
 * (64 KiB) of page cache, finds the socket full only then, and gives the pages back (fs/splice.c,
 * {@code splice_direct_to_actor} reads before it sends). With 1,000 connections fetching an initrd
 * that was 2,200–2,600 of each call per GiB, and the event loops' CPU per GiB 15–25 % above what this
 * class leaves (docs/benchmarks.md, HTTP).
 *
 * <p>Netty writes a file region of another kind by calling {@link #transferTo} until it returns 0,
 * which ends the turn and arms EPOLLOUT; this one returns 0 on the call after a short sendfile, without
 * a syscall. A sendfile can also be short because the file ended (truncated while it was sent): if the
 * socket still has room, arming EPOLLOUT reports it at once, the next sendfile sends nothing and the
 * file's size is checked then, which ends the answer with an error. If EPOLLOUT was armed already, no
 * event may come; the send deadline ({@link Deadlines}) closes the connection then, as nginx's
 * {@code send_timeout} ends the same wait.
 */
final class SendfileRegion extends AbstractReferenceCounted implements FileRegion {

    /**
     * The most Linux sends in one sendfile (MAX_RW_COUNT, 2 GiB less a page): a call that sent that
     * much and no more was not stopped by the socket.
     */
    private static final long MAX_SENDFILE = 0x7ffff000L;

    private final Channel channel;
    private final FileChannel file;
    /** The region sendfile reads, and whose transferred() it moves. */
    private final DefaultFileRegion region;
    /** The last sendfile was short: the next call ends the turn. */
    private boolean full;

    /** @param channel a connection of the epoll transport ({@link EpollSendfile#supports}) */
    SendfileRegion(Channel channel, FileChannel file, long position, long count) {
        this.channel = channel;
        this.file = file;
        this.region = new DefaultFileRegion(file, position, count);
    }

    @Override
    public long position() {
        return region.position();
    }

    @Override
    public long count() {
        return region.count();
    }

    @Override
    public long transferred() {
        return region.transferred();
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred();
    }

    /**
     * One sendfile onto the channel's socket ({@code target}, Netty's view of it, is not used), or none
     * right after a short one.
     *
     * @param position how much of the region was sent already
     * @return the bytes sent; 0 when the socket is full
     * @throws IOException when the file is shorter than the region: it was truncated while being sent
     */
    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        if (full) {
            full = false;
            return 0;
        }
        long left = count() - position;
        long sent = EpollSendfile.send(channel, region, position, left);
        if (sent == 0 && file.size() < position() + count()) {
            throw new IOException("the file was truncated while it was sent: " + file.size() + " bytes, the answer "
                    + "ends at byte " + (position() + count()));
        }
        full = sent > 0 && sent < Math.min(left, MAX_SENDFILE);
        return sent;
    }

    @Override
    protected void deallocate() {
        region.release();
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }
}
