package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DockerConfigCredentialsTest {

    private static DockerConfigCredentials parse(String json) throws Exception {
        return DockerConfigCredentials.parse(json.getBytes(StandardCharsets.UTF_8), "secrets/registry.json");
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void entriesMatchRegistriesTheWayDockerNormalisesThem() throws Exception {
        DockerConfigCredentials c = parse("""
                {"auths": {
                  "https://index.docker.io/v1/": {"auth": "%s"},
                  "http://registry.example.org:5000/v2/": {"username": "bob", "password": "pw:with:colons"},
                  "quay.io": {"auth": "%s"}
                }}""".formatted(b64("hub:hubpw"), b64("q:a:b")));
        assertThat(c.forRegistry("docker.io")).get().extracting(Credentials::username, Credentials::password)
                .containsExactly("hub", "hubpw");
        assertThat(c.forRegistry("registry.example.org:5000").orElseThrow().password()).isEqualTo("pw:with:colons");
        assertThat(c.forRegistry("quay.io").orElseThrow().password()).isEqualTo("a:b");
        assertThat(c.forRegistry("registry.example.org")).isEmpty(); // the port is part of the name
        assertThat(c.forRegistry("quay.io").orElseThrow().toString()).doesNotContain("a:b")
                .contains("secrets/registry.json (quay.io)");
    }

    @Test
    void legacyDockercfgWithoutAuthsWrapper() throws Exception {
        assertThat(parse("{\"r.example\": {\"auth\": \"" + b64("u:p") + "\"}}").forRegistry("r.example")).isPresent();
    }

    @Test
    void brokenSecretsNameTheFile() {
        assertThatThrownBy(() -> parse("{\"auths\": {\"r\": {\"auth\": \"%%%\"}}}"))
                .hasMessageContaining("secrets/registry.json (r): 'auth' is not base64");
        // Jackson's own message would quote the token it stopped at: here a password.
        assertThatThrownBy(() -> parse("{\"auths\": {\"r\": {\"auth\": \"dTpw\" hunter2}}}"))
                .hasMessageEndingWith("secrets/registry.json:1:33: not valid JSON")
                .hasNoCause();
    }
}
