package org.bootferry.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.bootferry.journal.BootState;
import org.bootferry.machine.MacAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code bootferry reset MAC}: a bootOnce machine installs again at its next boot. */
@Command(name = "reset", description = "Forget that a bootOnce machine installed: it installs again at its next boot.")
final class ResetCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "MAC", description = "The machine's MAC address, in any common spelling.")
    String mac;

    @Override
    public Integer call() throws Exception {
        MacAddress address = MacAddress.parse(mac);
        BootState state = new BootState(config.load(Map.of()).snapshot().settings().state());
        System.out.println(state.reset(address) ? address + ": reset; it installs again at its next boot"
                : address + ": was not installed; nothing to reset");
        return 0;
    }
}
