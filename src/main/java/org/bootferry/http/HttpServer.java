package org.bootferry.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;

/** The HTTP listener: iPXE scripts, boot files, install files, the API, metrics and the status page. */
public final class HttpServer {

    /** Requests are small (a script GET, a done POST); anything larger is refused by the aggregator. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final int IDLE_SECONDS = 120;

    private final HttpServices services;
    private final Api api;
    private final HttpMetrics metrics;

    public HttpServer(HttpServices services) {
        this.services = services;
        this.api = new Api(services);
        this.metrics = new HttpMetrics(services.registry());
    }

    /** Binds and returns the listening channel; throws when the port can't be had. */
    public Channel bind(EventLoopGroup group, Class<? extends ServerChannel> channelType, InetSocketAddress address)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new ChunkedWriteHandler())
                                .addLast(new HttpRouter(services, api, metrics));
                    }
                })
                .bind(address).sync().channel();
    }
}
