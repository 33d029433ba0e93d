package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretProjection;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bootferry.image.Credentials;
import org.bootferry.image.DockerConfigCredentials;
import org.bootferry.journal.StateDirectory;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.Processes;
import org.bootferry.testing.ServerProcess;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes as the README installs it, checked without a cluster: the README's commands run
 * offline ({@link OfflineKubectl}), every object they make is read strictly as its Kubernetes type
 * ({@link KubernetesTypes}), the pod spec holds together the way the API server's validation wants,
 * and the container's own command, environment, volumes ({@link PodRoot}), ports and probes are
 * exercised against the server in a network namespace. The quick start's KubeVirt VM boots the
 * machine file its MAC names.
 */
class KubernetesDeployTest {

    private static final Path README = Path.of("README.md");
    private static final String NODE_IP = "192.0.2.10";
    private static final String QUICK_START_MAC = "52:54:00:12:34:56";

    @TempDir
    static Path tmp;
    static Path checkout;
    static OfflineKubectl kubectl;
    static List<String> install;
    static List<String> quickStart;

    /** A copy of the checkout with the README's install commands, then its KubeVirt quick start, run in it. */
    @BeforeAll
    static void runTheReadme() throws IOException {
        checkout = tmp.resolve("checkout");
        Files.createDirectories(checkout);
        for (String path : List.of("README.md", "Dockerfile", "config", "deploy", "tftproot")) {
            Processes.check("cp", "-r", path, checkout.resolve(path).toString());
        }
        kubectl = new OfflineKubectl(checkout);
        install = OfflineKubectl.readmeBlock(README, "kubectl label node NODE bootferry.io/boot-network=true");
        quickStart = OfflineKubectl.readmeBlock(README, "cp config/examples/52-54-00-12-34-56.yaml config/machines/");
        install.forEach(kubectl::run);
        quickStart.forEach(kubectl::run);
    }

    private static DaemonSet daemonSet() {
        return KubernetesTypes.read(kubectl.object("DaemonSet", "bootferry"), DaemonSet.class);
    }

    private static Container container(PodSpec pod) {
        assertThat(pod.getContainers()).hasSize(1);
        return pod.getContainers().get(0);
    }

    @Test
    void everyObjectIsItsKubernetesTypeWithNoFieldItDoesNotKnow() {
        List<String> kinds = new ArrayList<>();
        for (JsonNode object : kubectl.objects()) {
            if (KubernetesTypes.known(object)) {
                kinds.add(KubernetesTypes.read(object).getKind());
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder("Namespace", "ConfigMap", "ConfigMap", "ConfigMap", "ConfigMap",
                "DaemonSet", "Secret");
        // The rest is the quick start's VM and its network, read in their own test.
        assertThat(kubectl.objects()).filteredOn(o -> !KubernetesTypes.known(o)).extracting(KubernetesTypes::kind)
                .containsExactlyInAnyOrder("kubevirt.io/v1/VirtualMachine", "k8s.cni.cncf.io/v1/NetworkAttachmentDefinition");
    }

    /** What the API server's validation and the kubelet would refuse, and what the README promises of the pod. */
    @Test
    void thePodSpecHoldsTogether() throws IOException {
        DaemonSet daemonSet = daemonSet();
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container container = container(pod);
        // apps/v1: the selector must match the template's labels.
        assertThat(daemonSet.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(daemonSet.getSpec().getSelector().getMatchLabels());
        assertThat(pod.getNodeSelector()).isEqualTo(kubectl.nodeLabels());
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");

        Set<String> volumes = pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        for (Container c : Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList()) {
            assertThat(c.getVolumeMounts()).extracting(VolumeMount::getName).allSatisfy(n -> assertThat(volumes).contains(n));
            assertThat(c.getVolumeMounts()).extracting(VolumeMount::getMountPath).doesNotHaveDuplicates();
            assertThat(c.getImage()).as("every container runs the image the kustomization names")
                    .isEqualTo(container.getImage()).startsWith("registry.example.org/bootferry:");
        }
        assertThat(container.getImage()).endsWith(":" + projectVersion());

        // Non-root, NET_BIND_SERVICE alone, nothing written but the volumes.
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        // The image's own user (Dockerfile USER), whose java carries the file capability.
        Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(Files.readString(Path.of("Dockerfile")));
        assertThat(user.find()).as("the Dockerfile's USER uid:gid").isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.parseLong(user.group(1)));
        assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(Long.parseLong(user.group(2)));
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("setcap cap_net_bind_service=+ep");
        SecurityContext security = container.getSecurityContext();
        assertThat(security.getRunAsUser()).isNull();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).containsExactly("NET_BIND_SERVICE");
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getPrivileged()).isNull();
        Container owner = pod.getInitContainers().get(0);
        assertThat(owner.getSecurityContext().getCapabilities().getAdd()).containsExactly("CHOWN");
        assertThat(owner.getCommand()).containsExactly("chown", pod.getSecurityContext().getRunAsUser() + ":"
                + pod.getSecurityContext().getRunAsGroup(), "/var/lib/bootferry", "/var/cache/bootferry");

        // Probes name ports the container declares (IANA service names: at most 15 characters).
        Map<String, Integer> ports = ports(container);
        assertThat(ports.keySet()).allSatisfy(n -> assertThat(n).hasSizeLessThanOrEqualTo(15));
        for (HTTPGetAction probe : List.of(container.getLivenessProbe().getHttpGet(), container.getReadinessProbe().getHttpGet())) {
            assertThat(ports).containsKey(probe.getPort().getStrVal());
        }
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");

        // The registry credentials: the Secret the README makes, as secrets/NAME.json.
        Secret secret = KubernetesTypes.read(kubectl.object("Secret", "registry-creds"), Secret.class);
        assertThat(secret.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo(daemonSet.getMetadata().getNamespace());
        SecretProjection projection = pod.getVolumes().stream().filter(v -> v.getName().equals("secrets")).findFirst().orElseThrow()
                .getProjected().getSources().get(0).getSecret();
        assertThat(projection.getName()).isEqualTo(secret.getMetadata().getName());
        assertThat(projection.getItems()).singleElement().satisfies(item -> {
            assertThat(secret.getData()).containsKey(item.getKey());
            assertThat(item.getPath()).isEqualTo(secret.getMetadata().getName() + ".json");
        });
    }

    /**
     * The container's command with its environment and volumes, on the ports it declares, in a
     * network namespace of its own (the node's network, as hostNetwork gives it): it starts, its
     * probes answer 200, and it uses the directories and the Secret the manifest hands it.
     */
    @Test
    void theContainerServesWhatItsManifestSays() throws Exception {
        DaemonSet daemonSet = daemonSet();
        PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        Container container = container(pod);
        Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
        Map<String, Secret> secrets = new LinkedHashMap<>();
        for (JsonNode object : kubectl.objects()) {
            switch (object.path("kind").asText()) {
                case "ConfigMap" -> configMaps.put(object.path("metadata").path("name").asText(),
                        KubernetesTypes.read(object, ConfigMap.class));
                case "Secret" -> secrets.put(object.path("metadata").path("name").asText(),
                        KubernetesTypes.read(object, Secret.class));
                default -> { }
            }
        }
        PodRoot root = new PodRoot(tmp.resolve("pod"), checkout, pod, container, configMaps, secrets);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValue().startsWith("/") ? root.path(var.getValue()).toString() : var.getValue());
        }
        assertThat(container.getArgs()).first().isEqualTo("serve");
        Map<String, Integer> ports = ports(container);

        try (NetNamespace ns = NetNamespace.create("bf-k8s-pod")) {
            // The node's boot network: an interface that is up, with the address the kubelet probes.
            ns.run("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
            ns.run("ip", "addr", "add", NODE_IP + "/24", "dev", "v0");
            ns.run("ip", "link", "set", "v0", "up");
            ns.run("ip", "link", "set", "v1", "up");
            try (ServerProcess server = ServerProcess.start(env, ns.exec(List.of()), tmp.resolve("pod.log"),
                    List.of("http", "tftp", "dhcp", "pxe"),
                    container.getArgs().subList(1, container.getArgs().size()).toArray(String[]::new))) {
                for (String listener : List.of("http", "tftp", "dhcp", "pxe")) {
                    assertThat(server.port(listener)).as(listener).isEqualTo(ports.get(listener));
                }
                for (HTTPGetAction probe : List.of(container.getLivenessProbe().getHttpGet(),
                        container.getReadinessProbe().getHttpGet())) {
                    String url = "http://" + NODE_IP + ":" + ports.get(probe.getPort().getStrVal()) + probe.getPath();
                    assertThat(curl(ns, "-w", " %{http_code}", url)).as(url).endsWith(" 200");
                }
                // The quick start's machine, from the machines ConfigMap through the profile and template ones:
                // its pxelinux config (which a loader fetches without a capability) names its kernel (an
                // image's, public) and its kickstart URL with the machine's capability, which opens it.
                String base = "http://" + NODE_IP + ":8080";
                String menu = curl(ns, "-f", base + "/boot/52-54-00-12-34-56/tftp/pxelinux.cfg/01-52-54-00-12-34-56");
                assertThat(menu).contains("KERNEL " + base + "/boot/52-54-00-12-34-56/kernel");
                java.util.regex.Matcher ks = java.util.regex.Pattern.compile("inst\\.ks=(" + base
                        + "/ks/52-54-00-12-34-56/[0-9a-f]+-[0-9a-f]{32})").matcher(menu);
                assertThat(ks.find()).as(menu).isTrue();
                assertThat(curl(ns, "-f", ks.group(1))).contains("network --bootproto=dhcp");
                assertThat(server.log()).doesNotContain("WARN").doesNotContain("ERROR");
            }
        }
        assertThat(root.path("/var/lib/bootferry").resolve(StateDirectory.MARKER)).isRegularFile();
        assertThat(root.path("/var/cache/bootferry").resolve("records")).isDirectory();
        Credentials credentials = DockerConfigCredentials.load(root.path("/etc/bootferry/secrets/registry-creds.json"))
                .forRegistry("registry.example.org").orElseThrow();
        assertThat(credentials.username()).isEqualTo("USER");
        assertThat(credentials.password()).isEqualTo("PASSWORD");
    }

    /** The quick start's VirtualMachine: the fields its PXE boot from bootferry rests on. */
    @Test
    void theQuickStartVmBootsItsMachineFileFromTheBootVlan() throws IOException {
        JsonNode vm = kubectl.object("VirtualMachine", "node-01");
        JsonNode spec = vm.path("spec").path("template").path("spec");
        JsonNode nic = spec.path("domain").path("devices").path("interfaces").get(0);
        assertThat(nic.path("bootOrder").isInt()).isTrue();
        assertThat(nic.path("bootOrder").asInt()).isEqualTo(1);
        assertThat(nic.path("bridge").isObject()).as("bridge binding: the VM's own MAC on the VLAN").isTrue();
        MacAddress mac = MacAddress.parse(nic.path("macAddress").asText());
        assertThat(mac).isEqualTo(MacAddress.parse(QUICK_START_MAC));
        assertThat(checkout.resolve("config/machines/52-54-00-12-34-56.yaml")).hasSameTextualContentAs(
                Path.of("config/examples/52-54-00-12-34-56.yaml"));
        assertThat(spec.path("domain").path("devices").path("disks")).allSatisfy(d ->
                assertThat(d.path("bootOrder").asInt()).isGreaterThan(1));

        JsonNode network = spec.path("networks").get(0);
        assertThat(network.path("name").asText()).isEqualTo(nic.path("name").asText());
        String attachment = network.path("multus").path("networkName").asText();
        JsonNode cni = new ObjectMapper().readTree(kubectl.object("NetworkAttachmentDefinition", attachment)
                .path("spec").path("config").asText());
        assertThat(cni.path("type").asText()).isEqualTo("bridge");
        assertThat(cni.path("ipam").isEmpty()).as("addresses come from the VLAN's DHCP server").isTrue();

        Set<String> dataVolumes = new TreeSet<>();
        vm.path("spec").path("dataVolumeTemplates").forEach(t -> dataVolumes.add(t.path("metadata").path("name").asText()));
        spec.path("volumes").forEach(v -> assertThat(dataVolumes).contains(v.path("dataVolume").path("name").asText()));
    }

    /** Every file of the config directory reaches the cluster: a file left out of its ConfigMap would be missing there. */
    @Test
    void theConfigMapsHoldEveryConfigFile() throws IOException {
        Set<String> shipped = new TreeSet<>();
        for (String name : List.of("bootferry-config", "bootferry-machines", "bootferry-profiles", "bootferry-templates")) {
            ConfigMap map = KubernetesTypes.read(kubectl.object("ConfigMap", name), ConfigMap.class);
            String dir = name.equals("bootferry-config") ? "" : name.substring("bootferry-".length()) + "/";
            if (map.getData() != null) {
                map.getData().keySet().forEach(k -> shipped.add(dir + k));
            }
        }
        Set<String> files = new TreeSet<>();
        Path config = checkout.resolve("config");
        try (Stream<Path> all = Files.walk(config)) {
            all.filter(Files::isRegularFile).map(p -> config.relativize(p).toString())
                    .filter(p -> p.equals("server.yaml") || p.matches("(machines|profiles|templates)/[^.][^/]*"))
                    .forEach(files::add);
        }
        assertThat(shipped).isEqualTo(files).contains("machines/52-54-00-12-34-56.yaml");
    }

    private static Map<String, Integer> ports(Container container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (ContainerPort port : container.getPorts()) {
            assertThat(port.getHostPort()).as("with hostNetwork a host port is the container port").isIn(null, port.getContainerPort());
            ports.put(port.getName(), port.getContainerPort());
        }
        return ports;
    }

    private static String curl(NetNamespace ns, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        command.addAll(List.of(args));
        return Processes.run(ns.exec(command), 30).text();
    }

    /** The version pom.xml builds, which the kustomization's image tag names. */
    private static String projectVersion() {
        try {
            Matcher version = Pattern.compile("<artifactId>bootferry</artifactId>\\s*<version>([^<]+)</version>")
                    .matcher(Files.readString(Path.of("pom.xml")));
            assertThat(version.find()).isTrue();
            return version.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
