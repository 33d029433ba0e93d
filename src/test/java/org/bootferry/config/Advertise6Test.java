package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Optional;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code advertise6}: a global or unique local IPv6 address, and only where bootferry listens on IPv6. */
class Advertise6Test {

    @TempDir
    Path tmp;

    private ConfigSnapshot load(String... serverYaml) {
        return ConfigDir.withServerYaml(tmp.resolve("config"), serverYaml);
    }

    @Test
    void aUniqueLocalAddressIsTakenAndBindDefaultsToTheDualStackWildcard() {
        ServerSettings settings = load("advertise6: 'fd42::1'").requireValid().settings();
        assertThat(settings.advertise6()).isEqualTo(Optional.of("fd42::1"));
        assertThat(settings.bind()).isEqualTo("::");
    }

    @Test
    void aLinkLocalAddressIsRefusedWithWhy() {
        assertThat(load("advertise6: 'fe80::1'").errors()).singleElement().asString()
                .contains("'advertise6': 'fe80::1' is link-local: name a global or unique local (fd00::/8) address");
    }

    @Test
    void anIpv4AddressIsRefused() {
        assertThat(load("advertise6: 192.0.2.10").errors()).singleElement().asString()
                .contains("'advertise6': '192.0.2.10' is not an IPv6 address");
    }

    @Test
    void anIpv4BindLeavesNothingToReachItAt() {
        assertThat(load("bind: 0.0.0.0", "advertise6: 'fd42::1'").warnings()).singleElement().asString()
                .contains("while 'bind' is the IPv4 address 0.0.0.0, which listens on IPv4 only");
    }
}
