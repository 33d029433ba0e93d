package org.bootferry.image;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference as Docker and OCI tools write it: {@code registry[:port]/repo/path[:tag][@sha256:…]},
 * with Docker Hub's short forms ({@code fedora:42} is {@code docker.io/library/fedora:42}). Grammar from
 * distribution/reference (reference.go): the first component is a registry only if it has a '.' or a
 * ':' or is {@code localhost}; a reference with neither tag nor digest means {@code :latest}.
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {

    public static final String DOCKER_HUB = "docker.io";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]+)?");

    public static ImageReference parse(String text) throws InvalidReferenceException {
        String rest = text.trim();
        if (rest.isEmpty()) {
            throw new InvalidReferenceException(text, "empty");
        }
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = Digest.parseOrNull(rest.substring(at + 1));
            if (digest == null) {
                throw new InvalidReferenceException(text, "digest must be sha256: followed by 64 lower-case hex digits");
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            if (!TAG.matcher(tag).matches()) {
                throw new InvalidReferenceException(text, "tag '" + tag + "' has characters a tag can't have");
            }
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!REGISTRY.matcher(first).matches()) {
                    throw new InvalidReferenceException(text, "registry '" + first + "' is not host[:port]");
                }
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
            registry = DOCKER_HUB;
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new InvalidReferenceException(text, "repository '" + rest
                        + "' must be lower-case letters, digits and separators (. _ __ -) between '/'");
            }
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** The host[:port] to talk to: Docker Hub's API lives on another name than its references. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /** What goes after {@code /manifests/}: the digest when pinned (it wins over a tag, as in docker), else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    public Optional<Digest> pinnedDigest() {
        return Optional.ofNullable(digest);
    }

    public ImageReference withDigest(Digest resolved) {
        return new ImageReference(registry, repository, tag, resolved);
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
