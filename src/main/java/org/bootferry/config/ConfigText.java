package org.bootferry.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A config file's text, read with its bounds checked while reading: a file over {@link #MAX_BYTES}
 * is refused after that many bytes, not parsed first, and no line may be longer than
 * {@link #MAX_LINE}. The line bound is what keeps a parse linear: SnakeYAML's reader grows its
 * window by 1 KiB per refill and copies what it has not consumed yet each time
 * ({@code org.yaml.snakeyaml.reader.StreamReader.update}), so one token of n characters (a quoted
 * scalar never ends before its line does) costs n²/1024 copies; bounded lines bound that to
 * {@code MAX_LINE} per KiB read. A file whose real path leaves the config directory (a symlink to
 * {@code /etc/shadow}) is not read at all: Kubernetes' ConfigMap links ({@code ..data/…}) stay inside.
 * Messages name the file and the bound, never the content.
 */
final class ConfigText {

    /** A machine file is a few hundred bytes; a Kubernetes ConfigMap holds 1 MiB in all. */
    static final int MAX_BYTES = 1 << 20;
    /** Far above a kernel command line (COMMAND_LINE_SIZE is 2048 on x86 and arm64) or an SSH key. */
    static final int MAX_LINE = 64 << 10;

    private ConfigText() {
    }

    /** Why a file's text was refused: the message names the bound it broke, never what is in it. */
    static final class RefusedException extends IOException {
        private final int line;

        RefusedException(String message, int line) {
            super(message);
            this.line = line;
        }

        /** 1-based; 0 for the file as a whole. */
        int line() {
            return line;
        }
    }

    /**
     * The file as UTF-8 text.
     *
     * @param root the directory the file must really be in, symlinks followed
     * @throws RefusedException outside {@code root}, past {@link #MAX_BYTES} or with a line past {@link #MAX_LINE}
     * @throws CharacterCodingException when it is not UTF-8
     */
    static String read(Path root, Path file) throws IOException {
        if (!file.toRealPath().startsWith(root.toRealPath())) {
            throw new RefusedException("a link to outside " + root + ": refused, copy the file in instead", 0);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new RefusedException("larger than " + (MAX_BYTES >> 20) + " MiB, the limit for a config file", 0);
        }
        int lineStart = 0;
        int lineNumber = 1;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i - lineStart > MAX_LINE) {
                    throw new RefusedException("line longer than " + (MAX_LINE >> 10)
                            + " KiB, the limit for a line of a config file", lineNumber);
                }
                lineStart = i + 1;
                lineNumber++;
            }
        }
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
    }
}
