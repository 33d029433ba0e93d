package org.bootferry.packaging;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.KubeletVolume;

/**
 * A container's filesystem as a pod would give it, laid out under a directory of this host: each
 * volume mount is a directory there, filled as the kubelet fills it (ConfigMap and Secret volumes
 * through {@link KubeletVolume}, nested mounts inside their parent's, empty host directories), and
 * every other path is the image's, which the Dockerfile copies from this checkout.
 */
final class PodRoot {

    private static final Pattern COPY = Pattern.compile("(?m)^COPY (?!--)(\\S+) (/\\S+)$");

    private final Path root;
    private final Path checkout;
    private final List<VolumeMount> mounts;

    /**
     * @param configMaps the ConfigMaps the cluster holds, by name
     * @param secrets    the Secrets the cluster holds, by name
     */
    PodRoot(Path root, Path checkout, PodSpec pod, Container container, Map<String, ConfigMap> configMaps,
            Map<String, Secret> secrets) throws IOException {
        this.root = root;
        this.checkout = checkout;
        this.mounts = container.getVolumeMounts().stream()
                .sorted(Comparator.comparing(VolumeMount::getMountPath)).toList();
        Map<String, Volume> volumes = new LinkedHashMap<>();
        pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
        // Parents first: the kubelet makes a nested mount's directory inside its parent volume.
        for (VolumeMount mount : mounts) {
            Volume volume = volumes.get(mount.getName());
            KubeletVolume dir = new KubeletVolume(inRoot(mount.getMountPath()));
            if (volume.getConfigMap() != null) {
                dir.write(project(volume.getConfigMap().getName(), volume.getConfigMap().getOptional(),
                        volume.getConfigMap().getItems(), configMaps, PodRoot::configMapFiles));
            } else if (volume.getProjected() != null) {
                Map<String, byte[]> files = new LinkedHashMap<>();
                for (VolumeProjection source : volume.getProjected().getSources()) {
                    SecretProjection secret = source.getSecret();
                    if (secret == null) {
                        throw new AssertionError("volume " + mount.getName() + ": only Secret sources are laid out here");
                    }
                    files.putAll(project(secret.getName(), secret.getOptional(), secret.getItems(), secrets,
                            PodRoot::secretFiles));
                }
                dir.write(files);
            } else if (volume.getHostPath() == null && volume.getEmptyDir() == null) {
                throw new AssertionError("volume " + mount.getName() + ": a kind this test does not lay out");
            }
        }
    }

    /** The host path of a container path: under its volume's directory, or the checkout file the image copied. */
    Path path(String inContainer) throws IOException {
        for (VolumeMount mount : mounts) {
            if (inContainer.equals(mount.getMountPath()) || inContainer.startsWith(mount.getMountPath() + "/")) {
                return inRoot(inContainer);
            }
        }
        Matcher copy = COPY.matcher(Files.readString(checkout.resolve("Dockerfile")));
        while (copy.find()) {
            if (inContainer.equals(copy.group(2))) {
                return checkout.resolve(copy.group(1));
            }
        }
        throw new AssertionError(inContainer + " is neither a volume mount of the container nor a path the Dockerfile copies");
    }

    private Path inRoot(String inContainer) {
        return root.resolve(inContainer.substring(1));
    }

    /** What a volume of one object shows: all its keys, or the items named; nothing when optional and absent. */
    private static <T> Map<String, byte[]> project(String name, Boolean optional, List<KeyToPath> items,
            Map<String, T> objects, Function<T, Map<String, byte[]>> files) {
        T object = objects.get(name);
        if (object == null) {
            if (Boolean.TRUE.equals(optional)) {
                return Map.of();
            }
            throw new AssertionError(name + " is mounted but not made: the pod would wait for it");
        }
        Map<String, byte[]> all = files.apply(object);
        if (items == null || items.isEmpty()) {
            return all;
        }
        Map<String, byte[]> chosen = new LinkedHashMap<>();
        for (KeyToPath item : items) {
            byte[] content = Optional.ofNullable(all.get(item.getKey()))
                    .orElseThrow(() -> new AssertionError(name + " has no key " + item.getKey()));
            chosen.put(item.getPath(), content);
        }
        return chosen;
    }

    private static Map<String, byte[]> configMapFiles(ConfigMap configMap) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (configMap.getData() != null) {
            configMap.getData().forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        return files;
    }

    private static Map<String, byte[]> secretFiles(Secret secret) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((k, v) -> files.put(k, Base64.getDecoder().decode(v)));
        }
        return files;
    }
}
