package org.bootferry.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bootferry.server.CertificateAuthority;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bootferry ca}: the CA bootferry made for its HTTPS listener, for the firmware and clients
 * that are to trust it.
 */
@Command(name = "ca", description = "The CA bootferry makes for HTTPS (state/tls/ca.pem).",
        subcommands = CaCommand.Export.class)
final class CaCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: export");
    }

    /** {@code bootferry ca export}: the CA certificate on standard output. */
    @Command(name = "export", description = "Print the CA certificate that signs bootferry's HTTPS certificate:"
            + " PEM (curl --cacert, a distribution's trust store), or as an EFI_SIGNATURE_LIST for OVMF"
            + " (-fw_cfg name=etc/edk2/https/cacerts,file=FILE) and firmware that enrolls one.")
    static final class Export implements Callable<Integer> {

        /** The forms the certificate is printed in. */
        enum Format { pem, efi }

        @Mixin
        ConfigOption config;

        @Mixin
        StateOption state;

        @Option(names = "--format", paramLabel = "pem|efi", defaultValue = "pem",
                description = "pem (default) or efi: an EFI_SIGNATURE_LIST (binary; redirect it to a file).")
        Format format;

        @Override
        public Integer call() {
            Path dir = config.load(state.overrides()).snapshot().settings().state();
            CertificateAuthority ca;
            try {
                ca = CertificateAuthority.open(dir);
            } catch (IOException e) {
                System.err.println("bootferry: " + e.getMessage());
                return ExitCodes.FAILED;
            }
            PrintStream out = System.out;
            if (format == Format.efi) {
                out.writeBytes(ca.certificateEfiSignatureList());
            } else {
                out.writeBytes(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            return 0;
        }
    }
}
