package org.bootferry.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Linux network namespace a test owns: its links and addresses exist nowhere else, so a test can
 * run DHCP servers and PXE clients without touching the host's network. Creating one first removes a
 * leftover of the same name (a crashed earlier run), including the processes still running in it;
 * names carry the test's prefix, so everything in such a namespace is ours.
 */
public final class NetNamespace implements AutoCloseable {

    private final String name;

    private NetNamespace(String name) {
        this.name = name;
    }

    public static NetNamespace create(String name) {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        remove(name);
        Processes.check("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name);
        ns.run("ip", "link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    /** {@code command} prefixed so that it runs inside this namespace. */
    public List<String> exec(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    public List<String> exec(String... command) {
        return exec(List.of(command));
    }

    /**
     * {@code command} prefixed so that it runs in this namespace's network only. {@link #exec} (ip
     * netns exec) also gives the command a mount namespace of its own, in which the mounts that a
     * container engine makes for a container it starts would stay, out of sight of its later calls.
     */
    public List<String> enter(List<String> command) {
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + name));
        full.addAll(command);
        return full;
    }

    /** Runs a short command inside the namespace, failing the test if it fails. */
    public String run(String... command) {
        return Processes.check(exec(command));
    }

    /** Until the interface's link-local address has passed DAD (is no longer tentative, RFC 4862 §5.4). */
    public void awaitLinkLocal(String iface) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String addr = run("ip", "-6", "addr", "show", "dev", iface, "scope", "link");
            if (addr.contains("inet6 fe80") && !addr.contains("tentative")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(iface + " in " + name + " has no usable link-local address after 10 s");
    }

    @Override
    public void close() {
        remove(name);
    }

    /** Kills the processes left in namespace {@code name} (by pid) and deletes it; fine if it doesn't exist. */
    public static void remove(String name) {
        Processes.Result pids = Processes.run(List.of("ip", "netns", "pids", name), 30);
        if (pids.exit() == 0) {
            for (String pid : pids.text().trim().split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(NetNamespace::kill);
                }
            }
            Processes.run(List.of("ip", "netns", "del", name), 30);
        }
    }

    private static void kill(ProcessHandle process) {
        process.destroyForcibly();
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Still dying: deleting the namespace's name doesn't need it gone.
        }
    }
}
