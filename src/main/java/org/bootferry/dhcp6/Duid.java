package org.bootferry.dhcp6;

import java.util.Optional;
import org.bootferry.machine.MacAddress;

/**
 * A DHCP Unique Identifier (RFC 8415 §11), the value of CLIENTID and SERVERID. Servers must treat a
 * DUID as opaque (§11); the known types are read out only so the log and {@link ClientMac} can say
 * what a client sent. Firmware in the field sends DUID-UUID: EDK2 and iPXE both do, with the same
 * SMBIOS UUID in different byte orders (reference/ipv6/README.md), so a DUID never names a machine.
 */
public sealed interface Duid {

    /** §11.1: at most 128 bytes after the 2-byte type. */
    int MAX_IDENTIFIER_LENGTH = 128;
    /** IANA ARP hardware type 1, Ethernet: the only one whose link-layer address is a {@link MacAddress}. */
    int HARDWARE_ETHERNET = 1;

    /** The DUID type (§11.1: 1 LLT, 2 EN, 3 LL; RFC 6355: 4 UUID). */
    int type();

    /** The Ethernet MAC this DUID carries, for DUID-LLT and DUID-LL of hardware type 1 only. */
    default Optional<MacAddress> mac() {
        return Optional.empty();
    }

    /** DUID-LLT (§11.2): hardware type, seconds since 2000-01-01 UTC mod 2^32, a link-layer address. */
    record LinkLayerTime(int hardwareType, long time, Opaque linkLayerAddress) implements Duid {
        public LinkLayerTime {
            checkHardwareType(hardwareType);
            if (time < 0 || time > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("DUID-LLT time " + time + " does not fit 32 bits");
            }
            checkLength(6 + linkLayerAddress.length());
        }

        @Override
        public int type() {
            return 1;
        }

        @Override
        public Optional<MacAddress> mac() {
            return ethernet(hardwareType, linkLayerAddress);
        }
    }

    /** DUID-EN (§11.3): an IANA enterprise number and that vendor's identifier. */
    record Enterprise(long enterpriseNumber, Opaque identifier) implements Duid {
        public Enterprise {
            if (enterpriseNumber < 0 || enterpriseNumber > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("enterprise number " + enterpriseNumber + " does not fit 32 bits");
            }
            checkLength(4 + identifier.length());
        }

        @Override
        public int type() {
            return 2;
        }
    }

    /** DUID-LL (§11.4): hardware type and a link-layer address. */
    record LinkLayer(int hardwareType, Opaque linkLayerAddress) implements Duid {
        public LinkLayer {
            checkHardwareType(hardwareType);
            checkLength(2 + linkLayerAddress.length());
        }

        @Override
        public int type() {
            return 3;
        }

        @Override
        public Optional<MacAddress> mac() {
            return ethernet(hardwareType, linkLayerAddress);
        }
    }

    /** DUID-UUID (RFC 6355 §4): 16 bytes, kept in the order sent (EDK2 and iPXE disagree on it). */
    record Uuid(Opaque uuid) implements Duid {
        public Uuid {
            if (uuid.length() != 16) {
                throw new IllegalArgumentException("a DUID-UUID holds 16 bytes, got " + uuid.length());
            }
        }

        @Override
        public int type() {
            return 4;
        }
    }

    /** A type §11 and RFC 6355 do not define: kept whole, since DUIDs are opaque (§11). */
    record Other(int type, Opaque value) implements Duid {
        public Other {
            if (type < 0 || type > 0xFFFF || (type >= 1 && type <= 4)) {
                throw new IllegalArgumentException("DUID type " + type + " is not a 16-bit type without its own record");
            }
            checkLength(value.length());
        }
    }

    private static void checkHardwareType(int hardwareType) {
        if (hardwareType < 0 || hardwareType > 0xFFFF) {
            throw new IllegalArgumentException("hardware type " + hardwareType + " does not fit 16 bits");
        }
    }

    /** §11.1: 1 to 128 bytes after the type. */
    private static void checkLength(int length) {
        if (length < 1 || length > MAX_IDENTIFIER_LENGTH) {
            throw new IllegalArgumentException("a DUID holds 1 to " + MAX_IDENTIFIER_LENGTH
                    + " bytes after its type (RFC 8415 §11.1), got " + length);
        }
    }

    private static Optional<MacAddress> ethernet(int hardwareType, Opaque address) {
        if (hardwareType != HARDWARE_ETHERNET || address.length() != 6) {
            return Optional.empty();
        }
        return Optional.of(MacAddress.of(address.bytes(), 0));
    }
}
