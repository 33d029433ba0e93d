/**
 * TFTP (RFC 1350, with the options of RFC 2347, 2348, 2349 and 7440): the pure codec
 * ({@code TftpCodec}), one transfer's state machine ({@code TftpTransfer}), the Netty server and its
 * transfers ({@code TftpServer}, {@code ReadTransfer}, {@code LockStepTransfer}; their sockets,
 * {@code DatagramSockets}), and where names come
 * from: the tftproot ({@code RootDirectory}, small files from one shared copy: {@code SmallFiles}) and the per-machine loader configs and boot files
 * ({@code BootPlanFiles}).
 *
 * <p>May import: {@code boot}, {@code loader}, {@code machine}, {@code lang}. Never another protocol,
 * {@code config} or {@code journal}.
 */
package org.bootferry.tftp;
