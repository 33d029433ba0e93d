package org.bootferry.config;

import java.util.List;
import java.util.Map;

/**
 * server.yaml as written, every key optional: what the YAML binder fills in before
 * {@link ServerFileReader} checks it and fills in the defaults. Its components are the keys an
 * admin may write; {@link RestartKeys} says which of them wait for a restart.
 */
record ServerFile(
        String bind, String advertise, Integer httpPort, Integer tftpPort, Integer dhcpPort,
        Integer pxePort, Boolean dhcp, String tftpRoot, String cache, Map<String, String> loaders, String state,
        ApiFile api, ImagesFile images, ChainloadFile chainload, TftpFile tftp) {

    static final ServerFile EMPTY = new ServerFile(null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null);

    /** The {@code tftp:} section. */
    record TftpFile(Integer maxBlockSize, Integer maxWindowSize, Integer timeoutMillis, Integer maxRetries,
            Integer maxSessions, Integer rolloverTo) {
    }

    /** The {@code chainload:} section. */
    record ChainloadFile(String ipxe) {
    }

    /** The {@code api:} section. */
    record ApiFile(String token, List<String> allowFrom) {
    }

    /** The {@code images:} section. */
    record ImagesFile(String cacheLimit, List<String> insecureRegistries, Boolean staleOk, Integer pullTimeout) {
    }
}
