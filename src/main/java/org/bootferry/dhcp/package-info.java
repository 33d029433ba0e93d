/**
 * DHCP for boot clients: the pure codec ({@code DhcpCodec}: bytes in, {@code DhcpMessage} out),
 * firmware detection from options 93, 60 and 77 ({@code PxeRequest}, {@code ClientArch}), the
 * ProxyDHCP decision as a pure function ({@code ProxyDhcp}) and the Netty listener on UDP 67 and 4011
 * ({@code ProxyDhcpServer}).
 *
 * <p>May import: {@code boot}, {@code machine}, {@code lang}. Never another protocol, {@code config}
 * or {@code journal}.
 */
package org.bootferry.dhcp;
