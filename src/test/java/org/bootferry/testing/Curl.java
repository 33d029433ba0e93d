package org.bootferry.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** curl as an admin or an attacker on the boot network runs it: status line and headers included ({@code -i}). */
public final class Curl {

    private Curl() {
    }

    /** What curl printed (its errors too); {@code args} are curl's own, the URL among them. */
    public static String run(String... args) {
        Tools.require("curl", "curl");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--max-time", "30"));
        command.addAll(Arrays.asList(args));
        return Processes.run(command, 40).text();
    }
}
