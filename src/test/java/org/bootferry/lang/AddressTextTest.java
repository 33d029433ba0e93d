package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTextTest {

    /** RFC 5952 §4's rules, each with the section's own example where it gives one. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "2001:0db8:0000:0000:0000:0000:0002:0001, 2001:db8::2:1", // §4.1 leading zeros, §4.2.1 longest run
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",             // §4.2.2 one zero word stays
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",                      // §4.2.3 the longest run
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",                // §4.2.3 the first of equal runs
            "2001:DB8::ABCD, 2001:db8::abcd",                         // §4.3 lower case
            "fd42:0:0:0:0:0:0:1, fd42::1",
            "0:0:0:0:0:0:0:1, ::1",
            "0:0:0:0:0:0:0:0, ::",
            "fe80:0:0:0:5054:ff:fe12:3456%1, fe80::5054:ff:fe12:3456", // no zone
            "1:0:0:0:0:0:0:0, 1::",
            "10.0.0.1, 10.0.0.1"})
    void writesAddressesAsRfc5952Says(String written, String expected) throws Exception {
        assertThat(AddressText.of(InetAddress.getByName(written))).isEqualTo(expected);
    }
}
