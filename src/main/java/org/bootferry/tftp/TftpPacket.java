package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One TFTP packet (RFC 1350 §5, OACK from RFC 2347). {@link TftpCodec} turns datagrams into these and
 * back; handlers decide on them and never touch bytes.
 */
public sealed interface TftpPacket {

    /** Opcode 1. Option names are lower case (RFC 2347: they are case-insensitive), in request order. */
    record ReadRequest(String filename, String mode, Map<String, String> options) implements TftpPacket {
        public ReadRequest {
            options = ordered(options);
        }
    }

    /** Opcode 2. Decoded so that it can be refused by name; bootferry serves read-only. */
    record WriteRequest(String filename, String mode, Map<String, String> options) implements TftpPacket {
        public WriteRequest {
            options = ordered(options);
        }
    }

    /**
     * Opcode 3. {@code data} is not copied: a decoded Data shares the datagram's buffer and lives as
     * long as it does; the sender of an encoded one keeps ownership.
     */
    record Data(int block, ByteBuf data) implements TftpPacket {
        public Data {
            checkBlock(block);
        }
    }

    /** Opcode 4. */
    record Ack(int block) implements TftpPacket {
        public Ack {
            checkBlock(block);
        }
    }

    /** Opcode 5. */
    record Error(TftpError error, String message) implements TftpPacket {
    }

    /** Opcode 6 (RFC 2347): the options the server accepted, with the values it will use. */
    record OptionAck(Map<String, String> options) implements TftpPacket {
        public OptionAck {
            options = ordered(options);
        }
    }

    private static Map<String, String> ordered(Map<String, String> options) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    private static void checkBlock(int block) {
        if (block < 0 || block > 0xFFFF) {
            throw new IllegalArgumentException("block number out of the 16-bit range: " + block);
        }
    }
}
