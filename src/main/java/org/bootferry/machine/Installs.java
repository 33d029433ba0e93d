package org.bootferry.machine;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Boot-once state: which machines reported their install done. A {@code bootOnce} machine that did
 * boots from its own disk until it is reset.
 */
public interface Installs {

    /** When the machine reported its install done; empty when it did not, or was reset since. */
    Optional<Instant> installed(MacAddress mac);

    /** Records the install as done, durably, before returning. */
    void markInstalled(MacAddress mac, Instant when) throws IOException;

    /** Forgets the install, so the machine installs again; false when it was not installed. */
    boolean reset(MacAddress mac) throws IOException;

    /** No machine ever installed: every machine gets its install plan. */
    Installs NONE = new Installs() {
        @Override
        public Optional<Instant> installed(MacAddress mac) {
            return Optional.empty();
        }

        @Override
        public void markInstalled(MacAddress mac, Instant when) throws IOException {
            throw new IOException("this server keeps no boot-once state");
        }

        @Override
        public boolean reset(MacAddress mac) {
            return false;
        }
    };
}
