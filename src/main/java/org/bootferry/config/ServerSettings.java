package org.bootferry.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code config/server.yaml}, with command-line flags already applied. Relative paths are resolved
 * against the config directory by the loader.
 *
 * @param bind      address every listener binds to
 * @param advertise address machines reach us at (next-server, URLs); empty: derived from the host
 * @param dhcp      false to run without ProxyDHCP (a site DHCP server hands out our boot file)
 * @param loaders   first-stage loader per firmware id ({@code bios}, {@code efi-x64}, …), a path in tftproot
 */
public record ServerSettings(
        String bind,
        Optional<String> advertise,
        int httpPort,
        int tftpPort,
        int dhcpPort,
        int pxePort,
        boolean dhcp,
        Path tftpRoot,
        Path cache,
        Map<String, String> loaders) {

    public static final Map<String, String> DEFAULT_LOADERS = Map.of(
            "bios", "undionly.kpxe",
            "efi-ia32", "ipxe.efi",
            "efi-x64", "ipxe.efi",
            "efi-arm64", "snp.efi");

    public ServerSettings {
        loaders = Map.copyOf(loaders);
    }

    /**
     * These settings with the listener part (bind, advertise, ports, dhcp) of {@code running}:
     * sockets are bound once, so edits to those keys wait for a restart.
     */
    public ServerSettings withListenersOf(ServerSettings running) {
        return new ServerSettings(running.bind, running.advertise, running.httpPort, running.tftpPort, running.dhcpPort,
                running.pxePort, running.dhcp, tftpRoot, cache, loaders);
    }

    public ServerSettings withAdvertise(String address) {
        return new ServerSettings(bind, Optional.of(address), httpPort, tftpPort, dhcpPort, pxePort, dhcp, tftpRoot,
                cache, loaders);
    }
}
