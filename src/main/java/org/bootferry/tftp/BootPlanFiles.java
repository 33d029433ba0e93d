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
import org.bootferry.boot.BootUrls;
import org.bootferry.boot.Booter;
import org.bootferry.boot.LoaderConfig;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Machine;

/**
 * The per-machine files of loaders that only speak TFTP: pxelinux and GRUB configs and the kernel
 * and initrds they load, answered from the machine's {@link BootPlan} — the same plan the iPXE
 * script and the HTTP boot files come from. {@link BootUrls} names them and {@link LoaderConfig}
 * renders the configs; this only maps a TFTP request onto them. Names of unknown machines are left to the next source.
 */
public final class BootPlanFiles implements TftpFiles {

    private final Booter planner;

    public BootPlanFiles(Booter planner) {
        this.planner = planner;
    }

    @Override
    public Optional<TftpFile> open(String name, InetSocketAddress client) throws TftpRefusal {
        Optional<BootUrls.Request> request = BootUrls.parseTftp(name);
        if (request.isEmpty()) {
            return Optional.empty();
        }
        try {
            BootUrls.Request r = request.get();
            if (r instanceof BootUrls.PxelinuxConfig pxelinux) {
                return planner.plan(Machine.of(pxelinux.mac(), Firmware.BIOS)).map(plan -> text(LoaderConfig.pxelinux(plan)));
            }
            if (r instanceof BootUrls.GrubConfig grub) {
                // An architecture the machine can't be planned for (an image without it) gets no
                // section; GRUB on it then says so instead of booting a foreign kernel.
                List<BootPlan> plans = new ArrayList<>();
                BootPlanException failure = null;
                for (Firmware firmware : LoaderConfig.GRUB_FIRMWARE) {
                    try {
                        planner.plan(Machine.of(grub.mac(), firmware)).ifPresent(plans::add);
                    } catch (BootPlanException e) {
                        failure = failure == null ? e : failure;
                    }
                }
                if (plans.isEmpty() && failure != null) {
                    throw failure;
                }
                return plans.isEmpty() ? Optional.empty() : Optional.of(text(LoaderConfig.grub(plans)));
            }
            BootUrls.BootFileRef file = (BootUrls.BootFileRef) r;
            Optional<BootPlan> plan = planner.plan(Machine.of(file.mac(), file.firmware()));
            if (plan.isEmpty() || file.initrd() >= plan.get().initrds().size()) {
                return Optional.empty();
            }
            BootFile bootFile = file.kernel() ? plan.get().kernel() : plan.get().initrds().get(file.initrd());
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
