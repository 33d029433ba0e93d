package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.bootferry.testing.Allocation;

/**
 * Jazzer on the DHCP decoder, the first code every datagram on port 67 and 4011 meets. Seeds: the
 * captured client messages; the normal suite replays {@code DhcpCodecFuzzTestInputs/}, {@code
 * JAZZER_FUZZ=1} fuzzes. The only exception allowed out is {@link MalformedDhcpException}; a
 * message that decodes encodes again and decodes to the same message.
 */
class DhcpCodecFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void decodeAcceptsOrRefusesAnyDatagram(byte[] datagram) throws Exception {
        Allocation.bounded(datagram.length, 16, 64 * 1024, () -> {
            DhcpMessage m;
            try {
                m = DhcpCodec.decode(datagram);
            } catch (MalformedDhcpException refused) {
                return;
            }
            assertThat(DhcpCodec.decode(DhcpCodec.encode(m))).isEqualTo(m);
        });
    }
}
