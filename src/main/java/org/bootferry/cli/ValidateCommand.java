package org.bootferry.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bootferry validate}: every file checked, one {@code file:line: message} per problem. */
@Command(name = "validate", description = "Check every config file; print file:line: message per problem.")
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        ConfigOption.Loaded loaded = config.load(Map.of());
        loaded.errors().forEach(System.out::println);
        if (!loaded.errors().isEmpty()) {
            System.out.println(loaded.errors().size() + " error(s) in " + config.dir);
            return 1;
        }
        var s = loaded.snapshot();
        System.out.println(config.dir + ": OK (" + s.machines().size() + " machines"
                + (s.defaultMachine().isPresent() ? " + default" : "") + ", " + s.profiles().size() + " profiles, "
                + s.templates().size() + " templates)");
        return 0;
    }
}
