package org.bootferry.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"52:54:00:12:34:56", "52-54-00-12-34-56", "5254.0012.3456", "525400123456",
            " 52-54-00-12-34-56 "})
    void everyCommonSpellingMeansTheSameMachine(String spelling) {
        MacAddress mac = MacAddress.parse(spelling);
        assertThat(mac).hasToString("52:54:00:12:34:56");
        assertThat(mac.dashed()).isEqualTo("52-54-00-12-34-56");
        assertThat(MacAddress.of(mac.toBytes(), 0)).isEqualTo(mac);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DE:AD:BE:EF:00:0A", "de-ad-be-ef-00-0a", "DEAD.BEEF.000a", "deADbeEF000A"})
    void caseDoesNotMatterAndPrintingIsLowerCase(String spelling) {
        assertThat(MacAddress.parse(spelling)).hasToString("de:ad:be:ef:00:0a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "52:54:00:12:34", "52:54-00:12:34:56", "52:54:00:12:34:5g", "5254.0012.345",
            "52:54:00:12:34:56:78", "default", "52.54.00.12.34.56", "5254-0012-3456", "5254:0012:3456",
            "+25400123456", "\uff15\uff12:54:00:12:34:56", "52:54:00:12:3456:", "52 54 00 12 34 56"})
    void anythingElseIsRefusedWithTheInputNamed(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
