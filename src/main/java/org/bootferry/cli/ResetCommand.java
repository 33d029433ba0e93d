package org.bootferry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bootferry.journal.BootState;
import org.bootferry.journal.StateDirectory;
import org.bootferry.machine.MacAddress;
import org.bootferry.server.BootServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code bootferry reset MAC}: a bootOnce machine installs again at its next boot. */
@Command(name = "reset", description = "Forget that a bootOnce machine installed: it installs again at its next boot.")
final class ResetCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Mixin
    StateOption stateOption;

    @Parameters(paramLabel = "MAC", converter = Converters.Mac.class,
            description = "The machine's MAC address, in any common spelling.")
    MacAddress address;

    @Override
    public Integer call() throws Exception {
        Path dir = config.load(stateOption.overrides()).snapshot().settings().state();
        BootState state;
        try {
            StateDirectory.claim(dir);
            state = new BootState(dir);
        } catch (IOException e) {
            System.err.println("bootferry: " + BootServer.stateUnusable(dir, e));
            return ExitCodes.FAILED;
        }
        System.out.println(state.reset(address) ? address + ": reset; it installs again at its next boot"
                : address + ": was not installed; nothing to reset");
        return 0;
    }
}
