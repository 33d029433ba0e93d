package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bootferry.kernel.KernelFormat;
import org.bootferry.testing.Nginx;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Install trees ({@code kernelBoot.location}) served by a real nginx on loopback, as a mirror serves
 * them: a tree in the format Fedora publishes ({@code .treeinfo} with [images-x86_64] and [checksums])
 * and a Debian installer tree in its netboot layout with SHA256SUMS, both holding the real kernel and
 * initrd of {@code debian-installer-12-netboot-amd64}. Fetched once, verified, kept in the image
 * cache; a tampered initrd is refused and nothing is kept; with the mirror down the cache answers.
 */
class InstallTreeTest {

    private static final Path NETBOOT = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");
    private static final Platform AMD64 = Platform.LINUX_AMD64;
    private static final String FEDORA = "fedora/releases/42/Everything/x86_64/os/";
    private static final String DEBIAN = "debian/dists/bookworm/main/installer-amd64/current/images/";

    @TempDir
    Path tmp;

    private Path mirror;
    private Path cacheDir;
    private Nginx nginx;
    private final List<ImageResolver> resolvers = new ArrayList<>();

    @BeforeEach
    void serveMirror() throws IOException {
        Tools.requireFile(NETBOOT.resolve("linux"), "debian-installer-12-netboot-amd64");
        mirror = tmp.resolve("mirror");
        cacheDir = tmp.resolve("cache");
        nginx = Nginx.serve(mirror, tmp.resolve("nginx"));
    }

    @AfterEach
    void stop() {
        resolvers.forEach(ImageResolver::close);
        nginx.close();
    }

    /** A tree laid out as Fedora's, with the .treeinfo Fedora 42 publishes and the checksums of the files served. */
    private TreeRequest fedoraTree(PullPolicy policy) throws IOException {
        Path os = mirror.resolve(FEDORA);
        Files.createDirectories(os.resolve("images/pxeboot"));
        Files.copy(NETBOOT.resolve("linux"), os.resolve("images/pxeboot/vmlinuz"));
        Files.copy(NETBOOT.resolve("initrd.gz"), os.resolve("images/pxeboot/initrd.img"));
        String treeinfo;
        try (InputStream in = getClass().getResourceAsStream("trees/fedora-42-everything-x86_64.treeinfo")) {
            treeinfo = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        treeinfo = treeinfo.replaceAll("images/pxeboot/vmlinuz = sha256:\\w+", "images/pxeboot/vmlinuz = "
                + sha(os.resolve("images/pxeboot/vmlinuz"))).replaceAll("images/pxeboot/initrd.img = sha256:\\w+",
                        "images/pxeboot/initrd.img = " + sha(os.resolve("images/pxeboot/initrd.img")));
        Files.writeString(os.resolve(".treeinfo"), treeinfo);
        return new TreeRequest(nginx.url().resolve(FEDORA), policy, AMD64);
    }

    /** Debian's installer images directory: netboot/debian-installer/amd64/ and the SHA256SUMS sha256sum writes. */
    private TreeRequest debianTree() throws Exception {
        Path images = mirror.resolve(DEBIAN);
        Path di = images.resolve("netboot/debian-installer/amd64");
        Files.createDirectories(di);
        Files.copy(NETBOOT.resolve("linux"), di.resolve("linux"));
        Files.copy(NETBOOT.resolve("initrd.gz"), di.resolve("initrd.gz"));
        Files.copy(NETBOOT.resolve("pxelinux.0"), di.resolve("pxelinux.0"));
        Process p = new ProcessBuilder(Tools.require("sha256sum", "coreutils").toString(),
                "./netboot/debian-installer/amd64/initrd.gz", "./netboot/debian-installer/amd64/linux",
                "./netboot/debian-installer/amd64/pxelinux.0").directory(images.toFile())
                .redirectOutput(images.resolve("SHA256SUMS").toFile()).start();
        assertThat(p.waitFor()).isZero();
        return new TreeRequest(nginx.url().resolve(DEBIAN), PullPolicy.IF_NOT_PRESENT, AMD64);
    }

    private static String sha(Path file) throws IOException {
        return Digest.of(Files.readAllBytes(file)).toString();
    }

    private ImageResolver resolver(boolean staleOk) throws IOException {
        ImageResolver r = new ImageResolver(ImageSettings.defaults(cacheDir).withStaleOk(staleOk));
        resolvers.add(r);
        return r;
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> s = Files.list(cacheDir.resolve("blobs/sha256"))) {
            return s.toList();
        }
    }

    private List<Path> temporaries() throws IOException {
        try (Stream<Path> s = Files.list(cacheDir.resolve("tmp"))) {
            return s.toList();
        }
    }

    @Test
    void fedoraTreeIsFetchedOnceVerifiedAndKeptInTheImageCache() throws Exception {
        TreeRequest request = fedoraTree(PullPolicy.IF_NOT_PRESENT);
        ImageResolver resolver = resolver(false);

        TreeBootFiles files = resolver.trees().resolve(request, TreeListener.NONE);

        assertThat(files.layout()).isEqualTo(".treeinfo [images-x86_64]");
        assertThat(files.kernel().treePath()).isEqualTo("images/pxeboot/vmlinuz");
        assertThat(files.kernel().verified()).isTrue();
        assertThat(files.initrd().verified()).isTrue();
        assertThat(files.kernel().digest().toString()).isEqualTo(sha(NETBOOT.resolve("linux")));
        assertThat(files.initrd().digest().toString()).isEqualTo(sha(NETBOOT.resolve("initrd.gz")));
        assertThat(files.kernel().path()).isEqualTo(cacheDir.resolve("blobs/sha256/" + files.kernel().digest().hex()));
        assertThat(Files.mismatch(files.initrd().path(), NETBOOT.resolve("initrd.gz"))).isEqualTo(-1);
        assertThat(files.kernelFormat().kind()).isEqualTo(KernelFormat.Kind.BZIMAGE);
        assertThat(files.repoUrl()).isEqualTo(request.location());
        assertThat(files.fromCache()).isFalse();
        assertThat(files.bytesRead()).isEqualTo(Files.size(NETBOOT.resolve("linux")) + Files.size(NETBOOT.resolve("initrd.gz")));

        TreeBootFiles again = resolver(false).trees().resolve(request, TreeListener.NONE); // a restarted server
        assertThat(again.fromCache()).isTrue();
        assertThat(again.initrd().digest()).isEqualTo(files.initrd().digest());
        assertThat(nginx.gets("/" + FEDORA + ".treeinfo")).isEqualTo(1);
        assertThat(nginx.gets("/" + FEDORA + "images/pxeboot/initrd.img")).isEqualTo(1);
    }

    @Test
    void debianNetbootTreeIsReadByItsSha256sums() throws Exception {
        TreeRequest request = debianTree();

        TreeBootFiles files = resolver(false).trees().resolve(request, TreeListener.NONE);

        assertThat(files.layout()).isEqualTo("Debian netboot netboot/debian-installer/amd64, SHA256SUMS");
        assertThat(files.kernel().treePath()).isEqualTo("netboot/debian-installer/amd64/linux");
        assertThat(files.kernel().verified()).isTrue();
        assertThat(files.initrd().digest().toString()).isEqualTo(sha(NETBOOT.resolve("initrd.gz")));
        assertThat(files.repoUrl()).isEqualTo(nginx.url().resolve("debian/"));
        assertThat(nginx.gets("/" + DEBIAN + ".treeinfo")).isEqualTo(1); // looked for first, 404
    }

    @Test
    void tamperedInitrdIsRefusedWithTheChecksumErrorAndNothingIsKept() throws Exception {
        TreeRequest request = fedoraTree(PullPolicy.IF_NOT_PRESENT);
        Path initrd = mirror.resolve(FEDORA).resolve("images/pxeboot/initrd.img");
        byte[] bytes = Files.readAllBytes(initrd);
        bytes[bytes.length / 2] ^= 1;
        Files.write(initrd, bytes);
        ImageResolver resolver = resolver(false);

        assertThatThrownBy(() -> resolver.trees().resolve(request, TreeListener.NONE))
                .isInstanceOf(TreeChecksumException.class)
                .hasMessage(request.location().resolve("images/pxeboot/initrd.img") + ": checksum mismatch,"
                        + " .treeinfo [images-x86_64] lists " + sha(NETBOOT.resolve("initrd.gz")) + " but the mirror"
                        + " sent " + Digest.of(bytes) + " (a tampered or half-synced mirror, or a proxy in between);"
                        + " nothing was kept");

        assertThat(blobs()).isEmpty(); // not even the kernel, which matched
        assertThat(temporaries()).isEmpty();
        assertThat(resolver.trees().cached(request)).isEmpty();
    }

    @Test
    void withTheMirrorDownTheCacheAnswersAsThePolicySays() throws Exception {
        TreeRequest ifNotPresent = fedoraTree(PullPolicy.IF_NOT_PRESENT);
        TreeBootFiles fetched = resolver(false).trees().resolve(ifNotPresent, TreeListener.NONE);
        nginx.stop();

        TreeBootFiles cached = resolver(false).trees().resolve(ifNotPresent, TreeListener.NONE);
        assertThat(cached.fromCache()).isTrue();
        assertThat(cached.kernel().digest()).isEqualTo(fetched.kernel().digest());
        assertThat(resolver(false).trees().resolve(new TreeRequest(ifNotPresent.location(), PullPolicy.NEVER, AMD64),
                TreeListener.NONE).initrd().path()).isEqualTo(fetched.initrd().path());

        TreeRequest always = new TreeRequest(ifNotPresent.location(), PullPolicy.ALWAYS, AMD64);
        assertThatThrownBy(() -> resolver(false).trees().resolve(always, TreeListener.NONE))
                .isInstanceOf(MirrorUnreachableException.class).hasMessageStartingWith("mirror unreachable: "
                        + ifNotPresent.location() + ".treeinfo");
        List<String> warnings = new ArrayList<>();
        TreeBootFiles stale = resolver(true).trees().resolve(always, new TreeListener() {
            @Override
            public void warning(String message) {
                warnings.add(message);
            }
        });
        assertThat(stale.stale()).isTrue();
        assertThat(stale.kernel().digest()).isEqualTo(fetched.kernel().digest());
        assertThat(warnings).singleElement().asString().startsWith("mirror unreachable, booting the cached files "
                + ifNotPresent.location() + " gave at ");
    }

    @Test
    void aTreeNeverFetchedIsNotCachedUnderNever() throws Exception {
        TreeRequest never = new TreeRequest(fedoraTree(PullPolicy.NEVER).location(), PullPolicy.NEVER, AMD64);
        assertThatThrownBy(() -> resolver(false).trees().resolve(never, TreeListener.NONE))
                .hasMessage("install tree " + never.location() + " is not cached for linux/amd64 and its pull policy"
                        + " is Never: run 'bootferry pull --location " + never.location() + "' or use IfNotPresent");
        assertThat(nginx.requests()).isEmpty();
    }

    @Test
    void aTreeWithoutTheMachinesArchSaysWhichItHas() throws Exception {
        TreeRequest arm = new TreeRequest(fedoraTree(PullPolicy.IF_NOT_PRESENT).location(), PullPolicy.IF_NOT_PRESENT,
                new Platform("linux", "arm64", ""));
        assertThatThrownBy(() -> resolver(false).trees().resolve(arm, TreeListener.NONE))
                .isInstanceOf(TreeFormatException.class).hasMessage(arm.location() + ".treeinfo has no kernel and"
                        + " initrd for aarch64 (linux/arm64); it has images for: x86_64, xen");
    }

    @Test
    void concurrentFirstBootsShareOneFetch() throws Exception {
        TreeRequest request = fedoraTree(PullPolicy.IF_NOT_PRESENT);
        ImageResolver resolver = resolver(false);
        int boots = 12;
        ExecutorService machines = Executors.newFixedThreadPool(boots);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TreeBootFiles>> answers = new ArrayList<>();
        for (int i = 0; i < boots; i++) {
            answers.add(machines.submit(() -> {
                start.await();
                return resolver.trees().resolveAsync(request, TreeListener.NONE).get();
            }));
        }
        start.countDown();
        List<Digest> initrds = new ArrayList<>();
        for (Future<TreeBootFiles> a : answers) {
            initrds.add(a.get().initrd().digest());
        }
        machines.shutdown();

        assertThat(initrds).hasSize(boots).containsOnly(Digest.of(Files.readAllBytes(NETBOOT.resolve("initrd.gz"))));
        assertThat(nginx.gets("/" + FEDORA + ".treeinfo")).isEqualTo(1);
        assertThat(nginx.gets("/" + FEDORA + "images/pxeboot/vmlinuz")).isEqualTo(1);
        assertThat(nginx.gets("/" + FEDORA + "images/pxeboot/initrd.img")).isEqualTo(1);
    }

    @Test
    void aLocationThatIsNotAnHttpTreeIsRefused() {
        assertThatThrownBy(() -> new TreeRequest(URI.create("ftp://m/os/"), PullPolicy.ALWAYS, AMD64))
                .hasMessage("location 'ftp://m/os/' is not an http:// or https:// URL of an install tree");
        assertThat(new TreeRequest(URI.create("http://m/os"), PullPolicy.ALWAYS, AMD64).location())
                .isEqualTo(URI.create("http://m/os/"));
    }
}
