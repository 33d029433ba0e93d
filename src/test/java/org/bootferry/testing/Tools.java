package org.bootferry.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Real tools for tests: a test names the command it runs and the Debian package that provides it.
 * Missing tools are installed with apt-get when we are root; when that is impossible the test fails
 * under CI (CI=true) and is skipped elsewhere, so CI never passes on a skipped check.
 */
public final class Tools {

    private static boolean aptUpdated;

    private Tools() {
    }

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Makes sure {@code command} is on the PATH (or is an absolute path that exists), installing {@code debianPackage} if needed. */
    public static synchronized Path require(String command, String debianPackage) {
        Path found = find(command);
        if (found == null && root()) {
            install(debianPackage);
            found = find(command);
        }
        String why = command + " is missing (Debian package " + debianPackage + "; run the README's test command as root)";
        if (found == null && ci()) {
            throw new AssertionError(why);
        }
        assumeTrue(found != null, why);
        return found;
    }

    /** Makes sure a file from a package exists (e.g. /usr/lib/ipxe/undionly.kpxe from ipxe). */
    public static synchronized Path requireFile(Path file, String debianPackage) {
        if (!Files.exists(file) && root()) {
            install(debianPackage);
        }
        String why = file + " is missing (Debian package " + debianPackage + ")";
        if (!Files.exists(file) && ci()) {
            throw new AssertionError(why);
        }
        assumeTrue(Files.exists(file), why);
        return file;
    }

    /** Tests that need root (namespaces, raw ports) call this first. */
    public static void requireRoot() {
        String why = "needs root for network namespaces";
        if (!root() && ci()) {
            throw new AssertionError(why);
        }
        assumeTrue(root(), why);
    }

    private static Path find(String command) {
        if (command.startsWith("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? p : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void install(String debianPackage) {
        if (!aptUpdated) {
            run("apt-get", "update", "-qq");
            aptUpdated = true;
        }
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", debianPackage);
    }

    private static void run(String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
