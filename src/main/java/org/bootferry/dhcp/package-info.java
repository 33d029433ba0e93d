/**
 * DHCP for boot clients: the pure codec ({@code DhcpCodec}: bytes in, {@code DhcpMessage} out),
 * firmware detection from options 93, 60 and 77 ({@code PxeRequest}, with {@code machine.ClientArch}), the
 * ProxyDHCP decision as a pure function ({@code ProxyDhcp}) and the Netty listener on UDP 67 and 4011
 * ({@code ProxyDhcpServer}); the boot fields both modes send ({@code BootAnswer}); server mode: the
 * decision ({@code ServerDhcp}) over the lease book ({@code LeaseBook}), the lease store interface
 * ({@code LeaseStore}) and its fsync'd journal ({@code LeaseJournal}), the address probe
 * ({@code ArpProbe}) and the listener ({@code DhcpServer}); the sockets both listeners open
 * ({@code DhcpSockets}).
 *
 * <p>May import: {@code boot}, {@code machine}, {@code lang}. Never another protocol, {@code config}
 * or {@code journal}.
 */
package org.bootferry.dhcp;
