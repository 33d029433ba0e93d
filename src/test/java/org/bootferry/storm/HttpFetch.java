package org.bootferry.storm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** One HTTP request as iPXE or an installer makes it; the body counted and checksummed, kept if small. */
final class HttpFetch {

    /** Status, body size, CRC-32C of the body, the body as text when it is small (scripts, install files). */
    record Result(long bytes, int crc, String text) {
    }

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final int READ_TIMEOUT_MILLIS = 60_000;
    private static final int KEEP_AS_TEXT = 64 * 1024;

    private HttpFetch() {
    }

    static Result get(URI url) throws StageFailure {
        return request("GET", url);
    }

    static Result post(URI url) throws StageFailure {
        return request("POST", url);
    }

    private static Result request(String method, URI url) throws StageFailure {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) url.toURL().openConnection();
            c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            c.setReadTimeout(READ_TIMEOUT_MILLIS);
            c.setRequestMethod(method);
            if (method.equals("POST")) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(0);
                c.getOutputStream().close();
            }
            int status = c.getResponseCode();
            if (status != 200) {
                throw new StageFailure(method + " " + url + ": HTTP " + status + " " + c.getResponseMessage());
            }
            long expected = c.getContentLengthLong();
            byte[] buf = new byte[64 * 1024];
            CRC32C crc = new CRC32C();
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            long bytes = 0;
            try (InputStream in = c.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    crc.update(buf, 0, n);
                    if (bytes < KEEP_AS_TEXT) {
                        text.write(buf, 0, (int) Math.min(n, KEEP_AS_TEXT - bytes));
                    }
                    bytes += n;
                }
            }
            if (expected >= 0 && bytes != expected) {
                throw new StageFailure(method + " " + url + ": " + bytes + " of " + expected + " bytes");
            }
            return new Result(bytes, (int) crc.getValue(), text.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            if (c != null) {
                c.disconnect();
            }
            throw new StageFailure(method + " " + url + ": " + e);
        }
    }
}
