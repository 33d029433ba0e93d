package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

    private static final String HEX = "a".repeat(64);

    @Test
    void dockerHubShortNamesExpandLikeDocker() throws Exception {
        assertThat(ImageReference.parse("fedora:42")).hasToString("docker.io/library/fedora:42");
        assertThat(ImageReference.parse("fedora").tag()).isEqualTo("latest");
        assertThat(ImageReference.parse("quay/fedora").toString()).isEqualTo("docker.io/quay/fedora:latest");
        assertThat(ImageReference.parse("index.docker.io/library/busybox").apiHost()).isEqualTo("registry-1.docker.io");
    }

    @Test
    void registriesWithPortsAndDigests() throws Exception {
        ImageReference r = ImageReference.parse("127.0.0.1:5000/boot/fedora:42@sha256:" + HEX);
        assertThat(r.registry()).isEqualTo("127.0.0.1:5000");
        assertThat(r.repository()).isEqualTo("boot/fedora");
        assertThat(r.tag()).isEqualTo("42");
        assertThat(r.manifestReference()).isEqualTo("sha256:" + HEX); // the digest wins, as in docker
        assertThat(ImageReference.parse("localhost/kernel").registry()).isEqualTo("localhost");
        assertThat(ImageReference.parse("[::1]:5000/kernel").registry()).isEqualTo("[::1]:5000");
        assertThat(ImageReference.parse("registry.example.org/a/b/c").repository()).isEqualTo("a/b/c");
    }

    @Test
    void malformedReferencesSayWhatIsWrong() {
        assertThatThrownBy(() -> ImageReference.parse("Fedora:42")).isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("lower-case");
        assertThatThrownBy(() -> ImageReference.parse("fedora@sha256:abc")).hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> ImageReference.parse("fedora:bad/tag:x")).isInstanceOf(InvalidReferenceException.class);
        assertThatThrownBy(() -> ImageReference.parse("")).hasMessageContaining("empty");
    }

    @Test
    void platformsParseAndMatchLooseVariants() {
        assertThat(Platform.parse("linux/arm64")).isEqualTo(new Platform("linux", "arm64", ""));
        assertThat(Platform.parse("arm64").matches("linux", "arm64", "v8")).isTrue();
        assertThat(Platform.parse("linux/arm/v7").matches("linux", "arm", "v6")).isFalse();
        assertThatThrownBy(() -> Platform.parse("linux/")).hasMessageContaining("os/arch");
    }

    @Test
    void registriesAreHostsOrIpLiteralsWithAnOptionalPort() {
        assertThat(ImageReference.isRegistry("registry.lab")).isTrue();
        assertThat(ImageReference.isRegistry("registry.lab:5000")).isTrue();
        assertThat(ImageReference.isRegistry("localhost")).isTrue();
        assertThat(ImageReference.isRegistry("10.0.0.5:65535")).isTrue();
        assertThat(ImageReference.isRegistry("[fd00::5]")).isTrue();
        assertThat(ImageReference.isRegistry("[fd00::5]:5000")).isTrue();
        assertThat(ImageReference.isRegistry("[::ffff:10.0.0.5]:80")).isTrue();
    }

    @Test
    void registriesWithSchemesPathsOrImpossiblePortsAreRefused() {
        assertThat(ImageReference.isRegistry("http://registry.lab:5000")).isFalse();
        assertThat(ImageReference.isRegistry("registry.lab/boot")).isFalse();
        assertThat(ImageReference.isRegistry("registry.lab:")).isFalse();
        assertThat(ImageReference.isRegistry("registry.lab:65536")).isFalse();
        assertThat(ImageReference.isRegistry("registry.lab:123456")).isFalse();
        assertThat(ImageReference.isRegistry("fd00::5:5000")).isFalse(); // IPv6 only in brackets
        assertThat(ImageReference.isRegistry("[fd00::5")).isFalse();
        assertThat(ImageReference.isRegistry("-registry.lab")).isFalse();
        assertThat(ImageReference.isRegistry("registry..lab")).isFalse();
        assertThat(ImageReference.isRegistry("")).isFalse();
        assertThat(ImageReference.isRegistry(null)).isFalse();
    }

    @Test
    void referencesUseTheSameRegistryGrammar() {
        assertThatThrownBy(() -> ImageReference.parse("registry.lab:99999/boot/fedora"))
                .isInstanceOf(InvalidReferenceException.class).hasMessageContaining("is not host[:port]");
        assertThatThrownBy(() -> ImageReference.parse("bad_host.lab/boot/fedora"))
                .isInstanceOf(InvalidReferenceException.class).hasMessageContaining("is not host[:port]");
    }
}
