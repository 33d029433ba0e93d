/**
 * DHCPv6 for boot clients: the codec ({@code Dhcp6Codec}: bytes in,
 * {@code Dhcp6Message} and {@code Dhcp6Option} records out and back, RFC 8415 §8, §9, §21, RFC 5970,
 * RFC 6939), DUIDs ({@code Duid}), which firmware asks ({@code Pxe6Request}: options 61, 16, 15,
 * with {@code machine.ClientArch}) and which machine asks ({@code ClientMac}: a MAC from relay option
 * 79, an EUI-64 link-local source or a DUID, or why there is none) and what to answer it, boot-only or
 * with an address ({@code Boot6Answer}); the boot-only decision ({@code BootOnly6}: relays unwrapped
 * and answered, the machine from its MAC, its SOLICIT, a machine file's {@code duid:} or the kernel's
 * neighbour table, the plan's boot file as option 59); server mode ({@code ServerDhcp6}: RFC 8415
 * §18.3's answers with the boot options in them, over {@code Lease6Book}'s bindings of {@code Lease6}
 * records in {@code AddressPool6}s, shown by {@code Bindings6}; the machines' {@code ip6:} through
 * {@code Hosts6}); and the
 * listener of both ({@code Dhcp6Server}: ff02::1:2 on each boot link, 547 and 4011 on each server
 * address; server mode's records stored in a {@code lang.RecordJournal} before the answer leaves;
 * boot-only mode's neighbour table asked off the event loop; a client nothing names reported to
 * {@code machine.UnidentifiedClients}). What the firmware sends and needs is measured in
 * reference/ipv6/README.md.
 *
 * <p>May import: {@code boot}, {@code machine}, {@code lang}. Never another protocol (not even
 * {@code dhcp}), {@code config} or {@code journal}.
 */
package org.bootferry.dhcp6;
