package org.bootferry.dhcp;

import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.boot.BootPlan;

/**
 * What a reply tells a boot client about its boot, from its {@link BootPlan}: the same in a ProxyDHCP
 * offer and in server mode's offer and ack, so that every stock loader finds its server either way.
 *
 * <ul>
 *   <li>siaddr is always the next-server: iPXE ignores a ProxyDHCP offer whose siaddr is 0, even when
 *       the file is an http:// URL.</li>
 *   <li>Option 43 with PXE_DISCOVERY_CONTROL bit 3 (PXE 2.1 Table 2-1: "use the boot file in this
 *       offer, no prompt, menu or discovery") goes into every PXEClient OFFER. EDK2 treats an offer
 *       with {@code PXEClient} and no option 43 as "BINL" and insists on a port-4011 exchange
 *       (PXE-E16/E18 if nobody answers); with the bit set and a boot file present it downloads the file
 *       at once (PxeBcSelectBootPrompt). ROMs that do the 4011 exchange anyway get an ACK there.</li>
 *   <li>HTTPClient answers carry option 60 {@code HTTPClient} and the URL, no option 43 (UEFI 2.x
 *       §24.7: HTTP Boot has no boot-server discovery).</li>
 *   <li>Option 97 is echoed when the client sent it; Intel ROMs omit it and are answered anyway.</li>
 * </ul>
 *
 * @param siaddr  the next-server
 * @param file    the boot file field: the boot file when it fits, else empty (it travels in option 67)
 * @param options 60, 97 (echoed), 43 and 67, in that order
 */
record BootAnswer(Inet4Address siaddr, String file, List<DhcpOption> options) {

    /** PXE 2.1 Table 2-1, discovery control bit 3, then the END of the encapsulated options. */
    private static final byte[] USE_BOOT_FILE_IN_OFFER = {
        DhcpOptionCode.PXE_DISCOVERY_CONTROL, 1, 0x08, (byte) DhcpOptionCode.END};
    private static final int FILE_FIELD_MAX = 127;

    BootAnswer {
        options = List.copyOf(options);
    }

    /**
     * @param type OFFER or ACK: an ACK to a boot-server REQUEST echoes the boot item it asked for
     *             instead of the offer's discovery control
     */
    static BootAnswer of(PxeRequest request, BootPlan plan, Inet4Address nextServer, DhcpMessageType type) {
        String bootFile = plan.bootFile();
        List<DhcpOption> options = new ArrayList<>();
        options.add(DhcpOption.ofString(DhcpOptionCode.VENDOR_CLASS_IDENTIFIER, request.vendorClass().text()));
        request.uuid().ifPresent(options::add);
        vendorOptions(request, type).ifPresent(v -> options.add(new DhcpOption(DhcpOptionCode.VENDOR_SPECIFIC, v)));
        options.add(DhcpOption.ofString(DhcpOptionCode.BOOTFILE_NAME, bootFile));
        boolean fitsFileField = bootFile.getBytes(StandardCharsets.ISO_8859_1).length <= FILE_FIELD_MAX;
        // A URL longer than the file field travels in option 67 only (RFC 2132 §9.5).
        return new BootAnswer(nextServer, fitsFileField ? bootFile : "", options);
    }

    /**
     * Option 43 for a PXEClient: in an OFFER, "use the boot file in this offer"; in the boot-server ACK,
     * the PXE_BOOT_ITEM the client asked for, echoed (PXE 2.1 §2.2.5; iPXE drops an ACK without it).
     * HTTP Boot clients get none.
     */
    private static Optional<byte[]> vendorOptions(PxeRequest request, DhcpMessageType type) {
        if (request.vendorClass() != PxeRequest.VendorClass.PXE_CLIENT) {
            return Optional.empty();
        }
        if (type == DhcpMessageType.OFFER) {
            return Optional.of(USE_BOOT_FILE_IN_OFFER.clone());
        }
        return bootItem(request).map(item -> {
            byte[] v = new byte[item.length + 3];
            v[0] = DhcpOptionCode.PXE_BOOT_ITEM;
            v[1] = (byte) item.length;
            System.arraycopy(item, 0, v, 2, item.length);
            v[v.length - 1] = (byte) DhcpOptionCode.END;
            return v;
        });
    }

    /** The PXE_BOOT_ITEM a boot-server REQUEST names in its option 43, if any. */
    static Optional<byte[]> bootItem(PxeRequest request) {
        return request.message().option(DhcpOptionCode.VENDOR_SPECIFIC)
                .flatMap(o -> subOption(o.value(), DhcpOptionCode.PXE_BOOT_ITEM));
    }

    /** A sub-option of an encapsulated option (RFC 2132 §8.4 layout); empty when absent or cut short. */
    static Optional<byte[]> subOption(byte[] encapsulated, int code) {
        int i = 0;
        while (i + 1 < encapsulated.length) {
            int c = encapsulated[i] & 0xFF;
            if (c == DhcpOptionCode.END) {
                break;
            }
            if (c == DhcpOptionCode.PAD) {
                i++;
                continue;
            }
            int len = encapsulated[i + 1] & 0xFF;
            if (i + 2 + len > encapsulated.length) {
                break;
            }
            if (c == code) {
                byte[] v = new byte[len];
                System.arraycopy(encapsulated, i + 2, v, 0, len);
                return Optional.of(v);
            }
            i += 2 + len;
        }
        return Optional.empty();
    }
}
