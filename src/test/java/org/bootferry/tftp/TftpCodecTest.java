package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The codec on packets captured from real firmware (EDK2 under OVMF, GRUB on arm64) and on broken datagrams. */
class TftpCodecTest {

    @Test
    void edk2TsizeProbeDecodesWithOptionsInOrder() throws Exception {
        TftpPacket packet = TftpCodec.decode(fixture("e2e-edk2-x64-rrq-ipxe.efi-tsize-probe.bin"));
        assertThat(packet).isEqualTo(new TftpPacket.ReadRequest("ipxe.efi", "octet",
                ordered("tsize", "0", "blksize", "1468", "windowsize", "4")));
        assertThat(((TftpPacket.ReadRequest) packet).options().keySet()).containsExactly("tsize", "blksize", "windowsize");
    }

    @Test
    void edk2AckOfTheOackAndItsProbeAbortDecode() throws Exception {
        assertThat(TftpCodec.decode(fixture("e2e-edk2-x64-ack-oack.bin"))).isEqualTo(new TftpPacket.Ack(0));
        assertThat(TftpCodec.decode(fixture("e2e-edk2-x64-error-after-tsize-probe.bin")))
                .isEqualTo(new TftpPacket.Error(TftpError.OPTION_REFUSED, "User aborted the transfer"));
    }

    @Test
    void capturedPacketsEncodeBackToTheSameBytes() throws Exception {
        for (String name : new String[] {"e2e-edk2-x64-rrq-ipxe.efi-tsize-probe.bin", "e2e-edk2-x64-rrq-ipxe.efi.bin",
            "grub-arm64-rrq-grub-cfg.bin", "e2e-edk2-x64-ack-oack.bin", "e2e-edk2-x64-error-after-tsize-probe.bin"}) {
            ByteBuf captured = fixture(name);
            ByteBuf encoded = Unpooled.buffer();
            TftpCodec.encode(TftpCodec.decode(captured), encoded);
            assertThat(ByteBufUtil.hexDump(encoded)).as(name).isEqualTo(ByteBufUtil.hexDump(captured));
        }
    }

    @Test
    void grubRequestKeepsItsLeadingSlash() throws Exception {
        assertThat(TftpCodec.decode(fixture("grub-arm64-rrq-grub-cfg.bin"))).isEqualTo(new TftpPacket.ReadRequest(
                "/grub/grub.cfg-01-52-54-00-12-34-56", "octet", ordered("blksize", "1024", "tsize", "0")));
    }

    @Test
    void everyTruncationOfARealRequestIsMalformedOrAShorterRequest() throws Exception {
        byte[] whole = ByteBufUtil.getBytes(fixture("e2e-edk2-x64-rrq-ipxe.efi-tsize-probe.bin"));
        for (int length = 0; length < whole.length; length++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(whole, 0, length);
            try {
                TftpPacket.ReadRequest shorter = (TftpPacket.ReadRequest) TftpCodec.decode(prefix);
                // Only cuts right after a complete option pair still form a request.
                assertThat(whole[length - 1]).isZero();
                assertThat(shorter.filename()).isEqualTo("ipxe.efi");
            } catch (MalformedPacketException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "''                                     | datagram of 0 bytes has no opcode",
        "00                                     | datagram of 1 bytes has no opcode",
        "0007                                   | unknown opcode 7",
        "0000                                   | unknown opcode 0",
        "000169                                 | RRQ filename is not NUL-terminated",
        "00016100                               | RRQ mode is not NUL-terminated",
        "000161006f6374                         | RRQ mode is not NUL-terminated",
        "000161006f637465740062                 | RRQ option name is not NUL-terminated",
        "000161006f63746574006200               | RRQ option 'b' has no value",
        "000161006f637465740062003100620032     | RRQ value of option 'b' is not NUL-terminated",
        "000161006f6374657400620031006200320000 | RRQ option 'b' given twice",
        "000161006f6374657400000061006200       | RRQ has bytes after its padding",
        "0001ff006f6374657400                   | RRQ filename is not valid UTF-8",
        "000200                                 | WRQ mode is not NUL-terminated",
        "000400                                 | ACK of 3 bytes (expected 4)",
        "0004000100                             | ACK of 5 bytes (expected 4)",
        "000300                                 | DATA of 3 bytes (expected at least 4)",
        "000500                                 | ERROR of 3 bytes (expected at least 4)",
        "00066200                               | OACK option 'b' has no value",
    })
    void malformedDatagramsAreRefusedWithAReason(String hex, String reason) {
        ByteBuf datagram = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace("'", "")));
        assertThatThrownBy(() -> TftpCodec.decode(datagram)).isInstanceOf(MalformedPacketException.class).hasMessage(reason.strip());
    }

    @Test
    void paddedRequestsAreAccepted() throws Exception {
        // Some PXE ROMs pad their RRQ with NUL bytes.
        ByteBuf padded = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("000161006f6374657400626c6b73697a650031343638000000000000"));
        assertThat(TftpCodec.decode(padded)).isEqualTo(new TftpPacket.ReadRequest("a", "octet", Map.of("blksize", "1468")));
    }

    @Test
    void optionNamesAndModeAreCaseInsensitive() throws Exception {
        ByteBuf upper = Unpooled.wrappedBuffer("\u0000\u0001Boot.EFI\u0000OCTET\u0000BLKSIZE\u00001468\u0000".getBytes(StandardCharsets.US_ASCII));
        assertThat(TftpCodec.decode(upper)).isEqualTo(new TftpPacket.ReadRequest("Boot.EFI", "octet", Map.of("blksize", "1468")));
    }

    @Test
    void errorWithoutTerminatorAndWithUnknownCodeIsStillAnError() throws Exception {
        ByteBuf error = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("0005002a626f6f6d"));
        assertThat(TftpCodec.decode(error)).isEqualTo(new TftpPacket.Error(TftpError.NOT_DEFINED, "boom"));
    }

    @Test
    void dataAndAckAndOackEncodeToRfcBytes() throws Exception {
        ByteBuf out = Unpooled.buffer();
        TftpCodec.encode(new TftpPacket.Data(0xFFFF, Unpooled.wrappedBuffer(new byte[] {9, 8})), out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("0003ffff0908");
        TftpPacket.Data data = (TftpPacket.Data) TftpCodec.decode(out);
        assertThat(data.block()).isEqualTo(0xFFFF);
        assertThat(ByteBufUtil.getBytes(data.data())).containsExactly(9, 8);

        out.clear();
        TftpCodec.encode(new TftpPacket.Ack(0), out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("00040000");

        out.clear();
        TftpCodec.encode(new TftpPacket.OptionAck(ordered("tsize", "1017344", "blksize", "1468")), out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("\u0000\u0006tsize\u00001017344\u0000blksize\u00001468\u0000");

        out.clear();
        TftpCodec.encode(new TftpPacket.Error(TftpError.UNKNOWN_TID, "unknown transfer ID"), out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("\u0000\u0005\u0000\u0005unknown transfer ID\u0000");
    }

    @Test
    void decodingLeavesTheBufferIndexesAlone() throws Exception {
        ByteBuf captured = fixture("e2e-edk2-x64-rrq-ipxe.efi.bin");
        int reader = captured.readerIndex();
        TftpCodec.decode(captured);
        assertThat(captured.readerIndex()).isEqualTo(reader);
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static ByteBuf fixture(String name) throws IOException {
        try (InputStream in = TftpCodecTest.class.getResourceAsStream("/captures/tftp/" + name)) {
            return Unpooled.wrappedBuffer(in.readAllBytes());
        }
    }
}
