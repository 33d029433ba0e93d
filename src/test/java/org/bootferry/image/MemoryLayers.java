package org.bootferry.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;

/**
 * Layers whose bytes a test holds in memory, each read whole and verified against its descriptor as a
 * pull verifies a blob. None has a zstd:chunked TOC, so none is read by range.
 */
final class MemoryLayers implements LayerExtractor.LayerSource {

    private final Function<Descriptor, byte[]> bytes;

    /** @param bytes a layer's bytes; a test may count the reads here, as a registry's access log would */
    MemoryLayers(Function<Descriptor, byte[]> bytes) {
        this.bytes = bytes;
    }

    @Override
    public <T> T read(Descriptor layer, RegistryClient.BlobReader<T> reader) throws ImageException {
        BlobStream in = new BlobStream(new ByteArrayInputStream(bytes.apply(layer)), layer, n -> {
        });
        try {
            T result = reader.read(in);
            in.drainAndVerify();
            return result;
        } catch (IOException e) {
            throw new ImageException(e.getMessage(), e);
        }
    }

    @Override
    public <T> Optional<T> readRange(Descriptor layer, long offset, long length, RegistryClient.BlobReader<T> reader) {
        throw new AssertionError("a layer without a zstd:chunked TOC is never read by range");
    }
}
