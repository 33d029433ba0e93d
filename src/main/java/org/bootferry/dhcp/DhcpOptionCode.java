package org.bootferry.dhcp;

/**
 * The DHCP option codes bootferry reads or writes, in one place (RFC 2132 unless noted).
 */
public final class DhcpOptionCode {

    /** RFC 2132 §3.1: one byte of padding, no length. */
    public static final int PAD = 0;
    public static final int SUBNET_MASK = 1;
    public static final int ROUTER = 3;
    public static final int DOMAIN_NAME_SERVER = 6;
    public static final int HOST_NAME = 12;
    public static final int DOMAIN_NAME = 15;
    /** RFC 2132 §5.1. */
    public static final int INTERFACE_MTU = 26;
    /** RFC 2132 §8.4: PXE options are carried here (PXE 2.1 Table 2-1). */
    public static final int VENDOR_SPECIFIC = 43;
    public static final int REQUESTED_ADDRESS = 50;
    public static final int LEASE_TIME = 51;
    /** RFC 2132 §9.3: the file and/or sname fields carry more options. */
    public static final int OPTION_OVERLOAD = 52;
    public static final int MESSAGE_TYPE = 53;
    public static final int SERVER_IDENTIFIER = 54;
    public static final int PARAMETER_REQUEST_LIST = 55;
    public static final int MAX_MESSAGE_SIZE = 57;
    /** RFC 2132 §9.11 and §9.12: T1 and T2 (RFC 2131 §4.4.5). */
    public static final int RENEWAL_TIME = 58;
    public static final int REBINDING_TIME = 59;
    /** RFC 2132 §9.13: {@code PXEClient…} or {@code HTTPClient…}. */
    public static final int VENDOR_CLASS_IDENTIFIER = 60;
    public static final int CLIENT_IDENTIFIER = 61;
    public static final int TFTP_SERVER_NAME = 66;
    public static final int BOOTFILE_NAME = 67;
    /** RFC 3004: iPXE sends the bare string {@code iPXE} here. */
    public static final int USER_CLASS = 77;
    /** RFC 4578 §2.1: client system architecture, a list of 16-bit IANA codes. */
    public static final int CLIENT_ARCH = 93;
    /** RFC 4578 §2.2: client network device interface (UNDI version). */
    public static final int CLIENT_NDI = 94;
    /** RFC 4578 §2.3: client machine identifier (type 0 + 16-byte UUID). */
    public static final int CLIENT_UUID = 97;
    /** RFC 3397: the domain search list, names compressed as in DNS messages. */
    public static final int DOMAIN_SEARCH = 119;
    /** iPXE's encapsulated feature options (ipxe.org/howto/dhcpd). */
    public static final int IPXE_ENCAPSULATED = 175;
    /** RFC 2132 §3.2: end of the options. */
    public static final int END = 255;

    /** PXE 2.1 Table 2-1: sub-options inside option 43. */
    public static final int PXE_DISCOVERY_CONTROL = 6;
    public static final int PXE_BOOT_ITEM = 71;

    private DhcpOptionCode() {
    }
}
