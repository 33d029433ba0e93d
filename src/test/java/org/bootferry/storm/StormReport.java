package org.bootferry.storm;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a boot storm prints: each target's stages as a table, the stages side by side, and the JSON report. */
final class StormReport {

    private StormReport() {
    }

    static void print(BootStorm.Run r) {
        ProcStats.Cpu server = r.serverCpu();
        ProcStats.Cpu generator = r.generatorCpu();
        System.out.printf(Locale.ROOT, "%n== %s: %d of %d booted, wall %.2f s, %.1f MiB sent, peak RSS %.0f MiB, CPU %.1f s%s%n",
                r.target, r.booted.get(), r.machines, r.wallSeconds, r.bytesTotal() / 1048576.0, r.after.peakRssMib(),
                server.total(), r.reloads > 0 ? ", " + r.reloads + " machine files rewritten" : "");
        System.out.printf(Locale.ROOT, "%-10s %8s %10s %10s %10s %9s %12s %10s%n", "stage", "done", "p50 ms", "p99 ms", "max ms",
                "failed", "MiB", "machine-s");
        for (Stage s : Stage.values()) {
            System.out.printf(Locale.ROOT, "%-10s %8d %10.1f %10.1f %10.1f %9d %12.1f %10.1f%n", s.id(), r.latencies.get(s).size(),
                    r.percentileMillis(s, 0.5), r.percentileMillis(s, 0.99), r.percentileMillis(s, 1.0),
                    r.failures.get(s).get(), r.bytes.get(s).get() / 1048576.0, machineSeconds(r, s));
        }
        double busy = r.hostBusySeconds();
        int cores = Runtime.getRuntime().availableProcessors();
        // User and system apart: the system part is the kernel's work for the bytes and datagrams, which
        // bounds how little CPU any server can take for the same storm.
        System.out.printf(Locale.ROOT, "cores busy %.0f %% of %d x wall (%.1f core-s): server %.1f s (user %.1f, system %.1f),"
                + " generator %.1f s (user %.1f, system %.1f), the rest %.1f s%n",
                100 * busy / (cores * r.wallSeconds), cores, busy, server.total(), server.user(), server.system(),
                generator.total(), generator.user(), generator.system(), busy - server.total() - generator.total());
        r.failureSamples.forEach((stage, samples) -> samples.keySet().stream().sorted()
                .forEach(m -> System.out.println("  failed " + stage.id() + ": " + m)));
    }

    static Map<String, Object> report(List<BootStorm.Run> runs, Map<String, String> opt, long kernel, long initrd) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("date", Instant.now().toString());
        report.put("clients", Integer.parseInt(opt.getOrDefault("clients", "100")));
        report.put("warmup", Integer.parseInt(opt.getOrDefault("warmup", "0")));
        report.put("rampSeconds", Double.parseDouble(opt.getOrDefault("ramp-seconds", "10")));
        report.put("kernelBytes", kernel);
        report.put("initrdBytes", initrd);
        report.put("options", opt);
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));
        Map<String, Object> results = new LinkedHashMap<>();
        for (BootStorm.Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("booted", r.booted.get());
            m.put("failed", r.failedTotal());
            m.put("wallSeconds", r.wallSeconds);
            m.put("bytes", r.bytesTotal());
            m.put("peakRssMiB", r.after.peakRssMib());
            ProcStats.Cpu server = r.serverCpu();
            ProcStats.Cpu generator = r.generatorCpu();
            m.put("cpuSeconds", server.total());
            m.put("cpuUserSeconds", server.user());
            m.put("cpuSystemSeconds", server.system());
            m.put("generatorCpuSeconds", generator.total());
            m.put("generatorCpuUserSeconds", generator.user());
            m.put("generatorCpuSystemSeconds", generator.system());
            m.put("hostBusyCoreSeconds", r.hostBusySeconds());
            m.put("configFilesRewritten", r.reloads);
            Map<String, Object> stages = new LinkedHashMap<>();
            for (Stage s : Stage.values()) {
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("done", r.latencies.get(s).size());
                st.put("failed", r.failures.get(s).get());
                st.put("p50Ms", r.percentileMillis(s, 0.5));
                st.put("p99Ms", r.percentileMillis(s, 0.99));
                st.put("maxMs", r.percentileMillis(s, 1.0));
                st.put("bytes", r.bytes.get(s).get());
                st.put("machineSeconds", machineSeconds(r, s));
                stages.put(s.id(), st);
            }
            m.put("stages", stages);
            Map<String, Object> samples = new LinkedHashMap<>();
            r.failureSamples.forEach((stage, messages) -> {
                if (!messages.isEmpty()) {
                    samples.put(stage.id(), messages.keySet().stream().sorted().toList());
                }
            });
            m.put("failureSamples", samples);
            results.put(r.target, m);
        }
        report.put("results", results);
        if (runs.size() == 2) {
            BootStorm.Run b = runs.get(0);
            BootStorm.Run i = runs.get(1);
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("of", b.target + "/" + i.target);
            ratio.put("wall", b.wallSeconds / i.wallSeconds);
            ratio.put("peakRss", b.after.peakRssMib() / i.after.peakRssMib());
            ratio.put("cpu", b.serverCpu().total() / i.serverCpu().total());
            report.put("ratio", ratio);
        }
        return report;
    }

    /**
     * Where each target's time goes, stage by stage, side by side: p50 and p99, and the machine-seconds
     * spent in the stage (the sum of its latencies over the machines that finished it) with the ratio
     * of those sums.
     */
    static void printStages(BootStorm.Run b, BootStorm.Run i) {
        System.out.printf(Locale.ROOT, "%nper stage, %s vs %s: p50 ms, p99 ms, machine-seconds (ratio)%n", b.target, i.target);
        for (Stage s : Stage.values()) {
            double mine = machineSeconds(b, s);
            double theirs = machineSeconds(i, s);
            System.out.printf(Locale.ROOT, "%-10s %10.1f vs %-10.1f %10.1f vs %-10.1f %9.1f vs %-9.1f (%.2fx)%n", s.id(),
                    b.percentileMillis(s, 0.5), i.percentileMillis(s, 0.5), b.percentileMillis(s, 0.99),
                    i.percentileMillis(s, 0.99), mine, theirs, mine / theirs);
        }
    }

    /** Seconds the machines that finished {@code stage} spent in it, summed. */
    static double machineSeconds(BootStorm.Run r, Stage stage) {
        return r.latencies.get(stage).stream().mapToLong(Long::longValue).sum() / 1e9;
    }
}
