package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.bootferry.testing.Allocation;

/**
 * Jazzer on the TFTP decoder (every datagram on port 69 and on each transfer's port). Only
 * {@link MalformedPacketException} may come out; a packet that decodes encodes to a packet that
 * decodes the same (DATA compared by content).
 */
class TftpCodecFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void decodeAcceptsOrRefusesAnyDatagram(byte[] datagram) throws Exception {
        Allocation.bounded(datagram.length, 16, 64 * 1024, () -> {
            TftpPacket p;
            try {
                p = TftpCodec.decode(Unpooled.wrappedBuffer(datagram));
            } catch (MalformedPacketException refused) {
                return;
            }
            ByteBuf again = Unpooled.buffer();
            TftpCodec.encode(p, again);
            TftpPacket q = TftpCodec.decode(again);
            if (p instanceof TftpPacket.Data) {
                assertThat(q).isInstanceOfSatisfying(TftpPacket.Data.class, d -> {
                    assertThat(d.block()).isEqualTo(((TftpPacket.Data) p).block());
                    assertThat(d.data()).isEqualTo(((TftpPacket.Data) p).data());
                });
            } else {
                assertThat(q).isEqualTo(p);
            }
        });
    }
}
