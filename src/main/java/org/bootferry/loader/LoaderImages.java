package org.bootferry.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.bootferry.lang.BoundedCache;

/**
 * What the loaders the config names are ({@link LoaderImage}), read from the files TFTP and HTTP would
 * serve: for {@code explain} and the API, which say which chain a machine gets and whether it runs
 * under Secure Boot. A file is read again only when its size or modification time changed.
 */
public final class LoaderImages {

    private record Version(Path file, long size, FileTime modified) {
    }

    private final LoaderFiles files;
    /** Loaders the config names and the files beside them: a handful. */
    private final BoundedCache<Version, Optional<LoaderImage>> read = new BoundedCache<>(64);

    public LoaderImages(LoaderFiles files) {
        this.files = files;
    }

    /** The loader {@code name} (a TFTP name, relative to the tftproot), or empty when it is not there to be served. */
    public Optional<LoaderImage> inspect(String name) {
        try {
            Optional<Path> file = files.find(LoaderFiles.normalise(name));
            if (file.isEmpty()) {
                return Optional.empty();
            }
            Path f = file.get();
            return read.get(new Version(f, Files.size(f), Files.getLastModifiedTime(f)), v -> {
                try {
                    return Optional.of(LoaderImage.of(Files.readAllBytes(v.file())));
                } catch (IOException e) {
                    return Optional.empty();
                }
            });
        } catch (LoaderFiles.Refusal | IOException e) {
            return Optional.empty();
        }
    }
}
