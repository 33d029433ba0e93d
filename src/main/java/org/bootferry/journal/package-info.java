/**
 * What the server remembers of boots: the event journal ({@code BootEvents}, its file rotated by
 * size: {@code RotatingFile}, {@code JournalRotation}), boot-once state
 * ({@code BootState}) in a state directory marked as ours ({@code StateDirectory}), which machine
 * fetched which loader moments ago ({@code LoaderFetches}), the
 * network-boot clients seen with no machine file ({@code DiscoveredMachines}) the host's neighbour table ({@code NeighbourTable}; IPv6 through
 * {@code Ipv6Neighbours}) and the DHCPv6 clients no MAC was found for ({@code UnidentifiedLog}). Each implements an interface of
 * {@code org.bootferry.machine}, through which the protocols and the planner use it without
 * importing this package.
 *
 * <p>May import: {@code machine}, {@code lang}. Used by {@code server} and {@code cli}, which wire it.
 */
package org.bootferry.journal;
