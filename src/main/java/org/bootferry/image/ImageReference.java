package org.bootferry.image;

import java.util.regex.Matcher;
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
    /** A DNS label: letters, digits and inner hyphens (distribution/reference's domainNameComponent). */
    private static final String LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    /** A registry: host name, IPv4 address or bracketed IPv6 literal, then an optional port of 1-5 digits. */
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:" + LABEL + "(?:\\." + LABEL + ")*|\\[[0-9A-Fa-f:.]+\\])(?::([0-9]{1,5}))?");

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
                if (!isRegistry(first)) {
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

    /**
     * Whether {@code hostPort} is a registry as references name it: {@code host}, {@code a.b.c},
     * {@code 10.0.0.5} or {@code [fd00::5]}, with an optional {@code :port} up to 65535; no scheme,
     * no path. The one grammar for registries: references are parsed by it, and server.yaml's
     * {@code images.insecureRegistries} entries are checked by it, so an entry always matches the
     * registry part of the references it is meant for.
     */
    public static boolean isRegistry(String hostPort) {
        if (hostPort == null) {
            return false;
        }
        Matcher m = REGISTRY.matcher(hostPort);
        return m.matches() && (m.group(1) == null || Integer.parseInt(m.group(1)) <= 65535);
    }

    /** The host[:port] to talk to: Docker Hub's API lives on another name than its references. */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? "registry-1.docker.io" : registry;
    }

    /** What goes after {@code /manifests/}: the digest when pinned (it wins over a tag, as in docker), else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
