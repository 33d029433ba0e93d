package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {

    @TempDir
    Path dir;

    @Test
    void temporariesLeftByACrashAreRemovedAtStartAndNeverVisible() throws Exception {
        ImageCache cache = new ImageCache(dir, 0);
        Path half = Files.createTempFile(cache.tempDir(), "extract-", ".tmp");
        Files.writeString(half, "half a kernel");
        Files.setLastModifiedTime(half, FileTime.from(Instant.now().minus(Duration.ofHours(2)))); // its writer died
        new ImageCache(dir, 0);
        assertThat(half).doesNotExist();
        try (var blobs = Files.list(dir.resolve("blobs/sha256"))) {
            assertThat(blobs).isEmpty();
        }
    }

    @Test
    void openingTheCacheLeavesAnotherProcesssPullInProgressAlone() throws Exception {
        ImageCache server = new ImageCache(dir, 0);
        Path writing = Files.createTempFile(server.tempDir(), "extract-", ".tmp");
        Files.writeString(writing, "a kernel arriving");
        new ImageCache(dir, 0); // bootferry pull or explain on the same host
        assertThat(writing).hasContent("a kernel arriving");
    }

    @Test
    void blobsAreStoredOnlyUnderTheirOwnDigest() throws Exception {
        ImageCache cache = new ImageCache(dir, 0);
        byte[] content = "kernel".getBytes();
        Path p = cache.putBlob(content, Digest.of(content));
        assertThat(p.getFileName().toString()).isEqualTo(Digest.of(content).hex());
        assertThat(cache.blob(Digest.of(content))).contains(p);
        assertThatThrownBy(() -> cache.putBlob("other".getBytes(), Digest.of(content)))
                .isInstanceOf(DigestMismatchException.class).hasMessageContaining("expected " + Digest.of(content));
    }

    @Test
    void aBlobAnotherProcessCommittedIsFound() throws Exception {
        ImageCache server = new ImageCache(dir, 0);
        byte[] kernel = "kernel pulled by bootferry pull".getBytes();
        Path pulled = new ImageCache(dir, 0).putBlob(kernel, Digest.of(kernel)); // the pull's own cache
        assertThat(server.blob(Digest.of(kernel))).contains(pulled);
        assertThat(server.size()).isEqualTo(kernel.length);
    }

    @Test
    void leastRecentlyUsedUnpinnedBlobsAreEvictedFirst() throws Exception {
        ImageCache cache = new ImageCache(dir, 25);
        byte[] a = "aaaaaaaaaa".getBytes();
        byte[] b = "bbbbbbbbbb".getBytes();
        byte[] c = "cccccccccc".getBytes();
        cache.putBlob(a, Digest.of(a));
        Thread.sleep(5);
        try (ImageCache.Pin pinned = cache.pin(Digest.of(a))) {
            cache.putBlob(b, Digest.of(b));
            Thread.sleep(5);
            cache.putBlob(c, Digest.of(c)); // 30 bytes > 25: a is oldest but pinned, so b goes
            assertThat(cache.blob(Digest.of(a))).isPresent();
            assertThat(cache.blob(Digest.of(b))).isEmpty();
            assertThat(cache.blob(Digest.of(c))).isPresent();
        }
    }
}
