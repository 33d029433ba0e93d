package org.bootferry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.bootferry.config.VmSpecImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code bootferry import FILE…}: plain machine files from KubeVirt and Virtink VM specs. */
@Command(name = "import", description = "Write machines/<mac>.yaml for every VM of KubeVirt or Virtink VM specs, for"
        + " those who keep plain machine files (a spec under machines/ is read as it is, too).")
final class ImportCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "VM spec files (YAML, one or more documents each).")
    List<Path> specs;

    @Override
    public Integer call() throws IOException {
        int failed = 0;
        for (Path spec : specs) {
            try {
                VmSpecImport.Imported imported = VmSpecImport.importSpec(config.dir, spec);
                imported.warnings().forEach(w -> System.err.println("warning: " + w));
                for (Path file : imported.written()) {
                    System.out.println(spec + ": wrote " + file);
                }
                if (config.dir.resolve("machines").toAbsolutePath().normalize()
                        .equals(spec.toAbsolutePath().normalize().getParent())) {
                    System.out.println(spec + ": is itself a machine file in force: remove it, or each MAC has two files");
                }
            } catch (VmSpecImport.Refused e) {
                System.err.println("bootferry: " + e.getMessage());
                failed++;
            }
        }
        return failed == 0 ? 0 : ExitCodes.FAILED;
    }
}
