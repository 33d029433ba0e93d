/**
 * Who a machine is and what happens to it: {@link org.bootferry.machine.MacAddress} (the key of
 * everything), {@link org.bootferry.machine.Firmware} (which decides the loader),
 * {@link org.bootferry.machine.ClientArch} (the architecture a DHCPv4 or DHCPv6 client names),
 * {@link org.bootferry.machine.Machine} (one request's view of both), {@link org.bootferry.machine.BootEvent}
 * (one step of a boot), and the interfaces through which protocols report steps and read the boot
 * journal ({@code BootLog}, {@code BootHistory}, {@code Installs}, {@code LoaderFetchLog},
 * {@code BootFamilies}, {@code Addressing}, {@code Neighbours}), and discovery's ({@code Discoveries}: a {@code Sighting} recorded, a
 * {@code Discovered} machine shown), and the DHCPv6 clients no MAC was found for
 * ({@code UnidentifiedClients}, each an {@code UnidentifiedClient}).
 *
 * <p>A leaf: every package may import it, and it imports nothing of bootferry.
 */
package org.bootferry.machine;
