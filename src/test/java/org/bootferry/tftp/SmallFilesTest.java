package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small files served from one shared copy, checked against the disk on every open; large ones streamed. */
class SmallFilesTest {

    @TempDir
    Path dir;

    @Test
    void aSmallFileIsCopiedOnceAndSharedByEveryOpen() throws IOException {
        byte[] content = random(100_000, 1);
        Path file = Files.write(dir.resolve("ipxe.efi"), content);
        SmallFiles files = new SmallFiles(1 << 20, 4 << 20);

        for (int i = 0; i < 3; i++) {
            try (TftpFile opened = files.open(file)) {
                assertThat(readAll(opened, 1468)).isEqualTo(content);
            }
        }
        assertThat(files.heldBytes()).isEqualTo(content.length);
    }

    @Test
    void aRewrittenFileIsReadAgain() throws IOException {
        Path file = Files.write(dir.resolve("ipxe.efi"), random(5_000, 1));
        SmallFiles files = new SmallFiles(1 << 20, 4 << 20);
        files.open(file).close();

        byte[] same = random(5_000, 2);  // same size: only the modification time tells
        Files.write(file, same);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        try (TftpFile opened = files.open(file)) {
            assertThat(readAll(opened, 512)).isEqualTo(same);
        }
        assertThat(files.heldBytes()).isEqualTo(same.length);
    }

    @Test
    void aLargeFileIsStreamedAndReadCorrectlyAcrossReadAheads() throws IOException {
        byte[] content = random(200_000, 3);
        Path file = Files.write(dir.resolve("vmlinuz"), content);
        SmallFiles files = new SmallFiles(64 << 10, 1 << 20);

        try (TftpFile opened = files.open(file)) {
            // Blocks that straddle the 32 KiB read-ahead, a block larger than it, and one read back.
            assertThat(readAll(opened, 1468)).isEqualTo(content);
            assertThat(readAll(opened, 65464)).isEqualTo(content);
            ByteBuf again = Unpooled.buffer();
            opened.read(1468, 1468, again);
            assertThat(ByteBufUtil.getBytes(again)).isEqualTo(Arrays.copyOfRange(content, 1468, 2936));
        }
        assertThat(files.heldBytes()).isZero();
    }

    @Test
    void copiesPastTheTotalLetTheLeastRecentlyOpenedGo() throws IOException {
        SmallFiles files = new SmallFiles(10_000, 25_000);
        Path a = Files.write(dir.resolve("a"), random(10_000, 4));
        Path b = Files.write(dir.resolve("b"), random(10_000, 5));
        Path c = Files.write(dir.resolve("c"), random(10_000, 6));
        files.open(a).close();
        files.open(b).close();
        files.open(a).close();
        files.open(c).close();  // b goes: a was opened since

        assertThat(files.heldBytes()).isEqualTo(20_000);
        try (TftpFile opened = files.open(b)) {
            assertThat(readAll(opened, 512)).isEqualTo(Files.readAllBytes(b));
        }
        assertThat(files.heldBytes()).isEqualTo(20_000);
    }

    @Test
    void aLinkIsNotFollowed() throws IOException {
        Path target = Files.write(dir.resolve("target"), random(100, 7));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        SmallFiles files = new SmallFiles(1 << 20, 4 << 20);

        assertThatThrownBy(() -> files.open(link)).isInstanceOf(IOException.class);
    }

    private static byte[] readAll(TftpFile file, int block) throws IOException {
        ByteBuf out = Unpooled.buffer();
        for (long position = 0; position < file.size(); position += block) {
            file.read(position, (int) Math.min(block, file.size() - position), out);
        }
        return ByteBufUtil.getBytes(out);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
