package org.bootferry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.bootferry.config.Adoption;
import org.bootferry.machine.MacAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bootferry adopt MAC --profile P}: writes the machine file that boots a discovered machine. */
@Command(name = "adopt", description = "Write machines/<mac>.yaml naming a profile, atomically: a running server's"
        + " live reload puts it in force and the machine's next DHCP retry boots it.")
final class AdoptCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "MAC", converter = Converters.Mac.class,
            description = "The machine's MAC address, in any common spelling (bootferry discovered lists them).")
    MacAddress address;

    @Option(names = "--profile", required = true, paramLabel = "NAME", description = "The profile it boots: profiles/NAME.yaml.")
    String profile;

    @Option(names = "--hostname", paramLabel = "NAME", description = "Its host name (default: the profile's, if any).")
    String hostname;

    @Override
    public Integer call() throws IOException {
        try {
            Path file = Adoption.adopt(config.load(java.util.Map.of()).snapshot(), address, profile,
                    Optional.ofNullable(hostname));
            System.out.println(address + ": wrote " + file + "; a running server puts it in force at its config reload");
            return 0;
        } catch (Adoption.Refused e) {
            System.err.println("bootferry: " + e.getMessage());
            return ExitCodes.FAILED;
        }
    }
}
