package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TftpOptionsTest {

    private static final TftpSettings SETTINGS = TftpFixture.DEFAULTS;

    @Test
    void edk2ProbeGetsItsOptionsBackWithTheFileSize() throws Exception {
        Map<String, String> asked = new LinkedHashMap<>();
        asked.put("tsize", "0");
        asked.put("blksize", "1468");
        asked.put("windowsize", "4");
        TftpOptions o = TftpOptions.negotiate(asked, 1_017_344, 1468, SETTINGS);
        assertThat(o.acknowledged()).containsExactly(entry("tsize", "1017344"), entry("blksize", "1468"), entry("windowsize", "4"));
        assertThat(o.blockSize()).isEqualTo(1468);
        assertThat(o.windowSize()).isEqualTo(4);
        assertThat(o.timeout()).isEqualTo(SETTINGS.timeout());
    }

    @Test
    void blockSizeIsClampedToThePathAndWindowToTheCap() throws Exception {
        TftpOptions o = TftpOptions.negotiate(Map.of("blksize", "65464", "windowsize", "500", "timeout", "3"), 0, 1468, SETTINGS);
        assertThat(o.blockSize()).isEqualTo(1468);
        assertThat(o.windowSize()).isEqualTo(64);
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.acknowledged()).containsOnly(entry("blksize", "1468"), entry("windowsize", "64"), entry("timeout", "3"));
    }

    @Test
    void unknownOptionsAloneMeanNoOack() throws Exception {
        TftpOptions o = TftpOptions.negotiate(Map.of("multicast", "", "utimeout", "5000"), 10, 1468, SETTINGS);
        assertThat(o.acknowledged()).isEmpty();
        assertThat(o.blockSize()).isEqualTo(512);
        assertThat(o.windowSize()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "blksize, 7", "blksize, 65465", "blksize, abc", "blksize, ''", "blksize, 99999999999",
        "timeout, 0", "timeout, 256", "windowsize, 0", "windowsize, 65536", "tsize, -1",
    })
    void invalidValuesAreRefusedWithError8(String option, String value) {
        assertThatThrownBy(() -> TftpOptions.negotiate(Map.of(option, value), 10, 1468, SETTINGS))
                .isInstanceOfSatisfying(TftpRefusal.class, r -> assertThat(r.error()).isEqualTo(TftpError.OPTION_REFUSED))
                .hasMessageStartingWith(option + " " + value + " is invalid");
    }
}
