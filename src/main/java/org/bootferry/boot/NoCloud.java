package org.bootferry.boot;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bootferry.config.MachineConfig;

/**
 * A machine's {@code cloudInitNoCloud} as cloud-init's NoCloud seed over HTTP (cloud-init docs,
 * "NoCloud" datasource: {@code user-data}, {@code meta-data} and optional {@code network-config}
 * under the seed URL), and the kernel argument that names the seed. The data is served as written:
 * KubeVirt hands it to the VM unrendered, and Jinja user-data ({@code ## template: jinja}) is
 * cloud-init's to render.
 */
final class NoCloud {

    /**
     * A word of the command line that already chooses cloud-init's datasource ({@code ds=…}, the
     * NoCloud docs' kernel command line form); then bootferry adds none.
     */
    private static final Pattern DATASOURCE = Pattern.compile("(^|\\s)ds=");

    private NoCloud() {
    }

    /** The names served for the machine, in the seed's order; none without {@code cloudInitNoCloud}. */
    static List<String> names(MachineConfig c) {
        MachineConfig.CloudInitNoCloud n = c.cloudInitNoCloud();
        if (n == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>(MachineConfig.CloudInitNoCloud.FILES);
        if (n.networkDataText().isEmpty()) {
            names.remove("network-config");
        }
        return List.copyOf(names);
    }

    /**
     * One file of the seed. {@code meta-data} names the instance and its host name: the machine's
     * hostname (a VM spec's {@code metadata.name}), else its MAC in dash form. A new instance-id is
     * what makes cloud-init run its once-per-instance modules again.
     */
    static Optional<String> file(MachineConfig c, BootPlan plan, String name) {
        MachineConfig.CloudInitNoCloud n = c.cloudInitNoCloud();
        if (n == null) {
            return Optional.empty();
        }
        return switch (name) {
            case "user-data" -> Optional.of(n.userDataText());
            case "meta-data" -> Optional.of("instance-id: " + quoted(plan.hostname()) + "\nlocal-hostname: "
                    + quoted(plan.hostname()) + "\n");
            case "network-config" -> n.networkDataText();
            default -> Optional.empty();
        };
    }

    /**
     * The command line with {@code ds=nocloud-net;s=SEED} added, unless it chooses a datasource
     * itself. The {@code ;} is safe in each place a command line goes: iPXE splits commands only at
     * a {@code ;} that is a word of its own (core/exec.c, command_terminator), pxelinux takes the
     * rest of its APPEND line as it is, and GRUB gets every word single-quoted ({@link LoaderConfig}).
     */
    static String withDatasource(String cmdline, MachineConfig c, URI seed) {
        if (c.cloudInitNoCloud() == null || DATASOURCE.matcher(cmdline).find()) {
            return cmdline;
        }
        String ds = "ds=nocloud-net;s=" + seed;
        return cmdline.isEmpty() ? ds : cmdline + " " + ds;
    }

    /** A YAML double-quoted scalar (JSON's string syntax, which YAML 1.2 includes). */
    private static String quoted(String value) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
    }
}
