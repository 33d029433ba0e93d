package org.bootferry.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.UUID;

/**
 * One certificate as an EFI_SIGNATURE_LIST (UEFI 2.10 section 32.4.1, "Signature Database"): the
 * form OVMF reads from {@code -fw_cfg name=etc/edk2/https/cacerts} (OvmfPkg's TlsAuthConfigLib puts
 * it in the {@code TlsCaCertificate} variable HttpBootDxe trusts), and what p11-kit's
 * {@code trust export --format=edk2-cacerts} writes, so nobody needs p11-kit.
 *
 * <pre>
 * EFI_GUID SignatureType        EFI_CERT_X509_GUID
 * UINT32   SignatureListSize    28 + SignatureSize
 * UINT32   SignatureHeaderSize  0
 * UINT32   SignatureSize        16 + the DER certificate's length
 * EFI_SIGNATURE_DATA            SignatureOwner (EFI_GUID), then the DER certificate
 * </pre>
 * All little-endian, an EFI_GUID too (its first three fields; section 32.4.1 and Appendix A).
 */
final class EfiSignatureList {

    /** EFI_CERT_X509_GUID, {0xa5c059a1, 0x94e4, 0x4aa7, {0x87, 0xb5, 0xab, 0x15, 0x5c, 0x2b, 0xf0, 0x72}}. */
    static final UUID CERT_X509 = UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    /** The SignatureOwner of bootferry's entries: firmware keeps it only to say whose an entry is. */
    static final UUID OWNER = UUID.fromString("5d6b5a40-6f0b-4a1e-9a57-62f0f7c9b0e1");
    private static final int HEADER_BYTES = 16 + 4 + 4 + 4;
    private static final int GUID_BYTES = 16;

    private EfiSignatureList() {
    }

    static byte[] of(X509Certificate certificate) {
        byte[] der;
        try {
            der = certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a certificate that was read can't be encoded again", e);
        }
        int signatureSize = GUID_BYTES + der.length;
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + signatureSize).order(ByteOrder.LITTLE_ENDIAN);
        guid(out, CERT_X509);
        out.putInt(HEADER_BYTES + signatureSize);
        out.putInt(0);
        out.putInt(signatureSize);
        guid(out, OWNER);
        out.put(der);
        return out.array();
    }

    /** An EFI_GUID: UINT32, UINT16, UINT16 little-endian, then eight bytes as written. */
    static void guid(ByteBuffer out, UUID uuid) {
        long high = uuid.getMostSignificantBits();
        out.putInt((int) (high >>> 32));
        out.putShort((short) (high >>> 16));
        out.putShort((short) high);
        out.order(ByteOrder.BIG_ENDIAN).putLong(uuid.getLeastSignificantBits()).order(ByteOrder.LITTLE_ENDIAN);
    }
}
