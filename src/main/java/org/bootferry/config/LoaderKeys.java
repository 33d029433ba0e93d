package org.bootferry.config;

import java.util.List;
import java.util.Optional;
import org.bootferry.lang.Spelling;
import org.bootferry.machine.Firmware;

/**
 * The keys a {@code loaders:} map may have, in server.yaml and in machine files alike: the planner
 * looks them up exactly, so an entry under another spelling ({@code BIOS}) or for UEFI HTTP Boot
 * ({@code http-x64}, which boots its architecture's EFI loader by URL) would never be used.
 */
public final class LoaderKeys {

    private LoaderKeys() {
    }

    /** Why {@code key} is no {@code loaders:} key, or empty when it is one. */
    public static Optional<String> problem(String key) {
        List<String> known = Firmware.loaderIds();
        if (known.contains(key)) {
            return Optional.empty();
        }
        Optional<Firmware> firmware = Firmware.byId(key).filter(f -> f.loaderFirmware() != f);
        return Optional.of(firmware.isPresent()
                ? "loaders: '" + key + "' boots the loader of '" + firmware.get().loaderFirmware().id()
                        + "' (by URL): name it there"
                : "loaders: unknown firmware '" + key + "'" + Spelling.didYouMean(key, known) + " (known: "
                        + String.join(", ", known) + ")");
    }
}
