package org.bootferry.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ServerSettings;
import org.bootferry.image.ImageResolver;
import org.bootferry.image.ImageSettings;

/**
 * server.yaml's {@code cache:} and {@code images:} as the image package takes them. One resolver per
 * process: it owns the cache's pins and the single flight of pulls, so everything that boots shares it.
 */
public final class ImageSupport {

    private ImageSupport() {
    }

    /** @param cache the cache directory ({@code cache:} or {@code --cache}) */
    public static ImageSettings settings(ServerSettings settings, Path cache) {
        ServerSettings.Images images = settings.images();
        return ImageSettings.defaults(cache)
                .withCacheLimit(images.cacheLimitBytes())
                .withStaleOk(images.staleOk())
                .withInsecureRegistries(Set.copyOf(images.insecureRegistries()));
    }

    /**
     * Opens the cache (creating it, removing temporaries a crash left) and the registry client.
     *
     * @throws IOException when the cache directory can't be created or read
     */
    public static ImageResolver resolver(ServerSettings settings) throws IOException {
        return new ImageResolver(settings(settings, settings.cache()));
    }

    /**
     * A resolver for a running server: it takes the {@code images:} section of every reload for its
     * next pull. Its cache directory stays the one it opened ({@code cache:} waits for a restart).
     *
     * @throws IOException when the cache directory can't be created or read
     */
    public static ImageResolver following(ConfigHolder config) throws IOException {
        Path cache = config.get().settings().cache();
        ImageResolver resolver = new ImageResolver(settings(config.get().settings(), cache));
        config.onReload(reload -> resolver.settings(settings(reload.snapshot().settings(), cache)));
        return resolver;
    }
}
