package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.yaml's {@code https:} section. */
class HttpsSettingsTest {

    @TempDir
    Path tmp;

    private ConfigSnapshot load(String... serverYaml) {
        return ConfigDir.withServerYaml(tmp.resolve("config"), serverYaml);
    }

    @Test
    void withoutTheSectionThereIsNoHttps() {
        assertThat(load("httpPort: 8080").settings().https()).isEmpty();
    }

    @Test
    void everyKeyIsReadPathsAgainstTheConfigDirectory() {
        ConfigSnapshot own = load("https:", "  port: 8443", "  names: [boot.lab, pxe]");
        ConfigSnapshot admins = load("https:", "  port: 443", "  certificate: tls/server.pem", "  key: /etc/k.pem");

        assertThat(own.errors()).isEmpty();
        assertThat(own.settings().https()).contains(new ServerSettings.Https(8443, Optional.empty(), Optional.empty(),
                List.of("boot.lab", "pxe")));
        assertThat(admins.errors()).isEmpty();
        assertThat(admins.settings().https()).contains(new ServerSettings.Https(443,
                Optional.of(tmp.resolve("config/tls/server.pem").toAbsolutePath()), Optional.of(Path.of("/etc/k.pem")),
                List.of()));
    }

    @Test
    void badValuesAreReportedOnTheirLines() {
        Path file = tmp.resolve("config/server.yaml");

        assertThat(load("https:", "  names: [boot.lab]").errors()).extracting(ConfigError::toString).containsExactly(
                file + ":1: https: no port (write e.g. port: 8443): the section turns on a TLS listener beside httpPort");
        assertThat(load("https:", "  port: 8443", "  certificate: a.pem", "  names: [boot_lab]").errors())
                .extracting(ConfigError::toString).containsExactly(
                        file + ":3: https: write certificate and key together (PEM files), or neither for a certificate"
                                + " signed by bootferry's own CA",
                        file + ":4: https.names: only for the certificate bootferry makes; the admin's certificate"
                                + " names its hosts itself",
                        file + ":4: https.names: 'boot_lab' is not a host name (write e.g. boot.lab)");
        assertThat(load("https:", "  port: 8443", "  certificate: a.pem", "  key: a.key", "  names: [boot.lab]")
                .errors()).extracting(ConfigError::toString).containsExactly(file + ":5: https.names: only for the"
                        + " certificate bootferry makes; the admin's certificate names its hosts itself");
        assertThat(load("https:", "  port: 70000").errors()).extracting(ConfigError::toString).containsExactly(
                file + ":2: https.port: 70000 is not a port (1-65535, or 0 for any free port)");
    }
}
