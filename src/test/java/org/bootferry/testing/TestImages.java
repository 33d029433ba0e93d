package org.bootferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bootferry.image.Descriptor;
import org.bootferry.image.Digest;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.Manifest;

/**
 * Images built the way image builders do, with umoci (OCI layout, one layer per unpack/change/repack),
 * and pushed with skopeo — no Docker engine. Contents are seeded random bytes, so compression works as
 * on real kernels and every test knows the exact SHA-256 to expect.
 */
public final class TestImages {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    // Contents of the standard test images, so that tests assert exact SHA-256s.
    public static final byte[] KERNEL_AMD64 = bytes("kernel 6.1.0 amd64", 1_500_000);
    public static final byte[] KERNEL_ARM64 = bytes("kernel 6.1.0 arm64", 1_400_000);
    public static final byte[] KERNEL_OLD = bytes("kernel 5.10.0", 300_000);
    public static final byte[] KERNEL_NEW = bytes("kernel 6.2.0 amd64", 1_000_000);
    public static final byte[] INITRD = bytes("initrd 6.1.0", 2_000_000);
    public static final byte[] INITRD_OLD = bytes("initrd 5.10.0", 200_000);
    public static final byte[] DELETED = bytes("old initrd", 100_000);
    public static final byte[] FILLER = bytes("filler", 1_000_000);
    public static final byte[] VMLINUX = bytes("vmlinux", 600_000);
    /** The kickstart template {@code latest} carries (label org.bootferry.kickstartPath). */
    public static final String KICKSTART = "network --hostname={{hostname}}\nurl --url={{serverUrl}}/repo\n";

    private static TestImages standard;

    public final Path layout;
    private final Path work;

    public TestImages(Path work) throws Exception {
        Tools.require("umoci", "umoci");
        Tools.require("skopeo", "skopeo");
        this.work = work;
        this.layout = work.resolve("layout");
        run("umoci", "init", "--layout", layout.toString());
    }

    /**
     * The images every registry test uses, built once per JVM:
     * <ul>
     * <li>{@code latest} (linux/amd64): layer 1 {@code /boot/vmlinuz-6.1.0}, {@code vmlinuz-5.10.0}, their initrds,
     *     {@code /boot/old-initrd}; layer 2 deletes old-initrd (whiteout) and adds the symlinks
     *     {@code /boot/vmlinuz} and {@code /boot/initrd.img} and {@code /etc/bootferry/ks.cfg}; labels
     *     {@code org.bootferry.kernelArgs} and {@code org.bootferry.kickstartPath}</li>
     * <li>{@code arm} (linux/arm64): latest + a layer with the arm64 kernel; {@code multi}: index of both</li>
     * <li>{@code zstd}: latest with zstd layers; {@code truncated}: latest + a trailer-less umoci insert layer</li>
     * <li>{@code newer}: latest + a layer with another 6.1.0 kernel; {@code virtink}: {@code /filler}, then {@code /vmlinux}</li>
     * </ul>
     */
    public static synchronized TestImages standard() throws Exception {
        if (standard != null) {
            return standard;
        }
        Path work = Files.createTempDirectory("bfi-images-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run("rm", "-rf", work.toString());
            } catch (Exception ignored) {
                // best effort
            }
        }));
        TestImages t = new TestImages(work);
        t.newImage("latest");
        t.layer("latest", root -> {
            write(root, "/boot/vmlinuz-6.1.0", KERNEL_AMD64);
            write(root, "/boot/vmlinuz-5.10.0", KERNEL_OLD);
            write(root, "/boot/initrd.img-6.1.0", INITRD);
            write(root, "/boot/initrd.img-5.10.0", INITRD_OLD);
            write(root, "/boot/old-initrd", DELETED);
            write(root, "/etc/os-release", "ID=bootferry-test\n".getBytes());
        });
        t.layer("latest", root -> {
            Files.delete(root.resolve("boot/old-initrd"));
            symlink(root, "/boot/vmlinuz", "vmlinuz-6.1.0");
            symlink(root, "/boot/initrd.img", "initrd.img-6.1.0");
            write(root, "/etc/bootferry/ks.cfg", KICKSTART.getBytes());
        });
        t.config("latest", "--config.label", ImageBootFiles.LABEL_KERNEL_ARGS + "=console=ttyS0 quiet",
                "--config.label", ImageBootFiles.LABEL_KICKSTART_PATH + "=/etc/bootferry/ks.cfg");
        t.copyTag("latest", "arm");
        t.layer("arm", root -> write(root, "/boot/vmlinuz-6.1.0", KERNEL_ARM64));
        t.config("arm", "--architecture", "arm64", "--os", "linux");
        t.multiArch("multi", "latest", "arm");
        t.zstdCopy("latest", "zstd");
        t.copyTag("latest", "truncated");
        Path inserted = work.resolve("inserted");
        Files.writeString(inserted, "x\n");
        t.insert("truncated", inserted, "/boot/INSERTED");
        t.copyTag("latest", "newer");
        t.layer("newer", root -> write(root, "/boot/vmlinuz-6.1.0", KERNEL_NEW));
        t.newImage("virtink");
        t.layer("virtink", root -> write(root, "/filler", FILLER));
        t.layer("virtink", root -> write(root, "/vmlinux", VMLINUX));
        standard = t;
        return t;
    }

    /** Pushes the standard tags to {@code registry} as {@code test/kernel:<tag>} in every manifest format. */
    public void pushStandard(String registry, String... flags) throws Exception {
        String repo = registry + "/test/kernel:";
        push("latest", repo + "latest", flags);
        push("latest", repo + "docker", concat(flags, "--format", "v2s2"));
        push("multi", repo + "multi", concat(flags, "--all"));
        push("multi", repo + "multi-docker", concat(flags, "--all", "--format", "v2s2"));
        // skopeo would otherwise reuse the gzip blobs it remembers for these layers
        push("zstd", repo + "zstd", concat(flags, "--preserve-digests"));
        push("truncated", repo + "truncated", flags);
        push("virtink", registry + "/test/virtink:latest", flags);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    public static byte[] bytes(String seed, int size) {
        byte[] b = new byte[size];
        new Random(seed.hashCode()).nextBytes(b);
        return b;
    }

    public static Digest sha(byte[] content) {
        return Digest.of(content);
    }

    public interface Change {
        void apply(Path rootfs) throws IOException;
    }

    public void newImage(String tag) throws Exception {
        run("umoci", "new", "--image", ref(tag));
    }

    /** One more layer on {@code tag}: unpack, change the root filesystem, repack (deletions become whiteouts). */
    public void layer(String tag, Change change) throws Exception {
        Path bundle = Files.createTempDirectory(work, "bundle-");
        Files.delete(bundle);
        run("umoci", "unpack", "--image", ref(tag), bundle.toString());
        change.apply(bundle.resolve("rootfs"));
        run("umoci", "repack", "--image", ref(tag), bundle.toString());
        run("rm", "-rf", bundle.toString());
    }

    public void config(String tag, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("umoci", "config", "--image", ref(tag)));
        cmd.addAll(Arrays.asList(args));
        run(cmd.toArray(String[]::new));
    }

    public void copyTag(String from, String to) throws Exception {
        run("umoci", "tag", "--image", ref(from), to);
    }

    /** umoci 0.4.7's insert writes a layer tar without its end-of-archive trailer (umoci issue #436). */
    public void insert(String tag, Path file, String imagePath) throws Exception {
        run("umoci", "insert", "--image", ref(tag), file.toString(), imagePath);
    }

    private String ref(String tag) {
        return layout + ":" + tag;
    }

    public static void write(Path rootfs, String path, byte[] content) throws IOException {
        Path p = rootfs.resolve(path.substring(1));
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }

    public static void symlink(Path rootfs, String path, String target) throws IOException {
        Path p = rootfs.resolve(path.substring(1));
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
    }

    private ObjectNode index() throws IOException {
        return (ObjectNode) JSON.readTree(layout.resolve("index.json").toFile());
    }

    private ObjectNode descriptorOf(String tag) throws IOException {
        for (JsonNode m : index().path("manifests")) {
            if (tag.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return (ObjectNode) m;
            }
        }
        throw new IllegalArgumentException("no tag " + tag + " in " + layout);
    }

    public JsonNode manifest(String tag) throws IOException {
        return JSON.readTree(blob(Digest.parseOrNull(descriptorOf(tag).path("digest").asText())).toFile());
    }

    public List<Digest> layers(String tag) throws IOException {
        List<Digest> out = new ArrayList<>();
        manifest(tag).path("layers").forEach(l -> out.add(Digest.parseOrNull(l.path("digest").asText())));
        return out;
    }

    public Digest manifestDigest(String tag) throws IOException {
        return Digest.parseOrNull(descriptorOf(tag).path("digest").asText());
    }

    public Path blob(Digest d) {
        return layout.resolve("blobs/sha256").resolve(d.hex());
    }

    private Descriptor putBlob(byte[] content, String mediaType) throws IOException {
        Digest d = Digest.of(content);
        Files.write(blob(d), content);
        return new Descriptor(mediaType, d, content.length, java.util.Optional.empty(), java.util.Map.of());
    }

    private void setTag(String tag, Descriptor d) throws IOException {
        ObjectNode index = index();
        ArrayNode manifests = (ArrayNode) index.path("manifests");
        for (int i = manifests.size() - 1; i >= 0; i--) {
            if (tag.equals(manifests.get(i).path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                manifests.remove(i);
            }
        }
        ObjectNode entry = manifests.addObject();
        entry.put("mediaType", d.mediaType()).put("digest", d.digest().toString()).put("size", d.size());
        entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    /** An OCI image index over {@code amd64Tag} and {@code arm64Tag}, tagged {@code tag}. */
    public void multiArch(String tag, String amd64Tag, String arm64Tag) throws IOException {
        ObjectNode idx = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        ArrayNode list = idx.putArray("manifests");
        for (String[] p : new String[][] {{amd64Tag, "amd64"}, {arm64Tag, "arm64"}}) {
            ObjectNode d = descriptorOf(p[0]).deepCopy();
            d.remove("annotations");
            d.putObject("platform").put("architecture", p[1]).put("os", "linux");
            list.add(d);
        }
        setTag(tag, putBlob(JSON.writeValueAsBytes(idx), OCI_INDEX));
    }

    /** A copy of {@code tag} whose gzip layers are recompressed with the zstd CLI (same diff_ids). */
    public void zstdCopy(String tag, String newTag) throws Exception {
        Tools.require("zstd", "zstd");
        ObjectNode manifest = (ObjectNode) manifest(tag).deepCopy();
        for (JsonNode l : manifest.path("layers")) {
            Digest gz = Digest.parseOrNull(l.path("digest").asText());
            Path out = work.resolve("layer.zst");
            run("sh", "-c", "gunzip -c '" + blob(gz) + "' | zstd -q -3 -c > '" + out + "'");
            Descriptor z = putBlob(Files.readAllBytes(out), "application/vnd.oci.image.layer.v1.tar+zstd");
            ((ObjectNode) l).put("mediaType", z.mediaType()).put("digest", z.digest().toString()).put("size", z.size());
        }
        manifest.put("mediaType", Manifest.OCI_MANIFEST);
        setTag(newTag, putBlob(JSON.writeValueAsBytes(manifest), Manifest.OCI_MANIFEST));
    }

    /** skopeo copy of one tag to {@code registry/repo:destTag}; extra flags like {@code --format v2s2}, {@code --all}. */
    public void push(String tag, String destination, String... flags) throws Exception {
        push(List.of(), tag, destination, flags);
    }

    /** The same, with skopeo run under {@code prefix}, e.g. {@code ip netns exec NS} for a registry in a namespace. */
    public void push(List<String> prefix, String tag, String destination, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of("skopeo", "copy", "-q", "--dest-tls-verify=false"));
        cmd.addAll(Arrays.asList(flags));
        cmd.add("oci:" + layout + ":" + tag);
        cmd.add("docker://" + destination);
        run(cmd.toArray(String[]::new));
    }

    public static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(out));
        }
    }
}
