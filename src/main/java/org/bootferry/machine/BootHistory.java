package org.bootferry.machine;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The boot steps recorded so far, for the API and the status page. */
public interface BootHistory {

    /** The newest events, oldest first, of one machine or (empty) of all. */
    List<BootEvent> recent(Optional<MacAddress> mac, int limit);

    /** The machine's last boot, from its latest DHCP offer (or first event) on. */
    List<BootEvent> lastBoot(MacAddress mac);

    /** Every machine seen, with its last boot's timeline. */
    Map<MacAddress, List<BootEvent>> lastBoots();
}
