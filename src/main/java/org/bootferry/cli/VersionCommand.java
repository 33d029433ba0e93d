package org.bootferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/** {@code bootferry version}. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Runnable, CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"bootferry " + (version != null ? version : "(development build)")};
    }

    @Override
    public void run() {
        System.out.println(getVersion()[0]);
    }
}
