package org.bootferry.image;

/** The registry has no manifest for this tag or digest (or no such repository). */
public final class ManifestUnknownException extends ImageException {

    public ManifestUnknownException(ImageReference reference, String registryMessage) {
        super("image " + reference + " not found on " + reference.registry() + " (" + registryMessage
                + "): check the repository name and tag");
    }
}
