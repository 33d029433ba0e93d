package org.bootferry.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bootferry.boot.BootFile;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.LoaderConfig;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Machine;

/**
 * The per-machine files of loaders that only speak TFTP: pxelinux and GRUB configs and the kernel
 * and initrds they load, answered from the machine's {@link BootPlan} — the same plan the iPXE
 * script and the HTTP boot files come from. {@link LoaderConfig} names and renders them; this only
 * maps a TFTP request onto it. Names of unknown machines are left to the next source.
 */
public final class BootPlanFiles implements TftpFiles {

    private final BootPlanner planner;

    public BootPlanFiles(BootPlanner planner) {
        this.planner = planner;
    }

    @Override
    public Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal {
        Optional<LoaderConfig.Request> request = LoaderConfig.parse(name);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        try {
            LoaderConfig.Request r = request.get();
            if (r instanceof LoaderConfig.Pxelinux) {
                return planner.plan(Machine.of(r.mac(), Firmware.BIOS)).map(plan -> text(LoaderConfig.pxelinux(plan)));
            }
            if (r instanceof LoaderConfig.Grub) {
                // An architecture the machine can't be planned for (an image without it) gets no
                // section; GRUB on it then says so instead of booting a foreign kernel.
                List<BootPlan> plans = new ArrayList<>();
                BootPlanException failure = null;
                for (Firmware firmware : LoaderConfig.GRUB_FIRMWARE) {
                    try {
                        planner.plan(Machine.of(r.mac(), firmware)).ifPresent(plans::add);
                    } catch (BootPlanException e) {
                        failure = failure == null ? e : failure;
                    }
                }
                if (plans.isEmpty() && failure != null) {
                    throw failure;
                }
                return plans.isEmpty() ? Optional.empty() : Optional.of(text(LoaderConfig.grub(plans)));
            }
            LoaderConfig.File file = (LoaderConfig.File) r;
            Optional<BootPlan> plan = planner.plan(Machine.of(file.mac(), file.firmware()));
            if (plan.isEmpty() || file.initrd() >= plan.get().initrds().size()) {
                return Optional.empty();
            }
            BootFile bootFile = file.initrd() < 0 ? plan.get().kernel() : plan.get().initrds().get(file.initrd());
            try {
                return Optional.of(TftpFile.of(FileChannel.open(bootFile.fetch(), StandardOpenOption.READ)));
            } catch (IOException e) {
                throw new TftpRefusal(TftpError.NOT_DEFINED, "cannot read " + bootFile.source() + " for '" + name + "': " + e.getMessage());
            }
        } catch (BootPlanException e) {
            throw new TftpRefusal(TftpError.NOT_DEFINED, "no boot plan for '" + name + "': " + e.getMessage());
        }
    }

    private static TftpFile text(String content) {
        return TftpFile.of(content.getBytes(StandardCharsets.UTF_8));
    }
}
