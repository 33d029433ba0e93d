package org.bootferry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapTest {

    @TempDir
    Path dir;

    @Test
    void readsUdpDatagramsAndSkipsOtherFramesAndACutOffLastRecord() throws IOException {
        byte[] dhcp = {1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78};
        ByteArrayOutputStream file = header(ByteOrder.LITTLE_ENDIAN);
        record(file, 1_700_000_000, 250_000, udpFrame(new byte[] {0, 0, 0, 0}, 68, new byte[] {-1, -1, -1, -1}, 67, dhcp));
        record(file, 1_700_000_001, 0, arpFrame());
        byte[] cut = record(new ByteArrayOutputStream(), 1_700_000_002, 0, udpFrame(new byte[] {10, 0, 0, 1}, 69,
                new byte[] {10, 0, 0, 2}, 1234, new byte[] {0, 3, 0, 1}));
        file.write(cut, 0, cut.length - 5); // tcpdump killed mid-write
        Path pcap = Files.write(dir.resolve("boot.pcap"), file.toByteArray());

        List<Pcap.Datagram> datagrams = Pcap.udp(pcap);

        assertThat(datagrams).hasSize(1);
        Pcap.Datagram d = datagrams.get(0);
        assertThat(d.source().getAddress().getHostAddress()).isEqualTo("0.0.0.0");
        assertThat(d.sourcePort()).isEqualTo(68);
        assertThat(d.destination().getAddress().getHostAddress()).isEqualTo("255.255.255.255");
        assertThat(d.destinationPort()).isEqualTo(67);
        assertThat(d.payload()).containsExactly(dhcp);
        assertThat(d.seconds()).isEqualTo(1_700_000_000.25);
    }

    @Test
    void readsBigEndianFiles() throws IOException {
        ByteArrayOutputStream file = header(ByteOrder.BIG_ENDIAN);
        ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
        byte[] frame = udpFrame(new byte[] {10, 0, 0, 1}, 4011, new byte[] {10, 0, 0, 2}, 4011, new byte[] {2});
        rec.putInt(5).putInt(0).putInt(frame.length).putInt(frame.length);
        file.write(rec.array(), 0, 16);
        file.write(frame, 0, frame.length);
        Path pcap = Files.write(dir.resolve("be.pcap"), file.toByteArray());

        assertThat(Pcap.udp(pcap)).singleElement().satisfies(d -> {
            assertThat(d.destinationPort()).isEqualTo(4011);
            assertThat(d.payload()).containsExactly(2);
        });
    }

    @Test
    void refusesAFileThatIsNoPcap() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "this is not a capture, just some text");

        assertThatThrownBy(() -> Pcap.udp(text)).isInstanceOf(IOException.class).hasMessageContaining("not a classic pcap");
    }

    private static ByteArrayOutputStream header(ByteOrder order) {
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(h.array(), 0, 24);
        return out;
    }

    private static byte[] record(ByteArrayOutputStream out, int seconds, int micros, byte[] frame) {
        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt(seconds).putInt(micros).putInt(frame.length).putInt(frame.length);
        out.write(r.array(), 0, 16);
        out.write(frame, 0, frame.length);
        return out.toByteArray();
    }

    private static byte[] udpFrame(byte[] src, int srcPort, byte[] dst, int dstPort, byte[] payload) {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
        f.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(new byte[] {0x52, 0x54, 0, 0x13, 0, 1}).putShort((short) 0x0800);
        f.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload.length)).putInt(0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(src).put(dst);
        f.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        f.put(payload);
        return f.array();
    }

    private static byte[] arpFrame() {
        byte[] frame = new byte[42];
        Arrays.fill(frame, 0, 6, (byte) -1);
        frame[12] = 0x08;
        frame[13] = 0x06;
        return frame;
    }
}
