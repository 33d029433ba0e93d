package org.bootferry.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Assumptions;

/**
 * The README's Kubernetes commands, run in a copy of the checkout without a cluster: each kubectl
 * command becomes what it would send to the API server ({@code apply -k} is rendered by kubectl's
 * own kustomize, {@code create secret} by a client-side dry run), a node label is remembered, and
 * every other line (cp, echo) runs in a shell in the copy, as a reader would run it.
 */
final class OfflineKubectl {

    private final Path checkout;
    private final Path kubectl;
    /** What the cluster would hold, by kind, namespace and name: a later apply replaces an object. */
    private final Map<String, JsonNode> objects = new LinkedHashMap<>();
    private final Map<String, String> nodeLabels = new LinkedHashMap<>();

    OfflineKubectl(Path checkout) {
        this.checkout = checkout;
        this.kubectl = requireKubectl();
    }

    /**
     * kubectl with a kustomize that takes a directory as a resource (v3 on; kubectl 1.21 on). This
     * kind of machine comes with one (Google's package, kustomize v5); Debian's kubernetes-client is
     * kubectl 1.20 with kustomize v2.0.3, too old, so none is installed here: without a usable one the
     * test fails under CI and is skipped elsewhere, as {@link Tools#require} does.
     */
    private static Path requireKubectl() {
        Processes.Result version = Processes.run(List.of("sh", "-c", "kubectl version --client 2>&1 || true"), 60);
        Matcher kustomize = Pattern.compile("Kustomize Version: v(\\d+)").matcher(version.text());
        String why = "kubectl 1.21 or newer (kustomize v3 or newer) is needed: " + version.text().strip();
        boolean usable = kustomize.find() && Integer.parseInt(kustomize.group(1)) >= 3;
        if (!usable && Tools.ci()) {
            throw new AssertionError(why);
        }
        Assumptions.assumeTrue(usable, why);
        return Path.of("kubectl");
    }

    /**
     * The commands of the README's indented code block that starts with {@code firstLine}, one per
     * line ({@code \} joins lines).
     */
    static List<String> readmeBlock(Path readme, String firstLine) throws IOException {
        Matcher block = Pattern.compile("(?m)^    " + Pattern.quote(firstLine) + "\\n(?:    .*\\n)*")
                .matcher(Files.readString(readme));
        if (!block.find()) {
            throw new AssertionError("README has no command block starting with: " + firstLine);
        }
        String text = block.group().replaceAll("(?m)^    ", "").replace("\\\n", " ");
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    void run(String line) {
        List<String> words = List.of(line.split("\\s+"));
        if (!words.get(0).equals("kubectl")) {
            Processes.Result r = Processes.run(List.of("sh", "-c", "cd '" + checkout + "' && " + line), 60);
            if (r.exit() != 0) {
                throw new AssertionError("`" + line + "` exited " + r.exit() + ": " + r.stderr());
            }
            return;
        }
        String namespace = null;
        List<String> args = new ArrayList<>(words.subList(1, words.size()));
        if (args.get(0).equals("-n")) {
            namespace = args.get(1);
            args = args.subList(2, args.size());
        }
        String verb = String.join(" ", args.subList(0, Math.min(2, args.size())));
        switch (verb) {
            case "label node" -> {
                String[] label = args.get(3).split("=", 2);
                nodeLabels.put(label[0], label[1]);
            }
            case "apply -k" -> add(kubectl("kustomize", args.get(2)));
            case "apply -f" -> {
                try {
                    add(Files.readString(checkout.resolve(args.get(2))));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case "create secret" -> {
                List<String> dryRun = new ArrayList<>(namespace == null ? List.of() : List.of("-n", namespace));
                dryRun.addAll(args);
                dryRun.addAll(List.of("--dry-run=client", "-o", "yaml"));
                add(kubectl(dryRun.toArray(String[]::new)));
            }
            default -> throw new AssertionError("no offline meaning for: " + line);
        }
    }

    private String kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(kubectl.toString()));
        command.addAll(Arrays.asList(args));
        // No kubeconfig: nothing here may reach for a cluster.
        Processes.Result r = Processes.run(List.of("sh", "-c", "cd '" + checkout + "' && KUBECONFIG=/dev/null "
                + String.join(" ", command.stream().map(a -> "'" + a + "'").toList())), 120);
        if (r.exit() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exit() + ": " + r.stderr());
        }
        return r.text();
    }

    private void add(String yaml) {
        for (JsonNode object : KubernetesTypes.documents(yaml)) {
            JsonNode metadata = object.path("metadata");
            objects.put(KubernetesTypes.kind(object) + " " + metadata.path("namespace").asText() + "/"
                    + metadata.path("name").asText(), object);
        }
    }

    /** Every object the commands would have made, in the order first made. */
    List<JsonNode> objects() {
        return List.copyOf(objects.values());
    }

    /** The one object of that kind and name; an AssertionError when there is none. */
    JsonNode object(String kind, String name) {
        return objects.values().stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name + " among " + objects.keySet()));
    }

    Map<String, String> nodeLabels() {
        return Map.copyOf(nodeLabels);
    }
}
