/**
 * The optional DNS listener of DHCP server mode ({@code dns: {port: 53, zone: lab}}): A and PTR for the
 * machines' hostnames and their leased or reserved addresses, authoritative for its zone only, never
 * recursive. {@link org.bootferry.dns.DnsAnswers} decides (pure, over dnsjava's message codec);
 * {@link org.bootferry.dns.DnsServer} is its Netty datagram listener. It reads the names through
 * {@code machine.Addressing}; it imports machine and lang only, and no other protocol.
 */
package org.bootferry.dns;
