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
    void pullPolicyUsesKubevirtSpellingAndDefaults() throws Exception {
        assertThat(PullPolicy.parse("IfNotPresent")).isEqualTo(PullPolicy.IF_NOT_PRESENT);
        assertThat(PullPolicy.parse("always")).isEqualTo(PullPolicy.ALWAYS);
        assertThat(PullPolicy.defaultFor(ImageReference.parse("fedora"))).isEqualTo(PullPolicy.ALWAYS);
        assertThat(PullPolicy.defaultFor(ImageReference.parse("fedora:42"))).isEqualTo(PullPolicy.IF_NOT_PRESENT);
        assertThatThrownBy(() -> PullPolicy.parse("Sometimes")).hasMessageContaining("Always, IfNotPresent or Never");
    }
}
