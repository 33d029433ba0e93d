package org.bootferry.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.boot.BootFile;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.IpxeScript;
import org.bootferry.config.Cidr;
import org.bootferry.config.ServerSettings;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request. Boot routes ({@code /boot.ipxe?mac=M}, {@code /boot/M/kernel},
 * {@code /boot/M/initrd[/N]}, {@code /ks/M}, {@code POST /done/M}) render the machine's
 * {@link BootPlan} and record a boot event; the rest are the API, {@code /metrics},
 * {@code /healthz} and the status page.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    private static final Pattern BOOT_FILE = Pattern.compile("/boot/([^/]+)/(kernel|initrd)(?:/(\\d{1,3}))?");
    private static final Pattern KICKSTART = Pattern.compile("/ks/([^/]+)");
    private static final Pattern INSTALL_FILE = Pattern.compile("/files/([^/]+)/([^/]+)");
    private static final Pattern DONE = Pattern.compile("/done/([^/]+)");
    private static final Pattern MACHINE = Pattern.compile("/api/machines/([^/]+)");
    private static final Pattern RESET = Pattern.compile("/api/machines/([^/]+)/reset");
    /** The tftproot over HTTP: UEFI HTTP Boot fetches its loader by URL. */
    private static final String LOADERS = "/tftp/";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String HTML = "text/html; charset=utf-8";

    private final HttpServices services;
    private final Api api;
    private final HttpMetrics metrics;

    HttpRouter(HttpServices services, Api api, HttpMetrics metrics) {
        this.services = services;
        this.api = api;
        this.metrics = metrics;
    }

    /** A request that can't be answered with content; the reason is sent as one line of text. */
    static final class Refusal extends Exception {
        private final HttpResponseStatus status;

        Refusal(HttpResponseStatus status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    /** The request being answered, with the route name its metrics are counted under. */
    private record Exchange(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String route) {
        boolean head() {
            return request.method().equals(HttpMethod.HEAD);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        Exchange ex = new Exchange(ctx, request, uri, routeName(path));
        if (!request.decoderResult().isSuccess()) {
            sendText(ex, HttpResponseStatus.BAD_REQUEST, "malformed request");
            return;
        }
        try {
            route(ex, path, request.method());
        } catch (Refusal r) {
            sendText(ex, r.status, r.getMessage());
        } catch (BootPlanException e) {
            log.warn("{} {}: {}", request.method(), request.uri(), e.getMessage());
            sendText(ex, HttpResponseStatus.INTERNAL_SERVER_ERROR, "config error: " + e.getMessage());
        }
    }

    private void route(Exchange ex, String path, HttpMethod method) throws Refusal {
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        Matcher m;
        if (method.equals(HttpMethod.POST)) {
            if ((m = DONE.matcher(path)).matches()) {
                done(ex, mac(m.group(1)));
            } else if ((m = RESET.matcher(path)).matches()) {
                reset(ex, mac(m.group(1)));
            } else {
                throw new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, "POST is not supported on " + path);
            }
            return;
        }
        if (!read) {
            throw new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not supported on " + path);
        }
        if (path.equals("/")) {
            send(ex, HttpResponseStatus.OK, HTML, StatusPage.render(services));
        } else if (path.equals("/healthz")) {
            sendText(ex, HttpResponseStatus.OK, "ok");
        } else if (path.equals("/metrics")) {
            send(ex, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", services.metrics().get());
        } else if (path.startsWith(LOADERS)) {
            loader(ex, path.substring(LOADERS.length()));
        } else if (path.equals("/boot.ipxe")) {
            script(ex, macParam(ex.uri()));
        } else if ((m = BOOT_FILE.matcher(path)).matches()) {
            bootFile(ex, mac(m.group(1)), m.group(2), m.group(3));
        } else if ((m = KICKSTART.matcher(path)).matches()) {
            kickstart(ex, mac(m.group(1)));
        } else if ((m = INSTALL_FILE.matcher(path)).matches()) {
            installFile(ex, mac(m.group(1)), m.group(2));
        } else if (path.equals("/api/machines")) {
            send(ex, HttpResponseStatus.OK, JSON, api.machines());
        } else if ((m = MACHINE.matcher(path)).matches()) {
            MacAddress mac = mac(m.group(1));
            send(ex, HttpResponseStatus.OK, JSON, api.machine(mac).orElseThrow(() -> unknown(mac)));
        } else if (path.equals("/api/events")) {
            Optional<MacAddress> mac = ex.uri().parameters().containsKey("mac")
                    ? Optional.of(macParam(ex.uri())) : Optional.empty();
            send(ex, HttpResponseStatus.OK, JSON, api.events(mac, intParam(ex.uri(), "limit", 1000)));
        } else if (path.equals("/api/config/errors")) {
            send(ex, HttpResponseStatus.OK, JSON, api.configErrors());
        } else {
            throw new Refusal(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path);
        }
    }

    private static String routeName(String path) {
        if (path.equals("/")) {
            return "status";
        }
        if (path.startsWith("/boot/")) {
            return path.contains("/initrd") ? "initrd" : "kernel";
        }
        String[] segments = path.split("/", 3);
        return switch (segments.length > 1 ? segments[1] : "") {
            case "healthz" -> "healthz";
            case "metrics" -> "metrics";
            case "boot.ipxe" -> "script";
            case "ks" -> "kickstart";
            case "tftp" -> "loader";
            case "files" -> "install-file";
            case "done" -> "done";
            case "api" -> "api";
            default -> "other";
        };
    }

    // --- boot routes ---------------------------------------------------------------------------

    private void script(Exchange ex, MacAddress mac) throws Refusal {
        BootPlan plan = plan(ex, mac);
        String script = IpxeScript.render(plan);
        record(mac, plan.localBoot() ? BootEvent.Stage.LOCAL_BOOT : BootEvent.Stage.SCRIPT, ex.request().uri());
        send(ex, HttpResponseStatus.OK, TEXT, script);
    }

    /**
     * A loader for UEFI HTTP Boot. EDK2 decides what it downloaded by Content-Type first
     * ({@code application/efi}), then by extension.
     */
    private void loader(Exchange ex, String name) throws Refusal {
        Path file;
        try {
            file = services.loaders().find(LoaderFiles.normalise(name)).orElseThrow(() -> new Refusal(
                    HttpResponseStatus.NOT_FOUND, "no loader '" + LoaderFiles.printable(name) + "' in "
                            + services.loaders().directories()));
        } catch (LoaderFiles.Refusal e) {
            log.warn("refused {} from {}: {}", ex.request().uri(), ex.ctx().channel().remoteAddress(), e.getMessage());
            throw new Refusal(HttpResponseStatus.FORBIDDEN, e.getMessage());
        }
        // ?mac= when the planner sent an iPXE here to chainload ours; EDK2's HTTP Boot URL has none.
        if (ex.uri().parameters().containsKey("mac")) {
            services.fetches().fetched(macParam(ex.uri()), name);
        } else {
            services.fetches().fetched(remote(ex), name);
        }
        String type = name.endsWith(".efi") ? "application/efi" : HttpHeaderValues.APPLICATION_OCTET_STREAM.toString();
        serveFile(ex, new BootFile.Local(file), type, Outcome.NONE);
    }

    private void kickstart(Exchange ex, MacAddress mac) throws Refusal {
        Machine machine = machine(ex, mac);
        String text = services.planner().kickstart(machine).orElseThrow(() -> new Refusal(HttpResponseStatus.NOT_FOUND,
                "machine " + mac + " has no kickstart (set 'kickstart:' in its machine file)"));
        record(mac, BootEvent.Stage.KICKSTART, ex.request().uri());
        send(ex, HttpResponseStatus.OK, TEXT, text);
    }

    private void installFile(Exchange ex, MacAddress mac, String name) throws Refusal {
        Machine machine = machine(ex, mac);
        String text = services.planner().installFile(machine, name).orElseThrow(() -> new Refusal(
                HttpResponseStatus.NOT_FOUND, "machine " + mac + " has no install file '" + name + "' (see 'files:' in its"
                        + " machine file)"));
        record(mac, BootEvent.Stage.INSTALL_FILE, ex.request().uri());
        send(ex, HttpResponseStatus.OK, TEXT, text);
    }

    private void done(Exchange ex, MacAddress mac) throws Refusal {
        authorize(ex);
        plan(ex, mac);
        String from = remote(ex).getHostAddress();
        changeState(ex, "cannot record the install: ", () -> {
            services.state().markInstalled(mac, Instant.now());
            record(mac, BootEvent.Stage.DONE, "install reported done from " + from);
            return "recorded: " + mac + " installed";
        });
    }

    private void reset(Exchange ex, MacAddress mac) throws Refusal {
        authorize(ex);
        String from = remote(ex).getHostAddress();
        changeState(ex, "cannot reset: ", () -> {
            boolean was = services.state().reset(mac);
            record(mac, BootEvent.Stage.RESET, "reset from " + from);
            return was ? mac + " will install again at its next boot" : mac + " was not installed";
        });
    }

    /** A change of the durable boot state; returns the answer's text. */
    private interface StateChange {
        String apply() throws IOException;
    }

    /**
     * Boot state changes are durable (file and directory fsync: milliseconds, or seconds on a busy
     * disk), so they are made off the event loop, which serves many other connections (in a boot
     * storm, when the loops were still shared, {@code POST /done}s stalled 4011 answers past EDK2's
     * retries), and answered back on it.
     */
    private void changeState(Exchange ex, String failure, StateChange change) {
        FullHttpRequest held = ex.request().retainedDuplicate();
        Exchange later = new Exchange(ex.ctx(), held, ex.uri(), ex.route());
        try {
            services.blocking().execute(() -> {
                HttpResponseStatus status = HttpResponseStatus.OK;
                String text;
                try {
                    text = change.apply();
                } catch (IOException | RuntimeException e) {
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                    text = failure + e.getMessage();
                }
                HttpResponseStatus answer = status;
                String body = text;
                ex.ctx().executor().execute(() -> {
                    try {
                        sendText(later, answer, body);
                    } finally {
                        held.release();
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            held.release();
            sendText(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down");
        }
    }

    /**
     * Changing state is limited to the addresses and token of server.yaml's {@code api:} section.
     */
    private void authorize(Exchange ex) throws Refusal {
        ServerSettings.Api settings = services.config().get().settings().api();
        InetAddress from = remote(ex);
        if (!settings.allowFrom().isEmpty() && settings.allowFrom().stream().noneMatch(c -> Cidr.parse(c).contains(from))) {
            throw new Refusal(HttpResponseStatus.FORBIDDEN, from.getHostAddress() + " is not in api.allowFrom");
        }
        if (settings.token().isPresent()) {
            String auth = ex.request().headers().get(HttpHeaderNames.AUTHORIZATION, "");
            List<String> param = ex.uri().parameters().getOrDefault("token", List.of());
            String given = auth.startsWith("Bearer ") ? auth.substring(7).strip() : param.isEmpty() ? "" : param.get(0);
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    settings.token().get().getBytes(StandardCharsets.UTF_8))) {
                throw new Refusal(HttpResponseStatus.UNAUTHORIZED, "a valid api token is required"
                        + " (Authorization: Bearer <token>)");
            }
        }
    }

    private BootPlan plan(Exchange ex, MacAddress mac) throws Refusal {
        return services.planner().plan(machine(ex, mac)).orElseThrow(() -> unknown(mac));
    }

    private static Refusal unknown(MacAddress mac) {
        return new Refusal(HttpResponseStatus.NOT_FOUND, "unknown machine " + mac + ": no machines/" + mac.dashed()
                + ".yaml and no machines/default.yaml");
    }

    /**
     * The machine as HTTP sees it: firmware from {@code ?firmware=} when the URL carried it
     * (x86-64 BIOS otherwise), and our address as the one the request came in on, so URLs in the
     * answer point back the way the client reached us.
     */
    private static Machine machine(Exchange ex, MacAddress mac) throws Refusal {
        List<String> fw = ex.uri().parameters().get("firmware");
        Firmware firmware = Firmware.BIOS;
        if (fw != null && !fw.isEmpty()) {
            firmware = Firmware.byId(fw.get(0)).orElseThrow(() -> new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "unknown firmware '" + fw.get(0) + "' (known: " + Firmware.ids() + ")"));
        }
        InetAddress local = ((InetSocketAddress) ex.ctx().channel().localAddress()).getAddress();
        return new Machine(mac, firmware, true, Optional.of(local));
    }

    private static InetAddress remote(Exchange ex) {
        return ((InetSocketAddress) ex.ctx().channel().remoteAddress()).getAddress();
    }

    private static MacAddress macParam(QueryStringDecoder uri) throws Refusal {
        List<String> values = uri.parameters().get("mac");
        if (values == null || values.isEmpty()) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, "missing ?mac= (e.g. /boot.ipxe?mac=52:54:00:12:34:56)");
        }
        return mac(values.get(0));
    }

    private static int intParam(QueryStringDecoder uri, String name, int fallback) throws Refusal {
        List<String> values = uri.parameters().get(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        try {
            return Math.max(1, Integer.parseInt(values.get(0)));
        } catch (NumberFormatException e) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, "?" + name + "= takes a whole number");
        }
    }

    private static MacAddress mac(String text) throws Refusal {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
    }

    private void record(MacAddress mac, BootEvent.Stage stage, String detail) {
        services.events().record(BootEvent.now(mac, stage, detail));
    }

    private void bootFile(Exchange ex, MacAddress mac, String kind, String index) throws Refusal {
        BootPlan plan = plan(ex, mac);
        BootFile file;
        if (kind.equals("kernel")) {
            if (index != null) {
                throw new Refusal(HttpResponseStatus.NOT_FOUND, "a machine has one kernel");
            }
            file = plan.kernel();
        } else {
            int i = index == null ? 0 : Integer.parseInt(index);
            if (i >= plan.initrds().size()) {
                throw new Refusal(HttpResponseStatus.NOT_FOUND, "machine " + mac + " has " + plan.initrds().size()
                        + " initrd(s); there is no initrd " + i);
            }
            file = plan.initrds().get(i);
        }
        serveBootFile(ex, mac, kind.equals("kernel") ? BootEvent.Stage.KERNEL : BootEvent.Stage.INITRD, file);
    }

    /** What to do once a file's body went out, or could not be had. */
    private interface Outcome {
        Outcome NONE = new Outcome() {
        };

        default void sent(long bytes, long millis) {
        }

        default void unavailable(String reason) {
        }
    }

    private void serveBootFile(Exchange ex, MacAddress mac, BootEvent.Stage stage, BootFile file) {
        String uri = ex.request().uri();
        serveFile(ex, file, HttpHeaderValues.APPLICATION_OCTET_STREAM.toString(), new Outcome() {
            @Override
            public void sent(long bytes, long millis) {
                services.events().record(BootEvent.transfer(mac, stage, uri, bytes, millis));
            }

            @Override
            public void unavailable(String reason) {
                record(mac, BootEvent.Stage.FAILED, stage + " " + reason);
            }
        });
    }

    /** Fetching may wait for an image pull: done off the event loop, answered back on it. */
    private void serveFile(Exchange ex, BootFile file, String contentType, Outcome outcome) {
        FullHttpRequest held = ex.request().retainedDuplicate();
        Exchange later = new Exchange(ex.ctx(), held, ex.uri(), ex.route());
        try {
            services.blocking().execute(() -> {
                try {
                    Path path = file.fetch();
                    String etag = "\"" + file.digest() + "\"";
                    ex.ctx().executor().execute(() -> {
                        try {
                            sendFile(later, contentType, path, etag, outcome);
                        } finally {
                            held.release();
                        }
                    });
                } catch (IOException | RuntimeException e) {
                    String reason = file.source() + " unavailable: " + e.getMessage();
                    log.warn("{} {}: {}", held.method(), held.uri(), reason);
                    outcome.unavailable(reason);
                    ex.ctx().executor().execute(() -> {
                        try {
                            sendText(later, HttpResponseStatus.SERVICE_UNAVAILABLE, reason);
                        } finally {
                            held.release();
                        }
                    });
                }
            });
        } catch (RejectedExecutionException e) {
            held.release();
            sendText(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down");
        }
    }

    private void sendFile(Exchange ex, String contentType, Path path, String etag, Outcome outcome) {
        FullHttpRequest request = ex.request();
        RandomAccessFile raf;
        long size;
        try {
            raf = new RandomAccessFile(path.toFile(), "r");
            size = raf.length();
        } catch (IOException e) {
            sendText(ex, HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot read " + path + ": " + e.getMessage());
            return;
        }
        ByteRange range;
        try {
            range = ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE),
                    request.headers().get(HttpHeaderNames.IF_RANGE), etag, size);
        } catch (ByteRange.Unsatisfiable e) {
            closeQuietly(raf);
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            HttpUtil.setContentLength(response, 0);
            write(ex, response, 0);
            return;
        }
        boolean partial = range.length() != size;
        HttpResponse response = new DefaultHttpResponse(request.protocolVersion(),
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
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        long body = ex.head() ? 0 : range.length();
        long started = System.nanoTime();
        ex.ctx().write(response);
        if (body == 0) {
            closeQuietly(raf);
        } else {
            // Zero-copy: the kernel moves the file to the socket (sendfile), no bytes in our heap.
            ex.ctx().write(new DefaultFileRegion(raf.getChannel(), range.start(), range.length()));
        }
        ChannelFuture done = ex.ctx().writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        String uri = request.uri();
        done.addListener(f -> {
            long millis = (System.nanoTime() - started) / 1_000_000;
            if (f.isSuccess()) {
                count(ex, response.status(), body);
                if (!ex.head()) {
                    outcome.sent(body, millis);
                }
                log.info("{} {} {} {} bytes in {} ms to {}", request.method(), uri, response.status().code(), body,
                        millis, ex.ctx().channel().remoteAddress());
            } else {
                log.info("{} {} aborted by {} after {} ms: {}", request.method(), uri,
                        ex.ctx().channel().remoteAddress(), millis, f.cause().toString());
            }
        });
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void closeQuietly(RandomAccessFile raf) {
        try {
            raf.close();
        } catch (IOException ignored) {
            // Read-only file: nothing to lose on close.
        }
    }

    private void sendText(Exchange ex, HttpResponseStatus status, String line) {
        send(ex, status, TEXT, line + "\n");
    }

    private void send(Exchange ex, HttpResponseStatus status, String contentType, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(ex.request().protocolVersion(), status,
                ex.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(content));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, content.length);
        log.info("{} {} {} {} bytes to {}", ex.request().method(), ex.request().uri(), status.code(), content.length,
                ex.ctx().channel().remoteAddress());
        write(ex, response, ex.head() ? 0 : content.length);
    }

    private void write(Exchange ex, FullHttpResponse response, long bodyBytes) {
        FullHttpRequest request = ex.request();
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        HttpUtil.setKeepAlive(response, keepAlive);
        count(ex, response.status(), bodyBytes);
        ChannelFuture done = ex.ctx().writeAndFlush(response);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void count(Exchange ex, HttpResponseStatus status, long bodyBytes) {
        metrics.count(ex.route(), status.code(), bodyBytes);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
