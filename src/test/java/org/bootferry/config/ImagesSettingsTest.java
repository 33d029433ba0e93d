package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** server.yaml's {@code images:} section. */
class ImagesSettingsTest {

    @TempDir
    Path tmp;

    private ConfigSnapshot load(String... serverYaml) {
        return ConfigDir.withServerYaml(tmp.resolve("config"), serverYaml);
    }

    @Test
    void withoutTheSectionNothingIsLimitedAndBootsWaitTwoMinutes() {
        ServerSettings.Images images = load("httpPort: 8080").settings().images();
        assertThat(images).isEqualTo(new ServerSettings.Images(0, List.of(), false, Duration.ofSeconds(120), 2));
    }

    @Test
    void everyKeyIsRead() {
        ConfigSnapshot s = load("images:", "  cacheLimit: 20GiB", "  insecureRegistries: [registry.lab:5000, '[fd00::5]:5000']",
                "  staleOk: true", "  pullTimeout: 30", "  prefetchPulls: 4");
        assertThat(s.errors()).isEmpty();
        assertThat(s.settings().images()).isEqualTo(new ServerSettings.Images(20L << 30,
                List.of("registry.lab:5000", "[fd00::5]:5000"), true, Duration.ofSeconds(30), 4));
    }

    @Test
    void sizesTakeIecAndSiUnits() {
        assertThat(ByteSize.parse("500MB")).contains(500_000_000L);
        assertThat(ByteSize.parse("1.5 GiB")).contains(3L << 29);
        assertThat(ByteSize.parse("0")).contains(0L);
        assertThat(ByteSize.parse("4096")).contains(4096L);
        assertThat(ByteSize.parse("2tib")).contains(2L << 40);
        assertThat(ByteSize.parse("lots")).isEmpty();
        assertThat(ByteSize.parse("-1GiB")).isEmpty();
    }

    @Test
    void badValuesAreReportedOnTheirLines() {
        ConfigSnapshot s = load("httpPort: 8080", "images:", "  cacheLimit: 20 gigs",
                "  insecureRegistries: [http://registry.lab:5000]", "  pullTimeout: 0");
        Path file = tmp.resolve("config/server.yaml");
        assertThat(s.errors()).extracting(ConfigError::toString).containsExactly(
                file + ":3: images.cacheLimit: '20 gigs' is not a size (write e.g. 20GiB, 500MB, or 0 for no limit)",
                file + ":5: images.pullTimeout: 0 is not a number of seconds of at least 1");
    }

    @Test
    void anEmptyRegistryEntryIsReportedNotDropped() {
        assertThat(load("images:", "  insecureRegistries: [registry.lab:5000, ~]").errors())
                .extracting(ConfigError::toString).containsExactly(tmp.resolve("config/server.yaml")
                        + ":2: images.insecureRegistries: an empty entry (write host[:port], e.g. registry.lab:5000)");
    }

    @Test
    void misspeltKeyInTheSectionNamesTheKeyMeant() {
        assertThat(load("images:", "  pullTimout: 30").errors()).extracting(ConfigError::toString).containsExactly(
                tmp.resolve("config/server.yaml") + ":2: unknown key 'pullTimout' in 'images' (did you mean 'pullTimeout'?)");
    }
}
