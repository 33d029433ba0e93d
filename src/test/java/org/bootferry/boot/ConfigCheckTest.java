package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The values config keeps as written and the image package parses, checked in its grammar with their lines. */
class ConfigCheckTest {

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void configDir() {
        config = new ConfigDir(tmp.resolve("config"));
    }

    private ConfigSnapshot load() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir());
        assertThat(snapshot.errors()).as("each file is fine on its own").isEmpty();
        return snapshot;
    }

    @Test
    void aPullPolicyOutOfKubeVirtsSpellingsIsNamedOnItsLineWithTheOneMeant() {
        config.file("machines/52-54-00-12-34-56.yaml",
                "kernelBoot:",
                "  container:",
                "    image: registry.example/boot:1",
                "    imagePullPolicy: ifnotpresent");
        assertThat(ConfigCheck.check(load())).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(config.dir().resolve("machines/52-54-00-12-34-56.yaml"));
            assertThat(e.line()).isEqualTo(4);
            assertThat(e.message()).isEqualTo(
                    "imagePullPolicy 'ifnotpresent' is not Always, IfNotPresent or Never (did you mean 'IfNotPresent'?)");
        });
    }

    @Test
    void aPullPolicyInAProfileIsReportedInTheProfileOnce() {
        config.file("profiles/images.yaml",
                "kernelBoot:",
                "  container:",
                "    image: registry.example/boot:1",
                "    imagePullPolicy: Sometimes");
        config.file("machines/52-54-00-12-34-56.yaml", "profile: images");
        config.file("machines/52-54-00-12-34-57.yaml", "profile: images");
        assertThat(ConfigCheck.check(load())).extracting(ConfigError::toString).contains(
                config.dir().resolve("profiles/images.yaml") + ":4: imagePullPolicy 'Sometimes' is not Always,"
                        + " IfNotPresent or Never");
    }

    @Test
    void aRegistryThatIsNotHostAndPortIsReportedOnItsLine() {
        config.file("server.yaml", "httpPort: 8080", "images:", "  cacheLimit: 20GiB",
                "  insecureRegistries: [registry.lab:5000, http://registry.lab:5000, '[fd00::5]:5000']");
        assertThat(ConfigCheck.check(load())).extracting(ConfigError::toString).containsExactly(
                config.dir().resolve("server.yaml") + ":4: images.insecureRegistries: 'http://registry.lab:5000' is not"
                        + " host[:port] (write it as in image references, e.g. registry.lab:5000, without http://)");
    }

    @Test
    void aLoaderUnderAnotherSpellingOrForHttpBootIsReportedNotIgnored() {
        config.file("server.yaml", "loaders:", "  BIOS: other.kpxe", "  http-x64: other.efi", "  efi-x64: ipxe.efi");
        assertThat(ConfigCheck.check(load())).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                config.dir().resolve("server.yaml") + ":2: loaders: unknown firmware 'BIOS' (did you mean 'bios'?)"
                        + " (known: bios, efi-ia32, efi-x64, efi-arm32, efi-arm64)",
                config.dir().resolve("server.yaml") + ":3: loaders: 'http-x64' boots the loader of 'efi-x64' (by URL):"
                        + " name it there");
    }
}
