package org.bootferry.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bootferry completion}: a bash completion script generated from the commands themselves. */
@Command(name = "completion",
        description = "Print a bash completion script. Use: source <(bootferry completion), or save it as"
                + " /etc/bash_completion.d/bootferry.")
final class CompletionCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        System.out.print(AutoComplete.bash("bootferry", spec.root().commandLine()));
    }
}
