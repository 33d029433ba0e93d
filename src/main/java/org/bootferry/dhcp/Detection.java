package org.bootferry.dhcp;

/** What a DHCP message is to bootferry: a boot client's {@link PxeRequest}, or why it is not one we answer. */
public sealed interface Detection permits PxeRequest, Detection.Ignored {

    /** Not a request bootferry answers; {@code reason} is for a debug line. */
    record Ignored(String reason) implements Detection {
    }
}
