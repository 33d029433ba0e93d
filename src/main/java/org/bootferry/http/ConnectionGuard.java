package org.bootferry.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;
import java.util.Optional;
import org.bootferry.lang.Quota;

/**
 * One connection's place in the listener's connection limits ({@link HttpLimits#connectionsPerClient},
 * {@link HttpLimits#connections}): taken when it opens, given back when it closes. A connection past a
 * limit is answered 503 with the reason and closed before anything of it is read.
 */
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    private final Guard guard;
    /** The client whose place this connection holds, once it took one. */
    private InetAddress holder;

    ConnectionGuard(Guard guard) {
        this.guard = guard;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetAddress client = Guard.client(ctx);
        Optional<Quota.Limit> refused = guard.connect(client);
        if (refused.isEmpty()) {
            holder = client;
            ctx.fireChannelActive();
            return;
        }
        HttpLimits limits = guard.limits();
        String why = refused.get() == Quota.Limit.PER_CLIENT
                ? "too many HTTP connections from " + client.getHostAddress() + ": the server takes "
                        + limits.connectionsPerClient() + " at once from one client"
                : "too many HTTP connections: the server has all its " + limits.connections() + " open";
        guard.hit(client, Guard.tag("connections", refused.get()), why);
        Guard.answerAndClose(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, why);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (holder != null) {
            guard.disconnected(holder);
            holder = null;
        }
        ctx.fireChannelInactive();
    }
}
