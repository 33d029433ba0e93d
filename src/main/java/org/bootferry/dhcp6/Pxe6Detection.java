package org.bootferry.dhcp6;

/** What a DHCPv6 message is to bootferry: a boot client's {@link Pxe6Request}, or why it is not one we answer. */
public sealed interface Pxe6Detection permits Pxe6Request, Pxe6Detection.Ignored {

    /** Not a request bootferry answers; {@code reason} is for a debug line. */
    record Ignored(String reason) implements Pxe6Detection {
    }
}
