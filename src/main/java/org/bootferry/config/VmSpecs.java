package org.bootferry.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bootferry.lang.Spelling;
import org.bootferry.machine.MacAddress;

/**
 * KubeVirt and Virtink VM specs read as machine files: a file under {@code machines/} that is a
 * KubeVirt {@code VirtualMachine} or {@code VirtualMachineInstance} ({@code kubevirt.io/v1},
 * {@code v1alpha3}) or a Virtink {@code VirtualMachine} ({@code virt.virtink.smartx.com/v1alpha1}),
 * or several of them as YAML documents, each turned into the {@link MachineConfig} a plain machine
 * file would give:
 * <ul>
 * <li>the MAC is the {@code macAddress} (Virtink: {@code mac}) of the interface with the lowest
 * {@code bootOrder}, or of the only interface on a bridge or a Multus network; a VM without a fixed
 * MAC is an error, since KubeVirt gives such a VM a MAC that changes when it is recreated;
 * <li>KubeVirt's {@code firmware.kernelBoot} is bootferry's {@code kernelBoot} field for field;
 * Virtink's {@code instance.kernel} is {@code container: {image, kernelPath: /vmlinux}} (Virtink's
 * documented place of the kernel) with {@code cmdline} as {@code kernelArgs};
 * <li>a {@code cloudInitNoCloud} volume (Virtink: {@code cloudInit}) is {@code cloudInitNoCloud};
 * <li>{@code metadata.name} is the hostname; {@code metadata.annotations} {@code bootferry.org/profile},
 * {@code /kickstart}, {@code /bootOnce} and {@code /vars} (a YAML mapping) are those keys.
 * </ul>
 * Everything else is left to the hypervisor, but for what changes the boot and can't be honoured
 * here, which is a warning naming it.
 */
public final class VmSpecs {

    static final String ANNOTATION_PREFIX = "bootferry.org/";
    private static final List<String> ANNOTATIONS = List.of("profile", "kickstart", "bootOnce", "vars");
    private static final String KUBEVIRT = "kubevirt.io/";
    private static final List<String> KUBEVIRT_VERSIONS = List.of("kubevirt.io/v1", "kubevirt.io/v1alpha3");
    private static final String VIRTINK = "virt.virtink.smartx.com/v1alpha1";
    /** Where Virtink's kernel images hold the kernel (its direct kernel boot guide: "exactly the /vmlinux path"). */
    static final String VIRTINK_KERNEL = "/vmlinux";
    /** A Kubernetes object's type keys, at the start of a line: what no plain machine file has. */
    private static final Pattern TYPE_KEY = Pattern.compile("(?m)^(apiVersion|kind)\\s*:");
    /** Reads one document of several: what follows it is the next document, not trailing garbage. */
    private static final ObjectReader DOCUMENT = YamlFiles.MAPPER.reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One VM of a spec file: its MAC, its machine config, and the line its document starts on. */
    public record Spec(MacAddress mac, MachineConfig config, int line) {
    }

    /** What a spec file gave: its VMs, or the errors that keep it out; and warnings either way. */
    public record Read(List<Spec> specs, List<ConfigError> errors, List<ConfigError> warnings) {
    }

    private VmSpecs() {
    }

    /** Whether a machine file's text is a Kubernetes object (a plain machine file has no {@code apiVersion} or {@code kind}). */
    public static boolean isSpec(String text) {
        return TYPE_KEY.matcher(text).find();
    }

    /** Reads every document of a spec file; documents that are no VM (a NetworkAttachmentDefinition) are left out with a warning. */
    public static Read read(Path file, String text) {
        List<String> lines = text.lines().toList();
        List<Spec> specs = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigError> warnings = new ArrayList<>();
        try (JsonParser parser = YamlFiles.MAPPER.createParser(text)) {
            while (parser.nextToken() != null) {
                int line = Math.max(parser.currentTokenLocation().getLineNr(), 1);
                JsonNode doc = DOCUMENT.readTree(parser);
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                Document d = new Document(file, lines, line, doc, errors, warnings);
                d.read().ifPresent(specs::add);
            }
        } catch (JsonProcessingException e) {
            errors.add(new ConfigError(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    YamlFiles.describe(e)));
        } catch (IOException e) {
            errors.add(new ConfigError(file, 0, "cannot read: " + e.getMessage()));
        }
        if (errors.isEmpty() && specs.isEmpty()) {
            errors.add(new ConfigError(file, 0, "no VM spec in it (a KubeVirt VirtualMachine or VirtualMachineInstance,"
                    + " " + String.join(" or ", KUBEVIRT_VERSIONS) + ", or a Virtink VirtualMachine, " + VIRTINK + ")"));
        }
        return new Read(errors.isEmpty() ? List.copyOf(specs) : List.of(), List.copyOf(errors), List.copyOf(warnings));
    }

    /** One YAML document of a spec file, read into a {@link Spec}. */
    private static final class Document {
        private final Path file;
        private final List<String> lines;
        private final int start;
        private final JsonNode doc;
        private final List<ConfigError> errors;
        private final List<ConfigError> warnings;
        private String name = "";

        Document(Path file, List<String> lines, int start, JsonNode doc, List<ConfigError> errors,
                List<ConfigError> warnings) {
            this.file = file;
            this.lines = lines;
            this.start = start;
            this.doc = doc;
            this.errors = errors;
            this.warnings = warnings;
        }

        Optional<Spec> read() {
            if (!doc.isObject()) {
                return error("apiVersion", "a document that is no mapping: a VM spec has apiVersion, kind, metadata and spec");
            }
            String apiVersion = doc.path("apiVersion").asText("");
            String kind = doc.path("kind").asText("");
            name = doc.path("metadata").path("name").asText("");
            boolean virtink = apiVersion.equals(VIRTINK);
            boolean vmKind = virtink ? kind.equals("VirtualMachine") : apiVersion.startsWith(KUBEVIRT)
                    && (kind.equals("VirtualMachine") || kind.equals("VirtualMachineInstance"));
            if (apiVersion.isEmpty()) {
                return error("kind", "no apiVersion: a VM spec names its API, kubevirt.io/v1 or " + VIRTINK);
            }
            if (!vmKind) {
                // A NetworkAttachmentDefinition beside the VM, a VirtualMachineInstancePreset: no one machine.
                warnings.add(at("kind", apiVersion + " " + kind + " is no VM spec: left out"));
                return Optional.empty();
            }
            if (apiVersion.startsWith(KUBEVIRT) && !KUBEVIRT_VERSIONS.contains(apiVersion)) {
                return error("apiVersion", "apiVersion " + apiVersion + " is not read: write the VM as "
                        + String.join(" or ", KUBEVIRT_VERSIONS) + " (as KubeVirt itself only serves those)");
            }
            JsonNode spec = doc.path("spec");
            if (!spec.isObject()) {
                return error("spec", kind + (name.isEmpty() ? "" : " " + name) + ": spec is missing or no mapping");
            }
            return virtink ? virtink(spec) : kubevirt(kind.equals("VirtualMachine") ? spec.path("template").path("spec") : spec);
        }

        private Optional<Spec> kubevirt(JsonNode vmi) {
            if (!vmi.isObject()) {
                return error("template", subject() + "spec.template.spec is missing: a VirtualMachine's VM is"
                        + " described there");
            }
            JsonNode devices = vmi.path("domain").path("devices");
            Optional<MacAddress> mac = mac(devices.path("interfaces"), vmi.path("networks"), "macAddress");
            bootsDiskFirst(devices.path("disks"), devices.path("interfaces"));
            JsonNode kernelBoot = vmi.path("domain").path("firmware").path("kernelBoot");
            MachineConfig.KernelBoot kb = null;
            if (kernelBoot.isObject()) {
                JsonNode c = kernelBoot.path("container");
                MachineConfig.Container container = c.isObject() ? new MachineConfig.Container(text(c, "image"),
                        text(c, "kernelPath"), text(c, "initrdPath"), text(c, "imagePullPolicy"),
                        text(c, "imagePullSecret")) : null;
                kb = new MachineConfig.KernelBoot(container, null, null, null, text(kernelBoot, "kernelArgs"));
            }
            return spec(mac, kb, noCloud(vmi.path("volumes"), "cloudInitNoCloud", "secretRef", "networkDataSecretRef"));
        }

        private Optional<Spec> virtink(JsonNode spec) {
            JsonNode instance = spec.path("instance");
            Optional<MacAddress> mac = mac(instance.path("interfaces"), spec.path("networks"), "mac");
            JsonNode kernel = instance.path("kernel");
            MachineConfig.KernelBoot kb = null;
            if (kernel.isObject()) {
                kb = new MachineConfig.KernelBoot(new MachineConfig.Container(text(kernel, "image"), VIRTINK_KERNEL, null,
                        text(kernel, "imagePullPolicy"), null), null, null, null, text(kernel, "cmdline"));
            }
            return spec(mac, kb, noCloud(spec.path("volumes"), "cloudInit", "userDataSecretName", "networkDataSecretName"));
        }

        private Optional<Spec> spec(Optional<MacAddress> mac, MachineConfig.KernelBoot kb,
                MachineConfig.CloudInitNoCloud noCloud) {
            Annotations a = annotations();
            if (mac.isEmpty() || a == null) {
                return Optional.empty();
            }
            if ((kb == null || kb.container() == null) && a.profile == null) {
                // A PXE VM (the CNV guide's) boots what its boot server says: here that needs a kernel.
                return error("spec", subject() + "no kernel to boot: give it " + (doc.path("apiVersion").asText()
                        .equals(VIRTINK) ? "spec.instance.kernel" : "firmware.kernelBoot.container (KubeVirt's"
                        + " external kernel boot)") + " or the annotation " + ANNOTATION_PREFIX + "profile: NAME (a"
                        + " profile with a kernel)");
            }
            return Optional.of(new Spec(mac.get(), new MachineConfig(name.isEmpty() ? null : name, a.profile, kb,
                    a.kickstart, null, a.vars, a.bootOnce, null, null, null, null, null, null, null, noCloud), start));
        }

        /**
         * The MAC of the interface the VM boots from: the lowest {@code bootOrder}, else the only one
         * on a bridge ({@code bridge: {}}) or a Multus network; the boot network's interface in both
         * the CNV PXE guide and Virtink's shapes.
         */
        private Optional<MacAddress> mac(JsonNode interfaces, JsonNode networks, String macKey) {
            JsonNode chosen = null;
            String why = "";
            for (JsonNode i : interfaces) {
                if (i.path("bootOrder").canConvertToInt() && (chosen == null
                        || i.path("bootOrder").asInt() < chosen.path("bootOrder").asInt(Integer.MAX_VALUE))) {
                    chosen = i;
                    why = " (bootOrder " + i.path("bootOrder").asInt() + ")";
                }
            }
            if (chosen == null) {
                List<JsonNode> bridged = new ArrayList<>();
                for (JsonNode i : interfaces) {
                    if (i.has("bridge") || multus(networks, i.path("name").asText())) {
                        bridged.add(i);
                    }
                }
                if (bridged.size() != 1) {
                    error(interfaces.isEmpty() ? "spec" : "interfaces", subject() + (bridged.isEmpty()
                            ? "no interface on a bridge or a Multus network to boot from"
                            : bridged.size() + " interfaces on bridges or Multus networks and none has bootOrder")
                            + ": give the interface on the boot network a fixed " + macKey
                            + (macKey.equals("mac") ? "" : " and bootOrder: 1")
                            + " (without a fixed MAC the VM gets one that changes when it is recreated, and"
                            + " bootferry knows a machine by its MAC)");
                    return Optional.empty();
                }
                chosen = bridged.get(0);
                why = " (the only one on a bridge or Multus network)";
            }
            String ifName = chosen.path("name").asText("?");
            if (chosen.has("masquerade") || pod(networks, ifName)) {
                warnings.add(at("interfaces", subject() + "interface '" + ifName + "'" + why + " is on the pod network"
                        + " (masquerade or pod: {}): its DHCP requests stay in the pod and never reach bootferry; boot"
                        + " from an interface on a bridge or a Multus network"));
            }
            String text = text(chosen, macKey);
            if (text == null) {
                error("interfaces", subject() + "interface '" + ifName + "'" + why + " has no " + macKey
                        + ": without one the VM gets a MAC that changes when it is recreated (KubeVirt's assigned MACs"
                        + " are not persistent), and bootferry knows a machine by its MAC; set " + macKey + " on it");
                return Optional.empty();
            }
            if (!MacAddress.isMac(text)) {
                error(macKey, subject() + "interface '" + ifName + "': " + macKey + " '" + text + "' is not a MAC");
                return Optional.empty();
            }
            return Optional.of(MacAddress.parse(text));
        }

        private static boolean multus(JsonNode networks, String name) {
            return network(networks, name).has("multus");
        }

        private static boolean pod(JsonNode networks, String name) {
            return network(networks, name).has("pod");
        }

        /** The network an interface is attached to, by name; a missing node when there is none. */
        private static JsonNode network(JsonNode networks, String name) {
            for (JsonNode n : networks) {
                if (n.path("name").asText().equals(name)) {
                    return n;
                }
            }
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }

        /** A disk that boots before the interface: the VM never asks bootferry once its disk boots. */
        private void bootsDiskFirst(JsonNode disks, JsonNode interfaces) {
            int network = Integer.MAX_VALUE;
            for (JsonNode i : interfaces) {
                network = Math.min(network, i.path("bootOrder").asInt(Integer.MAX_VALUE));
            }
            for (JsonNode d : disks) {
                if (d.path("bootOrder").canConvertToInt() && d.path("bootOrder").asInt() < network) {
                    warnings.add(at("bootOrder", subject() + "disk '" + d.path("name").asText() + "' has bootOrder "
                            + d.path("bootOrder").asInt() + ", before the network: once it holds a system the VM"
                            + " boots it without asking bootferry"));
                }
            }
        }

        /**
         * The NoCloud volume; a Kubernetes secret it names can't be read here, so its data is
         * missing from what the VM is served: a warning naming the field.
         */
        private MachineConfig.CloudInitNoCloud noCloud(JsonNode volumes, String key, String... secretKeys) {
            MachineConfig.CloudInitNoCloud found = null;
            for (JsonNode v : volumes) {
                if (v.has("cloudInitConfigDrive")) {
                    warnings.add(at("cloudInitConfigDrive", subject() + "volume '" + v.path("name").asText()
                            + "': cloudInitConfigDrive is not served (bootferry serves NoCloud): use cloudInitNoCloud"));
                }
                JsonNode c = v.path(key);
                if (!c.isObject()) {
                    continue;
                }
                for (String secret : secretKeys) {
                    if (c.has(secret)) {
                        warnings.add(at(secret, subject() + key + "." + secret + ": a Kubernetes secret, which"
                                + " bootferry can't read: its data is not served; write it inline"));
                    }
                }
                if (found != null) {
                    error(key, subject() + "more than one " + key + " volume: cloud-init reads one");
                }
                found = new MachineConfig.CloudInitNoCloud(text(c, "userData"), text(c, "userDataBase64"),
                        text(c, "networkData"), text(c, "networkDataBase64"));
            }
            return found;
        }

        private record Annotations(String profile, String kickstart, Boolean bootOnce, Map<String, Object> vars) {
        }

        /** The {@code bootferry.org/} annotations; null, with the errors, when one is wrong. */
        private Annotations annotations() {
            JsonNode all = doc.path("metadata").path("annotations");
            String profile = null;
            String kickstart = null;
            Boolean bootOnce = null;
            Map<String, Object> vars = null;
            int before = errors.size();
            for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) all::fields) {
                if (!e.getKey().startsWith(ANNOTATION_PREFIX)) {
                    continue;
                }
                String key = e.getKey().substring(ANNOTATION_PREFIX.length());
                String value = e.getValue().asText();
                switch (key) {
                    case "profile" -> profile = value;
                    case "kickstart" -> kickstart = value;
                    case "bootOnce" -> {
                        if (!value.equals("true") && !value.equals("false")) {
                            error(e.getKey(), subject() + e.getKey() + ": write \"true\" or \"false\"");
                        }
                        bootOnce = Boolean.valueOf(value);
                    }
                    case "vars" -> vars = vars(e.getKey(), value);
                    default -> error(e.getKey(), subject() + "unknown annotation '" + e.getKey() + "'"
                            + Spelling.didYouMean(key, ANNOTATIONS) + " (known: " + ANNOTATION_PREFIX
                            + String.join(", " + ANNOTATION_PREFIX, ANNOTATIONS) + ")");
                }
            }
            return errors.size() > before ? null : new Annotations(profile, kickstart, bootOnce, vars);
        }

        private Map<String, Object> vars(String key, String value) {
            try {
                Map<String, Object> vars = YamlFiles.MAPPER.readValue(value, new TypeReference<Map<String, Object>>() { });
                if (vars != null) {
                    return vars;
                }
            } catch (JsonProcessingException e) {
                // reported below
            }
            error(key, subject() + key + ": not a YAML mapping of names to values (write e.g. '{timezone: UTC}')");
            return null;
        }

        /** "VirtualMachine node-01: ", so that an error in one document of several says whose it is. */
        private String subject() {
            return doc.path("kind").asText() + (name.isEmpty() ? "" : " " + name) + ": ";
        }

        private static String text(JsonNode node, String key) {
            JsonNode v = node.path(key);
            return v.isValueNode() && !v.isNull() ? v.asText() : null;
        }

        private Optional<Spec> error(String key, String message) {
            errors.add(at(key, message));
            return Optional.empty();
        }

        /** An error or warning on the first line at or after the document's start where {@code key:} is. */
        private ConfigError at(String key, String message) {
            int line = YamlFiles.lineOf(lines.subList(start - 1, lines.size()), key);
            return new ConfigError(file, line == 0 ? start : start - 1 + line, message);
        }
    }
}
