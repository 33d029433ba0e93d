package org.bootferry.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.1 proxy in front of a real registry that misbehaves on request: answers 500, resets the
 * connection in the middle of a blob, flips a byte of a blob, stalls after half of it, or redirects
 * blobs to a "CDN" on another host name (localhost vs 127.0.0.1) the way real registries answer 307.
 * Raw sockets, so that a reset is a real TCP RST. It records each request and its Authorization. It
 * forwards no Range header, so behind it the registry answers every Range request with the whole
 * blob (200), as a registry or caching proxy that ignores Range does.
 */
final class FaultProxy implements AutoCloseable {

    enum Fault { STATUS_500, RESET, CORRUPT, STALL, REDIRECT }

    record Seen(String server, String method, String path, String authorization) {
    }

    private final ServerSocket proxy;
    private final ServerSocket cdn;
    private final String upstream;
    private final String cdnAuthorization;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Deque<Fault>> faults = new ConcurrentHashMap<>();
    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * @param cdnAuthorization what the CDN stub itself sends upstream (it stands for pre-signed URLs)
     */
    FaultProxy(int port, int cdnPort, String upstream, String cdnAuthorization) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.proxy = new ServerSocket();
        proxy.setReuseAddress(true);
        proxy.bind(new InetSocketAddress(loopback, port));
        this.cdn = new ServerSocket();
        cdn.setReuseAddress(true);
        cdn.bind(new InetSocketAddress(loopback, cdnPort));
        this.upstream = upstream;
        this.cdnAuthorization = cdnAuthorization;
        threads.execute(() -> accept(proxy, false));
        threads.execute(() -> accept(cdn, true));
    }

    String address() {
        return "127.0.0.1:" + proxy.getLocalPort();
    }

    /** The next {@code times} requests whose path contains {@code pathPart} get {@code fault}. */
    void inject(String pathPart, Fault fault, int times) {
        Deque<Fault> q = faults.computeIfAbsent(pathPart, k -> new ArrayDeque<>());
        synchronized (q) {
            for (int i = 0; i < times; i++) {
                q.add(fault);
            }
        }
    }

    List<Seen> seen() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    private Fault next(String path) {
        for (Map.Entry<String, Deque<Fault>> e : faults.entrySet()) {
            if (path.contains(e.getKey())) {
                synchronized (e.getValue()) {
                    Fault f = e.getValue().poll();
                    if (f != null) {
                        return f;
                    }
                }
            }
        }
        return null;
    }

    private void accept(ServerSocket server, boolean isCdn) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                threads.execute(() -> handle(s, isCdn));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket socket, boolean isCdn) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String requestLine = line(in);
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String h; !(h = line(in)).isEmpty();) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
            }
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            String path = parts[1];
            seen.add(new Seen(isCdn ? "cdn" : "proxy", method, path, headers.get("Authorization")));
            OutputStream out = socket.getOutputStream();
            Fault fault = isCdn ? null : next(path);
            if (fault == Fault.STATUS_500) {
                respond(out, 500, Map.of("Content-Type", "text/plain"), "injected failure".getBytes(), -1);
                return;
            }
            if (fault == Fault.REDIRECT) {
                respond(out, 307, Map.of("Location", "http://localhost:" + cdn.getLocalPort() + "/cdn"
                        + path.substring(3) + "?signature=bfi"), new byte[0], -1);
                return;
            }
            String target = isCdn ? "/v2" + path.substring(4, path.indexOf('?') < 0 ? path.length() : path.indexOf('?'))
                    : path;
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create("http://" + upstream + target))
                    .method(method, HttpRequest.BodyPublishers.noBody());
            String auth = isCdn ? cdnAuthorization : headers.get("Authorization");
            if (auth != null) {
                forward.header("Authorization", auth);
            }
            if (headers.containsKey("Accept")) {
                forward.header("Accept", headers.get("Accept"));
            }
            HttpResponse<byte[]> response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> copy = new TreeMap<>();
            for (String h : List.of("Content-Type", "Docker-Content-Digest", "WWW-Authenticate", "Location")) {
                response.headers().firstValue(h).ifPresent(v -> copy.put(h, v));
            }
            byte[] body = response.body();
            if (fault == Fault.CORRUPT && body.length > 0) {
                body = body.clone();
                body[body.length / 2] ^= 0x5a;
            }
            int cut = fault == Fault.RESET || fault == Fault.STALL ? body.length / 2 : -1;
            respond(out, response.statusCode(), copy, body, cut);
            if (fault == Fault.RESET) {
                socket.setSoLinger(true, 0); // close with RST, like a dropped load balancer connection
            } else if (fault == Fault.STALL) {
                closed.await(); // hold the connection open and silent until the test ends
            }
        } catch (IOException | InterruptedException e) {
            // the client went away (e.g. after a stall it gave up on)
        }
    }

    private static void respond(OutputStream out, int status, Map<String, String> headers, byte[] body, int cut)
            throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body, 0, cut < 0 ? body.length : cut);
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n';) {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    long count(String server, String method, String pathPart) {
        return seen().stream().filter(s -> s.server().equals(server) && s.method().equals(method)
                && s.path().toLowerCase(Locale.ROOT).contains(pathPart)).count();
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        proxy.close();
        cdn.close();
        threads.shutdownNow();
    }
}
