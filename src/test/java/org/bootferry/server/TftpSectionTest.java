package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.bootferry.config.ServerSettings;
import org.bootferry.lang.ProcessLimits;
import org.bootferry.tftp.TftpSettings;
import org.junit.jupiter.api.Test;

class TftpSectionTest {

    @Test
    void withoutATftpSectionTheServerRunsWithTheDocumentedDefaults() {
        assertThat(TftpSection.settings(ServerSettings.Tftp.DEFAULT)).isEqualTo(new TftpSettings(
                TftpSettings.MAX_BLOCK_SIZE, 64, Duration.ofSeconds(1), 5, ProcessLimits.sessions(), 16,
                TftpSettings.Rollover.ZERO));
    }

    @Test
    void everyKeyOfTheSectionReachesTheServer() {
        ServerSettings.Tftp section = new ServerSettings.Tftp(1468, 8, Duration.ofMillis(500), 2, 50, 4, true);
        assertThat(TftpSection.settings(section)).isEqualTo(new TftpSettings(1468, 8, Duration.ofMillis(500), 2, 50, 4,
                TftpSettings.Rollover.ONE));
    }
}
