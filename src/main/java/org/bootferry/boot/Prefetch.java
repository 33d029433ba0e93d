package org.bootferry.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.image.Descriptor;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.PullListener;
import org.bootferry.image.PullPolicy;
import org.bootferry.lang.Throttle;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls, in the background, the images that machine files name ({@code kernelBoot.container}) as soon
 * as a file is added or changed (its profiles' effect included), so that the machine's first boot finds
 * its kernel and initrd in the cache. Pulls go through the resolver's single flight: a boot that comes
 * while one runs joins it. At most {@code images.prefetchPulls} run at once; the rest wait in order.
 *
 * <p>A machine's image depends on its firmware's architecture, known only when it boots. The platforms
 * pulled are those the file implies ({@link #firmwares}). A failed pull is logged (once a minute per
 * image) and reported as a {@code failed} event of the file's MAC; the machine's next boot pulls again.
 * Removing or changing a file cancels nothing: a pull in flight finishes into the cache. An image with
 * {@code imagePullPolicy: Never} is left to {@code bootferry pull}.
 */
final class Prefetch {

    private static final Logger log = LoggerFactory.getLogger(Prefetch.class);

    /** One pull wanted: for a file (its MAC, when it names one) and the log its failure is reported to. */
    private record Wanted(ImageRequest request, Optional<MacAddress> mac, Path file, BootLog events) {
    }

    private enum Phase { QUEUED, PULLING, DONE, FAILED }

    /**
     * Where one request's background pull is.
     *
     * @param received bytes of the layers read so far, while pulling
     * @param size     their sizes, while pulling; 0 while no layer is known yet
     * @param reason   why it failed, when it did
     */
    private record State(Phase phase, long received, long size, String reason) {
        static final State QUEUED = new State(Phase.QUEUED, 0, 0, "");
        static final State PULLING = new State(Phase.PULLING, 0, 0, "");
        static final State DONE = new State(Phase.DONE, 0, 0, "");

        boolean waiting() {
            return phase == Phase.QUEUED || phase == Phase.PULLING;
        }

        String describe() {
            return switch (phase) {
                case QUEUED -> "queued";
                // No layer known yet: the manifests are being read, or a boot's pull was joined, whose
                // progress only that boot's listener hears.
                case PULLING -> size > 0 ? "pulling " + received + " of " + size + " bytes" : "pulling";
                case DONE -> "done";
                case FAILED -> "failed: " + reason;
            };
        }
    }

    /** A pull through the server's one resolver (its single flight), counted as boots' pulls are. */
    private final BiFunction<ImageRequest, PullListener, CompletableFuture<ImageBootFiles>> pull;
    private final Map<ImageRequest, State> states = new ConcurrentHashMap<>();
    private final Throttle<String> failures = new Throttle<>(Duration.ofMinutes(1), 1024);
    /** Guarded by this: the pulls waiting for a slot, how many run, what each file asked for last. */
    private final Deque<Wanted> queue = new ArrayDeque<>();
    private int running;
    private int limit = 1;
    private Map<Path, Seen> seen = Map.of();

    /** A file's resolved content (its profiles applied) when last seen, and the requests it implied then. */
    private record Seen(MachineConfig config, List<ImageRequest> requests) {
    }

    Prefetch(BiFunction<ImageRequest, PullListener, CompletableFuture<ImageBootFiles>> pull) {
        this.pull = pull;
    }

    /**
     * Queues the pulls of the files that are new or changed since the last snapshot seen (all of them
     * on the first), takes the snapshot's {@code images.prefetchPulls} as the limit from now on, and
     * forgets the state of requests no file implies any more (a pull in flight finishes all the same).
     *
     * @param events  told of a failed pull, under the file's MAC
     * @param history the machines' past boots: the firmware a MAC booted with before
     */
    synchronized void changed(ConfigSnapshot snapshot, BootLog events, BootHistory history) {
        ResolvedConfig config = new ResolvedConfig(snapshot);
        limit = snapshot.settings().images().prefetchPulls();
        Map<Path, Seen> now = new HashMap<>();
        Stream.concat(Stream.concat(snapshot.machines().values().stream(), snapshot.rules().files().stream()),
                snapshot.defaultMachine().stream()).distinct().forEach(file -> {
                    MachineConfig c = config.resolve(file);
                    Seen before = seen.get(file.file());
                    now.put(file.file(), before != null && before.config().equals(c) ? before
                            : new Seen(c, queue(snapshot, file, c, events, history)));
                });
        seen = Map.copyOf(now);
        Set<ImageRequest> implied = new HashSet<>();
        seen.values().forEach(s -> implied.addAll(s.requests()));
        states.keySet().retainAll(implied);
        startWhatFits();
    }

    /** Queues the pulls a new or changed file implies (unless one of the same is queued or running): its requests. */
    private List<ImageRequest> queue(ConfigSnapshot snapshot, MachineFile file, MachineConfig c, BootLog events,
            BootHistory history) {
        if (c.kernelBoot() == null || c.kernelBoot().container() == null) {
            return List.of();
        }
        List<ImageRequest> requests = new ArrayList<>();
        for (Firmware firmware : firmwares(file, history)) {
            ImageRequest request;
            try {
                request = ContainerBoot.request(snapshot, file, c.kernelBoot().container(), firmware);
            } catch (BootPlanException e) { // a reference or policy the config check refused: nothing to pull
                log.warn("no prefetch for {}: {}", file.file(), e.getMessage());
                continue;
            }
            if (request.pullPolicy() == PullPolicy.NEVER) { // boots only what 'bootferry pull' put in the cache
                continue;
            }
            requests.add(request);
            State state = states.get(request);
            if (state == null || !state.waiting()) {
                states.put(request, State.QUEUED);
                queue.add(new Wanted(request, file.mac(), file.file(), events));
            }
        }
        return requests;
    }

    /**
     * The firmwares whose images a file implies, one per architecture: its {@code match.arch}; else
     * the firmware its MAC last booted with (the journal's latest DHCP offer); else BIOS, i.e.
     * linux/amd64. A VM spec's {@code spec.architecture} is not read into a machine file, so a VM spec
     * gets the same choice as any file.
     */
    static List<Firmware> firmwares(MachineFile file, BootHistory history) {
        MachineConfig.Match match = file.config().match();
        if (match != null && match.arch() != null) {
            return Firmware.byId(match.arch()).stream().toList();
        }
        Optional<Firmware> before = file.mac().flatMap(mac -> history.lastBoot(mac).stream()
                .filter(e -> e.stage() == BootEvent.Stage.DHCP_OFFER)
                .reduce((first, second) -> second)
                .flatMap(e -> Firmware.byId(e.detail().split(" ", 2)[0])));
        return List.of(before.orElse(Firmware.BIOS));
    }

    /** Where the background pull of this request is, if one was started: queued, pulling, done or failed. */
    Optional<String> state(ImageRequest request) {
        return Optional.ofNullable(states.get(request)).map(State::describe);
    }

    /** A pull of this request (a boot's, say) has its files: a prefetch that failed before is done now. */
    void pulled(ImageRequest request) {
        states.computeIfPresent(request, (r, state) -> state.phase() == Phase.FAILED ? State.DONE : state);
    }

    private synchronized void startWhatFits() {
        while (running < limit && !queue.isEmpty()) {
            Wanted next = queue.poll();
            running++;
            states.put(next.request(), State.PULLING);
            pull.apply(next.request(), progress(next.request()))
                    .whenComplete((files, failure) -> finished(next, failure));
        }
    }

    private void finished(Wanted wanted, Throwable failure) {
        if (failure == null) {
            states.put(wanted.request(), State.DONE);
        } else {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            states.put(wanted.request(), new State(Phase.FAILED, 0, 0, reason));
            String what = "prefetch of image " + wanted.request().image() + " for " + wanted.request().platform()
                    + " (" + wanted.file() + ") failed: " + reason + "; the machine's next boot pulls it again";
            Throttle.Verdict verdict = failures.occurred(wanted.request().image());
            if (verdict.write()) {
                log.warn("{}{}", what, verdict.note());
            }
            wanted.mac().ifPresent(mac -> wanted.events().record(BootEvent.now(mac, BootEvent.Stage.FAILED, what)));
        }
        synchronized (this) {
            running--;
        }
        startWhatFits();
    }

    /** Bytes received of the layers read so far, against their sizes, as the pull reports them. */
    private PullListener progress(ImageRequest request) {
        Map<Descriptor, Long> received = new LinkedHashMap<>();
        Map<Descriptor, Long> layers = new LinkedHashMap<>();
        return new PullListener() {
            @Override
            public void layerStarted(int index, int count, Descriptor layer) {
                update(() -> layers.put(layer, layer.size()));
            }

            @Override
            public void progress(Descriptor blob, long bytes) {
                update(() -> {
                    if (layers.containsKey(blob)) { // not the manifests and the config, which have no size told ahead
                        received.merge(blob, bytes, Math::max);
                    }
                });
            }

            private synchronized void update(Runnable change) {
                change.run();
                states.put(request, new State(Phase.PULLING, received.values().stream().mapToLong(Long::longValue).sum(),
                        layers.values().stream().mapToLong(Long::longValue).sum(), ""));
            }
        };
    }
}
