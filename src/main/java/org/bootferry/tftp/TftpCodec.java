package org.bootferry.tftp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * TFTP wire format, pure: datagram bytes to {@link TftpPacket} and back (RFC 1350 §5, RFC 2347 §2 for
 * options and OACK). Decoding never changes the buffer's indexes.
 */
public final class TftpCodec {

    public static final int RRQ = 1;
    public static final int WRQ = 2;
    public static final int DATA = 3;
    public static final int ACK = 4;
    public static final int ERROR = 5;
    public static final int OACK = 6;

    /** Opcode and block number in front of every DATA payload. */
    public static final int DATA_HEADER_LENGTH = 4;

    private TftpCodec() {
    }

    public static TftpPacket decode(ByteBuf datagram) throws MalformedPacketException {
        int start = datagram.readerIndex();
        int end = datagram.writerIndex();
        if (end - start < 2) {
            throw new MalformedPacketException("datagram of " + (end - start) + " bytes has no opcode");
        }
        int opcode = datagram.getUnsignedShort(start);
        int body = start + 2;
        switch (opcode) {
            case RRQ:
            case WRQ:
                return decodeRequest(opcode, datagram, body, end);
            case DATA:
                requireLength(datagram, 4, Integer.MAX_VALUE, "DATA");
                return new TftpPacket.Data(datagram.getUnsignedShort(body), datagram.slice(start + 4, end - start - 4));
            case ACK:
                requireLength(datagram, 4, 4, "ACK");
                return new TftpPacket.Ack(datagram.getUnsignedShort(body));
            case ERROR:
                return decodeError(datagram, body, end);
            case OACK:
                return new TftpPacket.OptionAck(decodeOptions(datagram, body, end, "OACK"));
            default:
                throw new MalformedPacketException("unknown opcode " + opcode);
        }
    }

    /** RFC 1350 §5 / RFC 2347 §2: filename NUL mode NUL, then option NUL value NUL pairs. */
    private static TftpPacket decodeRequest(int opcode, ByteBuf buf, int from, int end) throws MalformedPacketException {
        String kind = opcode == RRQ ? "RRQ" : "WRQ";
        int filenameEnd = terminator(buf, from, end, kind + " filename");
        String filename = string(buf, from, filenameEnd, StandardCharsets.UTF_8, kind + " filename");
        int modeEnd = terminator(buf, filenameEnd + 1, end, kind + " mode");
        String mode = string(buf, filenameEnd + 1, modeEnd, StandardCharsets.US_ASCII, kind + " mode").toLowerCase(Locale.ROOT);
        Map<String, String> options = decodeOptions(buf, modeEnd + 1, end, kind);
        return opcode == RRQ
                ? new TftpPacket.ReadRequest(filename, mode, options)
                : new TftpPacket.WriteRequest(filename, mode, options);
    }

    /**
     * RFC 2347 option pairs up to the end of the datagram. Option names are case-insensitive, so they
     * come out lower case. Trailing NUL bytes are accepted as padding: some PXE ROMs pad requests.
     */
    private static Map<String, String> decodeOptions(ByteBuf buf, int from, int end, String kind) throws MalformedPacketException {
        Map<String, String> options = new LinkedHashMap<>();
        int at = from;
        while (at < end && buf.getByte(at) != 0) {
            int nameEnd = terminator(buf, at, end, kind + " option name");
            String name = string(buf, at, nameEnd, StandardCharsets.US_ASCII, kind + " option name").toLowerCase(Locale.ROOT);
            if (nameEnd + 1 >= end) {
                throw new MalformedPacketException(kind + " option '" + name + "' has no value");
            }
            int valueEnd = terminator(buf, nameEnd + 1, end, kind + " value of option '" + name + "'");
            String value = string(buf, nameEnd + 1, valueEnd, StandardCharsets.US_ASCII, kind + " value of option '" + name + "'");
            if (options.putIfAbsent(name, value) != null) {
                throw new MalformedPacketException(kind + " option '" + name + "' given twice");
            }
            at = valueEnd + 1;
        }
        for (; at < end; at++) {
            if (buf.getByte(at) != 0) {
                throw new MalformedPacketException(kind + " has bytes after its padding");
            }
        }
        return options;
    }

    /**
     * Error code and message. A message without its terminating NUL is accepted as it stands: an
     * ERROR ends the transfer whatever its form, and refusing it would only keep us sending.
     */
    private static TftpPacket decodeError(ByteBuf buf, int from, int end) throws MalformedPacketException {
        requireLength(buf, 4, Integer.MAX_VALUE, "ERROR");
        TftpError error = TftpError.of(buf.getUnsignedShort(from));
        int textStart = from + 2;
        int nul = buf.indexOf(textStart, end, (byte) 0);
        int textEnd = nul < 0 ? end : nul;
        return new TftpPacket.Error(error, buf.toString(textStart, textEnd - textStart, StandardCharsets.US_ASCII));
    }

    private static void requireLength(ByteBuf buf, int min, int max, String kind) throws MalformedPacketException {
        int length = buf.readableBytes();
        if (length < min || length > max) {
            throw new MalformedPacketException(kind + " of " + length + " bytes (expected "
                    + (max == min ? String.valueOf(min) : "at least " + min) + ")");
        }
    }

    private static int terminator(ByteBuf buf, int from, int end, String what) throws MalformedPacketException {
        int nul = from < end ? buf.indexOf(from, end, (byte) 0) : -1;
        if (nul < 0) {
            throw new MalformedPacketException(what + " is not NUL-terminated");
        }
        return nul;
    }

    private static String string(ByteBuf buf, int from, int to, Charset charset, String what) throws MalformedPacketException {
        ByteBuffer bytes = buf.nioBuffer(from, to - from);
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedPacketException(what + " is not valid " + charset.name());
        }
    }

    public static ByteBuf encode(TftpPacket packet, ByteBufAllocator allocator) {
        ByteBuf out = allocator.buffer();
        encode(packet, out);
        return out;
    }

    public static void encode(TftpPacket packet, ByteBuf out) {
        if (packet instanceof TftpPacket.ReadRequest) {
            TftpPacket.ReadRequest r = (TftpPacket.ReadRequest) packet;
            encodeRequest(out, RRQ, r.filename(), r.mode(), r.options());
        } else if (packet instanceof TftpPacket.WriteRequest) {
            TftpPacket.WriteRequest w = (TftpPacket.WriteRequest) packet;
            encodeRequest(out, WRQ, w.filename(), w.mode(), w.options());
        } else if (packet instanceof TftpPacket.Data) {
            TftpPacket.Data d = (TftpPacket.Data) packet;
            writeDataHeader(out, d.block());
            out.writeBytes(d.data(), d.data().readerIndex(), d.data().readableBytes());
        } else if (packet instanceof TftpPacket.Ack) {
            out.writeShort(ACK).writeShort(((TftpPacket.Ack) packet).block());
        } else if (packet instanceof TftpPacket.Error) {
            TftpPacket.Error e = (TftpPacket.Error) packet;
            out.writeShort(ERROR).writeShort(e.error().code());
            writeString(out, e.message(), StandardCharsets.US_ASCII);
        } else {
            out.writeShort(OACK);
            writeOptions(out, ((TftpPacket.OptionAck) packet).options());
        }
    }

    /** The 4 bytes before a DATA payload; the sender appends up to blksize bytes of file after them. */
    public static void writeDataHeader(ByteBuf out, int block) {
        out.writeShort(DATA).writeShort(block);
    }

    private static void encodeRequest(ByteBuf out, int opcode, String filename, String mode, Map<String, String> options) {
        out.writeShort(opcode);
        writeString(out, filename, StandardCharsets.UTF_8);
        writeString(out, mode, StandardCharsets.US_ASCII);
        writeOptions(out, options);
    }

    private static void writeOptions(ByteBuf out, Map<String, String> options) {
        for (Map.Entry<String, String> option : options.entrySet()) {
            writeString(out, option.getKey(), StandardCharsets.US_ASCII);
            writeString(out, option.getValue(), StandardCharsets.US_ASCII);
        }
    }

    private static void writeString(ByteBuf out, String s, Charset charset) {
        out.writeCharSequence(s, charset);
        out.writeByte(0);
    }
}
