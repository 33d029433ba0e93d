package org.bootferry.tftp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.bootferry.boot.BootFile;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.BootUrls;
import org.bootferry.boot.Booter;
import org.bootferry.machine.Machine;

/**
 * The per-machine files of stock loaders over TFTP: pxelinux and GRUB configs, in whatever directory
 * the loader asks, and the kernel and initrds they load, answered from the machine's {@link BootPlan}
 * — the same plan the iPXE script and the HTTP boot files come from. {@link BootUrls} names them and
 * {@link Booter#loaderConfig} renders the configs; this only maps a TFTP request onto them. Names of
 * machines that have no boot of their own here are left to the next source: the tftproot's files.
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
            if (request.get() instanceof BootUrls.LoaderConfigFile config) {
                return planner.loaderConfig(config, Optional.empty())
                        .map(text -> TftpFile.of(text.getBytes(StandardCharsets.UTF_8)));
            }
            BootUrls.BootFileRef file = (BootUrls.BootFileRef) request.get();
            Optional<BootPlan> plan = planner.plan(Machine.of(file.mac(), file.firmware()));
            Optional<BootFile> bootFile = plan.flatMap(p -> file.kernel() ? p.kernel()
                    : file.initrd() < p.initrds().size() ? Optional.of(p.initrds().get(file.initrd())) : Optional.empty());
            if (bootFile.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(TftpFile.of(FileChannel.open(bootFile.get().fetch(), StandardOpenOption.READ)));
            } catch (IOException e) {
                throw new TftpRefusal(TftpError.NOT_DEFINED, "cannot read " + bootFile.get().source() + " for '" + name
                        + "': " + e.getMessage());
            }
        } catch (BootPlanException e) {
            throw new TftpRefusal(TftpError.NOT_DEFINED, "no boot plan for '" + name + "': " + e.getMessage());
        }
    }
}
