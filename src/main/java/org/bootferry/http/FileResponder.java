package org.bootferry.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSendfile;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.bootferry.boot.BootFile;

/**
 * Sends a file: the whole of it or one Range ({@link ByteRange}), its digest as ETag, no body for
 * HEAD, and the body zero-copy over plain HTTP. Over TLS the bytes must pass through the cipher, so
 * sendfile can't be had: the body goes in 64 KiB chunks read as the connection drains
 * ({@link ChunkedNioFile} through the ChunkedWriteHandler a TLS pipeline has), never the whole file
 * in memory. On the epoll transport the body is a {@link SendfileRegion}, which takes a short sendfile
 * for a full socket as nginx does. Fetching it may wait for an image pull, which holds no thread; the file's digest and
 * opening are done off the loop.
 *
 * <p>A body sent with sendfile goes out corked (TCP_CORK, tcp(7)), as nginx's {@code tcp_nopush} sends
 * it: the connection has TCP_NODELAY, so the part of each sendfile that does not fill a whole segment
 * would leave at once as a short one, and draw an ACK of its own (docs/benchmarks.md, HTTP). The
 * headers and the body then leave in full segments, and the cork is taken out once the body is
 * written, which pushes its last short one.
 */
final class FileResponder {

    /** What to do once a file's body went out, or could not be had. */
    interface Outcome {
        Outcome NONE = new Outcome() {
        };

        default void sent(long bytes, long millis) {
        }

        default void unavailable(String reason) {
        }
    }

    /** As big as a TLS record can carry a few of; the chunk read per write while the connection drains. */
    private static final int TLS_CHUNK_BYTES = 64 * 1024;

    private final OffLoop offLoop;
    private final Guard guard;

    /** @param guard where a file that can't be had is logged, once per client and route a minute */
    FileResponder(OffLoop offLoop, Guard guard) {
        this.offLoop = offLoop;
        this.guard = guard;
    }

    void serve(Exchange ex, BootFile file, String contentType, Outcome outcome) {
        offLoop.answer(ex, file.ready(), () -> {
            Path path = file.fetch();
            String etag = "\"" + file.digest() + "\"";
            return later -> send(later, contentType, path, etag, outcome);
        }, e -> {
            String reason = file.source() + " unavailable: " + e.getMessage();
            guard.refused(ex.remote(), "unavailable " + ex.route(), ex.request().method() + " " + ex.request().uri()
                    + ": " + reason);
            outcome.unavailable(reason);
            return later -> later.sendText(HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
        });
    }

    private static void send(Exchange ex, String contentType, Path path, String etag, Outcome outcome) {
        FullHttpRequest request = ex.request();
        RandomAccessFile raf;
        long size;
        try {
            raf = new RandomAccessFile(path.toFile(), "r");
            size = raf.length();
        } catch (IOException e) {
            ex.sendText(HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot read " + path + ": " + e.getMessage());
            return;
        }
        ByteRange range;
        try {
            range = ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE),
                    request.headers().get(HttpHeaderNames.IF_RANGE), etag, size);
        } catch (ByteRange.Unsatisfiable e) {
            closeQuietly(raf);
            FullHttpResponse response = new DefaultFullHttpResponse(ex.version(),
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            HttpUtil.setContentLength(response, 0);
            ex.write(response, 0);
            return;
        }
        boolean partial = range.length() != size;
        HttpResponse response = new DefaultHttpResponse(ex.version(),
                partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES)
                .set(HttpHeaderNames.ETAG, etag);
        if (partial) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE,
                    "bytes " + range.start() + "-" + (range.start() + range.length() - 1) + "/" + size);
        }
        HttpUtil.setContentLength(response, range.length());
        boolean keepAlive = ex.keepAlive();
        HttpUtil.setKeepAlive(response, keepAlive);
        long body = ex.head() ? 0 : range.length();
        long started = System.nanoTime();
        boolean tls = ex.tls();
        boolean corked = body > 0 && !tls && cork(ex, true);
        ex.ctx().write(response);
        if (body == 0) {
            closeQuietly(raf);
        } else if (tls) {
            try {
                ex.ctx().write(new ChunkedNioFile(raf.getChannel(), range.start(), range.length(), TLS_CHUNK_BYTES));
            } catch (IOException e) {
                closeQuietly(raf);
                ex.ctx().close();
                return;
            }
        } else {
            // Zero-copy: the kernel moves the file to the socket (sendfile), no bytes in our heap.
            Channel channel = ex.ctx().channel();
            ex.ctx().write(EpollSendfile.supports(channel)
                    ? new SendfileRegion(channel, raf.getChannel(), range.start(), range.length())
                    : new DefaultFileRegion(raf.getChannel(), range.start(), range.length()));
        }
        ChannelFuture done = ex.ctx().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        String uri = request.uri();
        done.addListener(f -> {
            if (corked) {
                cork(ex, false);
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (f.isSuccess()) {
                ex.count(response.status(), body);
                if (!ex.head()) {
                    outcome.sent(body, millis);
                }
                HttpRouter.log.info("{} {} {} {} bytes in {} ms to {}{}", request.method(), uri,
                        response.status().code(), body, millis, ex.ctx().channel().remoteAddress(),
                        tls ? " over TLS" : "");
            } else {
                HttpRouter.log.info("{} {} aborted by {} after {} ms: {}", request.method(), uri,
                        ex.ctx().channel().remoteAddress(), millis, f.cause().toString());
            }
        });
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Corks or uncorks the connection; false where its transport has no TCP_CORK (only the epoll one
     * has), which then sends as it would without.
     */
    private static boolean cork(Exchange ex, boolean on) {
        Channel channel = ex.ctx().channel();
        return channel.isOpen() && channel.config().setOption(EpollChannelOption.TCP_CORK, on);
    }

    private static void closeQuietly(RandomAccessFile raf) {
        try {
            raf.close();
        } catch (IOException ignored) {
            // Read-only file: nothing to lose on close.
        }
    }
}
