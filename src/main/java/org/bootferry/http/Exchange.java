package org.bootferry.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * One request being answered, with the route table's name for it (its metrics are counted under
 * that), and the one way its answer goes out: every response is written by
 * {@link #write} (keep-alive, metrics), a file's by {@link FileResponder} through {@link #keepAlive}
 * and {@link #count}.
 *
 * @param started {@link System#nanoTime} when the request was read: its duration is counted from there
 */
record Exchange(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String route,
        HttpMetrics metrics, long started) {

    static final String TEXT = "text/plain; charset=utf-8";

    /** The first value of query parameter {@code name}. */
    Optional<String> param(String name) {
        List<String> values = uri.parameters().getOrDefault(name, List.of());
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    boolean head() {
        return request.method().equals(HttpMethod.HEAD);
    }

    /**
     * The version an answer carries: HTTP/1.0 to an HTTP/1.0 request, else HTTP/1.1, the highest this
     * server speaks (RFC 9110 section 6.2). Never the request's own: a request line naming
     * {@code HTTP/0.1} or {@code HTTP/7.3} got that echoed back, which no client reads as HTTP (found
     * by HttpRequestFuzzTest).
     */
    HttpVersion version() {
        return request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    /** The address the request came in on: URLs in an answer point back the way the client reached us. */
    InetAddress local() {
        return ((InetSocketAddress) ctx.channel().localAddress()).getAddress();
    }

    /** Whether the request came over TLS: the HTTPS listener's connections begin with an SslHandler. */
    boolean tls() {
        return ctx.pipeline().get(SslHandler.class) != null;
    }

    InetAddress remote() {
        return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    }

    /** The same exchange with the request retained, for an answer sent after this call returns. */
    Exchange retained() {
        return new Exchange(ctx, request.retainedDuplicate(), uri, route, metrics, started);
    }

    void release() {
        request.release();
    }

    void sendText(HttpResponseStatus status, String line) {
        send(status, TEXT, line + "\n");
    }

    void send(HttpResponseStatus status, String contentType, String body) {
        int length = ByteBufUtil.utf8Bytes(body);
        // Encoded into the connection's allocator (direct memory on epoll), where the socket writes
        // from: a heap array would be copied there once more on its way out.
        FullHttpResponse response = new DefaultFullHttpResponse(version(), status,
                head() ? Unpooled.EMPTY_BUFFER : utf8(body, length));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, length);
        HttpRouter.log.info("{} {} {} {} bytes to {}", request.method(), request.uri(), status.code(), length,
                ctx.channel().remoteAddress());
        write(response, head() ? 0 : length);
    }

    /** {@code text} in a buffer of exactly its {@code length} UTF-8 bytes, not the 3 per char a guess takes. */
    private ByteBuf utf8(String text, int length) {
        ByteBuf bytes = ctx.alloc().buffer(length);
        ByteBufUtil.reserveAndWriteUtf8(bytes, text, length);
        return bytes;
    }

    void write(FullHttpResponse response, long bodyBytes) {
        // After a 400 the decoder may be anywhere in the client's bytes: nothing after it can be read.
        boolean keepAlive = keepAlive() && !response.status().equals(HttpResponseStatus.BAD_REQUEST);
        HttpUtil.setKeepAlive(response, keepAlive);
        count(response.status(), bodyBytes);
        ChannelFuture done = ctx.writeAndFlush(response);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** HTTP/1.1 unless the client said close; HTTP/1.0 only when it asked for keep-alive. */
    boolean keepAlive() {
        return HttpUtil.isKeepAlive(request);
    }

    void count(HttpResponseStatus status, long bodyBytes) {
        metrics.count(route, status.code(), bodyBytes, System.nanoTime() - started);
    }
}
