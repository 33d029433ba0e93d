package org.bootferry.lang;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** The one rule for a URL that names a directory on a web server (an install tree's root). */
public final class HttpUrls {

    private HttpUrls() {
    }

    /**
     * What is wrong with {@code text} as an http:// or https:// URL with a host and no query or
     * fragment, said after the URL ({@code "is not an http:// or https:// URL"}); empty when nothing is.
     */
    public static Optional<String> directoryProblem(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return Optional.of("is not an http:// or https:// URL");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("has a query or fragment: name the directory");
        }
        return Optional.empty();
    }
}
