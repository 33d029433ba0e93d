package org.bootferry.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Says why a client's TLS handshake failed, once per client a minute ({@link Guard#refused}): a
 * firmware that was not given bootferry's CA aborts the handshake with an alert ({@code unknown_ca}
 * from EDK2's TlsLib, which is OpenSSL), and that is what an admin wondering why a machine won't
 * boot needs to see. The handshake has no request, so the access log has no line for it.
 */
final class TlsHandshakes extends ChannelInboundHandlerAdapter {

    private final Guard guard;

    TlsHandshakes(Guard guard) {
        this.guard = guard;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            String why = why(done.cause());
            guard.refused(Guard.client(ctx), "tls-handshake", "TLS handshake with " + Guard.client(ctx)
                    .getHostAddress() + " failed: " + why);
        }
        super.userEventTriggered(ctx, evt);
    }

    private static String why(Throwable cause) {
        if (cause instanceof NotSslRecordException) {
            // Its message quotes the bytes in hex: what the client sent stays out of the log.
            return "it sent no TLS (plain HTTP to the HTTPS port?)";
        }
        if (cause.getMessage() == null) {
            return "it closed the connection during the handshake (" + cause.getClass().getSimpleName()
                    + "), as a client does that does not trust the certificate's CA or names";
        }
        return cause.getMessage();
    }
}
