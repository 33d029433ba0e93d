/**
 * Small building blocks with no boot concept in them: a bounded cache, "did you mean", IPv4 and IPv6
 * arithmetic ({@code Ipv4}, {@code Ipv6}), an address's text
 * ({@code AddressText}: IPv6 as RFC 5952 writes it),
 * per-client limits ({@code Quota}) and one log line per key per interval ({@code Throttle}; for the
 * lines a client causes, {@code QuietLog}),
 * replacing a file atomically ({@code AtomicFile}), records kept durable in an fdatasync'd journal
 * ({@code RecordJournal}: DHCP and DHCPv6 server mode's leases), what makes a URL an http(s) directory's.
 *
 * <p>A leaf: every package may import it, and it imports nothing of bootferry.
 */
package org.bootferry.lang;
