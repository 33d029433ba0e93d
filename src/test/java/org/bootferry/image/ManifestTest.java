package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {

    private static final String D = "sha256:" + "b".repeat(64);

    @Test
    void schema1IsRejectedWithWhatToDo() {
        String body = "{\"schemaVersion\": 1, \"name\": \"x\", \"fsLayers\": []}";
        assertThatThrownBy(() -> Manifest.parse("application/vnd.docker.distribution.manifest.v1+prettyjws",
                body.getBytes(StandardCharsets.UTF_8), "manifest r/x:1"))
                .isInstanceOf(UnsupportedManifestException.class).hasMessageContaining("schema 1")
                .hasMessageContaining("skopeo copy --format v2s2");
    }

    @Test
    void contentTypeDecidesAndBodyMediaTypeIsTheFallback() throws Exception {
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifest.DOCKER_LIST + "\",\"manifests\":[{\"mediaType\":\""
                + Manifest.DOCKER_MANIFEST + "\",\"digest\":\"" + D + "\",\"size\":5,\"platform\":{\"os\":\"linux\","
                + "\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
        Manifest m = Manifest.parse("application/json", index.getBytes(StandardCharsets.UTF_8), "x");
        assertThat(m).isInstanceOf(Manifest.Index.class);
        assertThat(((Manifest.Index) m).manifests().get(0).platform()).contains(new Platform("linux", "arm64", "v8"));
        assertThatThrownBy(() -> Manifest.parse("application/vnd.cncf.helm.config.v1+json", "{}".getBytes(), "chart"))
                .hasMessageContaining("not an image manifest or index");
    }

    @Test
    void challengesParseWithCommasInsideQuotedScopes() {
        var c = RegistryAuthenticator.Challenge.parse(
                "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"")
                .orElseThrow();
        assertThat(c.scheme()).isEqualTo("bearer");
        assertThat(c.params()).containsAllEntriesOf(Map.of("realm", "https://auth.example/token",
                "service", "registry.example", "scope", "repository:a/b:pull,push"));
        assertThat(RegistryAuthenticator.Challenge.parse("Basic realm=x").orElseThrow().params()).containsEntry("realm", "x");
    }

    @Test
    void conventionsPreferVirtinkThenBootcThenNewestBootKernel() {
        assertThat(BootFileConventions.choose(java.util.List.of("/vmlinux", "/boot/vmlinuz-6.1"))
                .orElseThrow().kernel()).isEqualTo("/vmlinux");
        var bootc = BootFileConventions.choose(java.util.List.of("/usr/lib/modules/6.9.1-200.fc40.x86_64/vmlinuz",
                "/usr/lib/modules/6.9.1-200.fc40.x86_64/initramfs.img", "/usr/lib/modules/6.10.0-1.fc40.x86_64/vmlinuz"))
                .orElseThrow();
        assertThat(bootc.kernel()).isEqualTo("/usr/lib/modules/6.10.0-1.fc40.x86_64/vmlinuz");
        assertThat(bootc.initrd()).isEmpty(); // never the initramfs of another kernel version
        var fedora = BootFileConventions.choose(java.util.List.of("/boot/vmlinuz-6.9.1-200.fc40.x86_64",
                "/boot/vmlinuz-6.10.2-100.fc40.x86_64", "/boot/vmlinuz-0-rescue-abc",
                "/boot/initramfs-6.10.2-100.fc40.x86_64.img", "/boot/initramfs-6.9.1-200.fc40.x86_64.img")).orElseThrow();
        assertThat(fedora.kernel()).isEqualTo("/boot/vmlinuz-6.10.2-100.fc40.x86_64");
        assertThat(fedora.initrd()).contains("/boot/initramfs-6.10.2-100.fc40.x86_64.img");
        assertThat(BootFileConventions.choose(java.util.List.of("/vmlinuz", "/initrd.img")).orElseThrow().initrd())
                .contains("/initrd.img");
        assertThat(BootFileConventions.choose(java.util.List.of("/etc/passwd"))).isEmpty();
    }
}
