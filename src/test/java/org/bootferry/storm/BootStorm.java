package org.bootferry.storm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bootferry.dhcp.DhcpMessage;
import org.bootferry.machine.MacAddress;

/**
 * The boot storm, not a test: N simulated UEFI PXE machines power on at once and each takes the
 * whole boot (ProxyDHCP DISCOVER and 4011 REQUEST, the loader over TFTP, the iPXE script, kernel,
 * initrd, kickstart, {@code POST /done}) from bootferry, then from the incumbents (dnsmasq + nginx)
 * on the same files, in the same run. Prints per-stage latency, failures, wall time, bytes, the
 * servers' peak RSS and CPU and the ratios, as a table and as JSON. Run by {@code bench/boot-storm.sh}
 * inside a network namespace of its own (ProxyDHCP answers go to port 68, TFTP listens on 69).
 *
 * <p>Usage: {@code BootStorm --clients N --dir DIR --jar bootferry.jar [--kernel-mib 10] [--initrd-mib 50]
 * [--kernel FILE --initrd FILE] [--image REF] [--ramp-seconds 10] [--targets bootferry,baseline] [--reload-storm]
 * [--server 127.0.0.1] [--relay ADDR --server-netns NS] [--json FILE] [--deadline-seconds 300] [--warmup M]}.
 * <ul>
 *   <li>{@code --kernel}/{@code --initrd}: these files instead of random bytes of the given sizes.</li>
 *   <li>{@code --image REF}: every machine file names this one OCI image, whose {@code /boot/vmlinuz}
 *       and {@code /boot/initrd.img} must be {@code --kernel} and {@code --initrd} (bootferry only).</li>
 *   <li>{@code --server}: the address the servers bind and advertise. Default loopback: one
 *       namespace, DISCOVERs broadcast as on the server's segment.</li>
 *   <li>{@code --relay ADDR --server-netns NS}: a routed storm. The generator's address is ADDR, the
 *       servers run in namespace NS and are reached through a router; DISCOVERs go there as a relay
 *       agent forwards them (giaddr ADDR, answers to ADDR:67).</li>
 *   <li>{@code --warmup M}: before the measured storm, M other machines boot from the same server the
 *       same way (not measured): a server that has run for a while, its JIT compiled, rather than one
 *       started for the storm. Each target gets the same warm-up.</li>
 * </ul>
 */
public final class BootStorm {

    private static final int BOOTFERRY_HTTP = 18080;
    private static final int BASELINE_HTTP = 18081;
    private static final int MAX_FAILURE_SAMPLES = 5;

    /** Everything one storm measured against one server. */
    static final class Run {
        final String target;
        /** How many machines this storm boots. */
        final int machines;
        final Map<Stage, ConcurrentLinkedQueue<Long>> latencies = new EnumMap<>(Stage.class);
        final Map<Stage, AtomicInteger> failures = new EnumMap<>(Stage.class);
        final Map<Stage, AtomicLong> bytes = new EnumMap<>(Stage.class);
        final Map<Stage, Map<String, Boolean>> failureSamples = new EnumMap<>(Stage.class);
        final AtomicInteger booted = new AtomicInteger();
        double wallSeconds;
        ProcStats before;
        ProcStats after;
        ProcStats generatorBefore;
        ProcStats generatorAfter;
        long hostBusyBefore;
        long hostBusyAfter;
        int reloads;

        Run(String target, int machines) {
            this.target = target;
            this.machines = machines;
            for (Stage s : Stage.values()) {
                latencies.put(s, new ConcurrentLinkedQueue<>());
                failures.put(s, new AtomicInteger());
                bytes.put(s, new AtomicLong());
                failureSamples.put(s, new ConcurrentHashMap<>());
            }
        }

        void failed(Stage stage, String message) {
            failures.get(stage).incrementAndGet();
            Map<String, Boolean> samples = failureSamples.get(stage);
            if (samples.size() < MAX_FAILURE_SAMPLES) {
                samples.putIfAbsent(message, true);
            }
        }

        /** CPU the server's processes used during the storm. */
        ProcStats.Cpu serverCpu() {
            return after.cpuSince(before);
        }

        ProcStats.Cpu generatorCpu() {
            return generatorAfter.cpuSince(generatorBefore);
        }

        /** Time all cores spent busy during the storm, whoever used them. */
        double hostBusySeconds() {
            return ProcStats.seconds(hostBusyAfter - hostBusyBefore);
        }

        int failedTotal() {
            return failures.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        long bytesTotal() {
            return bytes.values().stream().mapToLong(AtomicLong::get).sum();
        }

        double percentileMillis(Stage stage, double p) {
            long[] sorted = latencies.get(stage).stream().mapToLong(Long::longValue).sorted().toArray();
            if (sorted.length == 0) {
                return Double.NaN;
            }
            return sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * p))] / 1e6;
        }
    }

    private BootStorm() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        int clients = Integer.parseInt(opt.getOrDefault("clients", "100"));
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "0"));
        Path dir = Path.of(opt.getOrDefault("dir", "target/storm")).toAbsolutePath();
        Path jar = Path.of(opt.getOrDefault("jar", "target/bootferry.jar")).toAbsolutePath();
        long kernel = (long) (Double.parseDouble(opt.getOrDefault("kernel-mib", "10")) * (1 << 20));
        long initrd = (long) (Double.parseDouble(opt.getOrDefault("initrd-mib", "50")) * (1 << 20));
        Workload.Content kernelContent = opt.containsKey("kernel") ? new Workload.Content.FileCopy(Path.of(opt.get("kernel")))
                : new Workload.Content.RandomBytes(kernel, 2);
        Workload.Content initrdContent = opt.containsKey("initrd") ? new Workload.Content.FileCopy(Path.of(opt.get("initrd")))
                : new Workload.Content.RandomBytes(initrd, 3);
        Optional<String> image = Optional.ofNullable(opt.get("image"));
        if (image.isPresent() && !(kernelContent instanceof Workload.Content.FileCopy
                && initrdContent instanceof Workload.Content.FileCopy)) {
            throw new IllegalArgumentException("--image needs --kernel and --initrd: the files in the image, to check what arrives");
        }
        InetAddress serverAddress = InetAddress.getByName(opt.getOrDefault("server", "127.0.0.1"));
        Optional<Inet4Address> relay = Optional.ofNullable(opt.get("relay")).map(BootStorm::ipv4);
        Target.Host host = new Target.Host(serverAddress, Optional.ofNullable(opt.get("server-netns")));
        List<String> targets = List.of(opt.getOrDefault("targets", image.isPresent() ? "bootferry" : "bootferry,baseline").split(","));
        if (image.isPresent() && targets.contains("baseline")) {
            throw new IllegalArgumentException("--image: the baseline (dnsmasq + nginx) serves files, not images; use --targets bootferry");
        }
        boolean reloadStorm = opt.containsKey("reload-storm");
        int deadline = Integer.parseInt(opt.getOrDefault("deadline-seconds", "300"));
        double ramp = Double.parseDouble(opt.getOrDefault("ramp-seconds", "10"));
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+ExitOnOutOfMemoryError"));  // as systemd/bootferry.service runs it
        String javaOpts = System.getenv().getOrDefault("BOOTFERRY_JAVA_OPTS", "").trim();
        if (!javaOpts.isEmpty()) {
            java.addAll(Arrays.asList(javaOpts.split("\\s+")));
        }

        Workload w = Workload.prepare(dir, clients + warmup, kernelContent, initrdContent, image, serverAddress, relay, BOOTFERRY_HTTP,
                "http://" + serverAddress.getHostAddress() + ":" + BASELINE_HTTP);
        long kernelBytes = Files.size(w.files().resolve("vmlinuz"));
        long initrdBytes = Files.size(w.files().resolve("initrd.img"));
        System.out.printf(Locale.ROOT, "boot storm: %d clients powering on over %.0f s, kernel %.1f MiB, initrd %.1f MiB%s%s, "
                        + "server %s%s, workdir %s%n",
                clients, ramp, kernelBytes / 1048576.0, initrdBytes / 1048576.0,
                image.map(ref -> " from the uncached image " + ref).orElse(""), reloadStorm ? ", config reload storm" : "",
                serverAddress.getHostAddress(), relay.map(r -> " (routed; clients behind the relay " + r.getHostAddress() + ")")
                        .orElse(""), dir);
        if (image.isPresent()) {
            System.out.println("baseline: not run (dnsmasq + nginx serve files; they have no OCI images to pull)");
        }
        // The clients' own address: the relay's on a routed storm, else the server's loopback.
        Inet4Address local = relay.orElse(ipv4(serverAddress.getHostAddress()));
        List<Run> runs = new ArrayList<>();
        for (String name : targets) {
            Run run = new Run(name, clients);
            try (Target t = name.equals("bootferry") ? Target.bootferry(w, host, java, jar, BOOTFERRY_HTTP)
                    : relay.isPresent() ? Target.baseline(w, host, relay.get(), "255.255.255.255", BASELINE_HTTP)
                    : Target.baseline(w, host, ipv4("127.0.0.0"), "255.0.0.0", BASELINE_HTTP)) {
                if (warmup > 0) {
                    Run warm = new Run(name, warmup);
                    storm(w, t, warm, clients, local, relay.isPresent(), false, deadline, ramp);
                    System.out.printf(Locale.ROOT, "%s warm-up (not measured): %d of %d machines booted in %.1f s%n",
                            name, warm.booted.get(), warmup, warm.wallSeconds);
                }
                storm(w, t, run, 0, local, relay.isPresent(), reloadStorm && name.equals("bootferry"), deadline, ramp);
            }
            StormReport.print(run);
            runs.add(run);
        }
        Map<String, Object> report = StormReport.report(runs, opt, kernelBytes, initrdBytes);
        if (runs.size() == 2) {
            Run b = runs.get(0);
            Run i = runs.get(1);
            System.out.printf(Locale.ROOT, "%nratio %s/%s: wall %.2fx, peak RSS %.2fx, CPU %.2fx, failures %d vs %d%n",
                    b.target, i.target, b.wallSeconds / i.wallSeconds, b.after.peakRssMib() / i.after.peakRssMib(),
                    b.serverCpu().total() / i.serverCpu().total(), b.failedTotal(), i.failedTotal());
            StormReport.printStages(b, i);
        }
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        if (opt.containsKey("json")) {
            Files.writeString(Path.of(opt.get("json")), json + "\n");
            System.out.println("JSON: " + opt.get("json"));
        } else {
            System.out.println(json);
        }
        boolean failed = runs.stream().anyMatch(r -> r.failedTotal() > 0);
        System.exit(failed ? 1 : 0);
    }

    /**
     * Powers the clients on, evenly spread over {@code rampSeconds} (a rack's machines finish POST
     * seconds apart; 0 = all in the same millisecond), and waits until each has booted or stopped,
     * or the deadline passes.
     */
    /** Boots machines {@code first} to {@code first + run.machines - 1}, powering on over {@code rampSeconds}. */
    private static void storm(Workload w, Target target, Run run, int first, Inet4Address local, boolean relay,
            boolean reloadStorm, int deadlineSeconds, double rampSeconds) throws Exception {
        Stage[] current = new Stage[run.machines];
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(run.machines);
        AtomicBoolean over = new AtomicBoolean();
        try (DhcpClients dhcp = new DhcpClients(target.address, 67, 4011, local, relay)) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < run.machines; i++) {
                int slot = i;
                Thread t = new Thread(null, () -> {
                    try {
                        go.await();
                        Thread.sleep((long) (rampSeconds * 1000 * slot / run.machines));
                        boot(w, target, run, dhcp, local, first + slot, current, slot);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        finished.countDown();
                    }
                }, "client-" + i, 256 * 1024);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            Thread reloader = reloadStorm ? reloader(w, run, over) : null;
            run.before = ProcStats.of(target.pids());
            run.generatorBefore = ProcStats.self();
            run.hostBusyBefore = ProcStats.hostBusyTicks();
            long start = System.nanoTime();
            go.countDown();
            boolean all = finished.await(deadlineSeconds, TimeUnit.SECONDS);
            run.wallSeconds = (System.nanoTime() - start) / 1e9;
            run.after = ProcStats.of(target.pids());
            run.generatorAfter = ProcStats.self();
            run.hostBusyAfter = ProcStats.hostBusyTicks();
            over.set(true);
            if (reloader != null) {
                reloader.join();
            }
            if (!all) {
                for (int i = 0; i < run.machines; i++) {
                    Stage s = current[i];
                    if (s != null) {
                        run.failed(s, "still running at the deadline of " + deadlineSeconds + " s");
                    }
                }
            }
        }
    }

    /**
     * The admin (or config management) who edits machine files while the machines boot: rewrites a
     * random machine file every 20 ms (its content changes, its plan doesn't), for bootferry's
     * live reload to pick up while the storm runs.
     */
    private static Thread reloader(Workload w, Run run, AtomicBoolean over) {
        Thread t = new Thread(() -> {
            Random random = new Random(7);
            int generation = 0;
            while (!over.get()) {
                try {
                    w.writeMachine(random.nextInt(run.machines), ++generation);
                    run.reloads = generation;
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        }, "reload-storm");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One machine's boot; stops at the first stage that fails, as a machine does. */
    private static void boot(Workload w, Target target, Run run, DhcpClients dhcp, InetAddress local, int client,
            Stage[] current, int slot) throws InterruptedException {
        MacAddress mac = Workload.mac(client);
        Stage stage = Stage.DHCP;
        try {
            current[slot] = stage;
            long t0 = System.nanoTime();
            DhcpMessage offer = dhcp.discover(mac);
            t0 = done(run, stage, t0, 0);

            current[slot] = stage = Stage.PXE;
            DhcpMessage ack = dhcp.request(mac);
            t0 = done(run, stage, t0, 0);

            current[slot] = stage = Stage.TFTP;
            TftpFetch.Result loader = new TftpFetch(new InetSocketAddress(offer.siaddr(), 69), local, 1468, 4).fetch(ack.file());
            if (loader.crc() != w.loaderCrc || loader.bytes() != loader.tsize()) {
                throw new StageFailure("loader " + ack.file() + ": " + loader.bytes() + " bytes (tsize " + loader.tsize()
                        + "), CRC-32C differs from the file's: " + (loader.crc() != w.loaderCrc));
            }
            t0 = done(run, stage, t0, loader.bytes());

            // iPXE's own DISCOVER would name this URL (bootferry's plan.scriptUrl()); both servers serve it.
            current[slot] = stage = Stage.SCRIPT;
            URI server = URI.create("http://" + target.address.getHostAddress() + ":" + target.httpPort);
            HttpFetch.Result script = HttpFetch.get(server.resolve("/boot.ipxe?mac=" + mac));
            Script parsed = Script.parse(script.text());
            t0 = done(run, stage, t0, script.bytes());

            current[slot] = stage = Stage.KERNEL;
            t0 = done(run, stage, t0, expect(HttpFetch.get(parsed.kernel), w.kernelCrc, "kernel"));

            current[slot] = stage = Stage.INITRD;
            t0 = done(run, stage, t0, expect(HttpFetch.get(parsed.initrd), w.initrdCrc, "initrd"));

            current[slot] = stage = Stage.KICKSTART;
            HttpFetch.Result ks = HttpFetch.get(parsed.kickstart);
            if (!ks.text().contains("--hostname=" + Workload.hostname(client) + "\n")) {
                throw new StageFailure("kickstart of " + mac + " does not name " + Workload.hostname(client));
            }
            t0 = done(run, stage, t0, ks.bytes());

            current[slot] = stage = Stage.DONE;
            HttpFetch.Result recorded = HttpFetch.post(server.resolve("/done/" + mac.dashed()));
            done(run, stage, t0, recorded.bytes());
            run.booted.incrementAndGet();
        } catch (StageFailure e) {
            run.failed(stage, e.getMessage());
        } catch (RuntimeException e) {
            run.failed(stage, e.toString());
        } finally {
            current[slot] = null;
        }
    }

    private static long done(Run run, Stage stage, long started, long bytes) {
        long now = System.nanoTime();
        run.latencies.get(stage).add(now - started);
        run.bytes.get(stage).addAndGet(bytes);
        return now;
    }

    private static long expect(HttpFetch.Result r, int crc, String what) throws StageFailure {
        if (r.crc() != crc) {
            throw new StageFailure(what + ": " + r.bytes() + " bytes whose CRC-32C differs from the file's");
        }
        return r.bytes();
    }

    /** The URLs an iPXE script and the kernel command line in it name. */
    record Script(URI kernel, URI initrd, URI kickstart) {
        static Script parse(String text) throws StageFailure {
            URI kernel = null;
            URI initrd = null;
            URI kickstart = null;
            for (String line : text.split("\n")) {
                String[] words = line.trim().split("\\s+");
                if (words[0].equals("kernel") && words.length > 1) {
                    kernel = URI.create(words[1]);
                    for (String w : words) {
                        if (w.startsWith("inst.ks=")) {
                            kickstart = URI.create(w.substring("inst.ks=".length()));
                        }
                    }
                } else if (words[0].equals("initrd")) {
                    initrd = URI.create(words[words.length - 1]);
                }
            }
            if (kernel == null || initrd == null || kickstart == null) {
                throw new StageFailure("script without kernel, initrd or inst.ks=: " + text);
            }
            return new Script(kernel, initrd, kickstart);
        }
    }

    private static Inet4Address ipv4(String address) {
        try {
            if (InetAddress.getByName(address) instanceof Inet4Address v4) {
                return v4;
            }
        } catch (java.net.UnknownHostException e) {
            // reported below
        }
        throw new IllegalArgumentException("not an IPv4 address: " + address);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            opt.put(key, flag ? "true" : args[++i]);
        }
        return opt;
    }
}
