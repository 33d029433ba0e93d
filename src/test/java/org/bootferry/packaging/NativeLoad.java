package org.bootferry.packaging;

import com.github.luben.zstd.Zstd;
import io.netty.channel.epoll.Epoll;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Loads the jar's native libraries on the JVM it runs on and prints what came of it, one
 * {@code name=value} line each: {@code os.arch}, {@code epoll} (true, or Netty's reason) and
 * {@code zstd} (a compress-decompress round trip through zstd-jni, true or the error).
 * NativeLibrariesIT runs it with the jar on the class path.
 */
public final class NativeLoad {

    private NativeLoad() {
    }

    public static void main(String[] args) {
        System.out.println("os.arch=" + System.getProperty("os.arch"));
        System.out.println("epoll=" + (Epoll.isAvailable() ? "true" : Epoll.unavailabilityCause()));
        String zstd;
        try {
            byte[] text = "bootferry bootferry bootferry".getBytes(StandardCharsets.US_ASCII);
            zstd = String.valueOf(Arrays.equals(Zstd.decompress(Zstd.compress(text), text.length), text));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            zstd = e.toString();
        }
        System.out.println("zstd=" + zstd);
    }
}
