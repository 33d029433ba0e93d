package org.bootferry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 spoken by hand on a socket: what curl won't do (pipelining, half-close, trickling). */
public final class RawHttp {

    private RawHttp() {
    }

    /** One response as it came: status, headers by lower-case name, body of its Content-Length. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    public static String get(String path) {
        return request("GET", path, "");
    }

    public static String head(String path) {
        return request("HEAD", path, "");
    }

    /** @param extraHeaders whole header lines, each ending in CRLF */
    public static String request(String method, String path, String extraHeaders) {
        return method + " " + path + " HTTP/1.1\r\nHost: test\r\n" + extraHeaders + "\r\n";
    }

    /** Writes {@code requests} in one write: the server reads them together, as a pipelining client's. */
    public static void send(Socket socket, String requests) throws IOException {
        socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /**
     * Reads one response: status line, headers, and a body of Content-Length bytes (none after a HEAD).
     *
     * @throws IOException when the connection ends before the response does
     */
    public static Answer read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("the connection ended " + body.length + " bytes into a body of " + length);
        }
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("the connection ended in the middle of a response");
            }
            if (b != '\r') {
                bytes.write(b);
            }
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }
}
