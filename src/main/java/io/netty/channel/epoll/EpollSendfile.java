package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.DefaultFileRegion;
import java.io.IOException;

/**
 * bootferry's, not Netty's: one sendfile(2) of part of a file onto an epoll channel's socket, what
 * Netty's epoll transport does for a {@link DefaultFileRegion} but keeps to itself ({@code LinuxSocket}
 * and the channel's socket are package-private). It lives in Netty's package for that alone;
 * {@code org.bootferry.http.SendfileRegion} says why it is needed. Compiled against the Netty in
 * pom.xml: an upgrade that changes what it calls fails the build, not a boot.
 */
public final class EpollSendfile {

    private EpollSendfile() {
    }

    /** Whether {@code channel} is one of the epoll transport's, whose socket {@link #send} can write to. */
    public static boolean supports(Channel channel) {
        return channel instanceof AbstractEpollChannel;
    }

    /**
     * Sends up to {@code length} bytes of {@code file} from {@code offset} (counted from its region's
     * position) with one non-blocking sendfile, and moves the region's {@code transferred()} past them.
     *
     * @return the bytes sent, 0 when the socket took none (EAGAIN) or the file ended
     */
    public static long send(Channel channel, DefaultFileRegion file, long offset, long length) throws IOException {
        return ((AbstractEpollChannel) channel).socket.sendFile(file, file.position(), offset, length);
    }
}
