package org.bootferry.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.ConfigSchemas;
import org.bootferry.testing.ConfigSchemas.Kind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An editor's schema and {@code bootferry validate} give the same verdict on one file: a file the
 * loader takes raises no schema error, and a file it refuses is refused by the schema too, both
 * naming the key. Cases: the mistakes people make, the spellings the loader allows, and the
 * bounds of every whole number of server.yaml, taken from the schema.
 */
class SchemaAgreementTest {

    private static final String MACHINE_FILE = "machines/52-54-00-12-34-56.yaml";

    @TempDir
    Path tmp;
    ConfigDir config;

    /** A file's text, the schema it is written against, and the key it gets wrong (null: none). */
    record Case(Kind kind, String yaml, String wrongKey) {
        static Case valid(Kind kind, String yaml) {
            return new Case(kind, yaml, null);
        }

        static Case wrong(Kind kind, String wrongKey, String yaml) {
            return new Case(kind, yaml, wrongKey);
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + (wrongKey == null ? " ok: " : " wrong '" + wrongKey
                    + "': ") + yaml.replace("\n", " / ");
        }
    }

    /** What a machine file may name: a kernel and initrd on disk, a profile, templates and a secret. */
    @BeforeEach
    void configDir() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.blob("boot/initrd.img", 100);
        config.file("profiles/base.yaml", "kernelBoot:", "  files: {kernel: boot/vmlinuz}", "  kernelArgs: console=ttyS0");
        config.file("templates/fedora.ks", "network --hostname={{hostname}}");
        config.file("templates/user-data", "#cloud-config", "hostname: {{hostname}}");
        config.file("secrets/creds.json", "{\"auths\": {\"registry.example.org\": {\"auth\": \"Ym9vdDpzZWNyZXQ=\"}}}");
    }

    static Stream<Case> mistakes() {
        return Stream.of(
                Case.wrong(Kind.SERVER, "httpPorts", "httpPorts: 8080"),
                Case.wrong(Kind.SERVER, "httpPort", "httpPort: eighty"),
                Case.wrong(Kind.SERVER, "dhcp", "dhcp: maybe"),
                Case.wrong(Kind.SERVER, "bind", "bind: boot.example.org"),
                Case.wrong(Kind.SERVER, "advertise6", "advertise6: 192.0.2.10"),
                Case.wrong(Kind.SERVER, "BIOS", "loaders: {BIOS: undionly.kpxe}"),
                Case.wrong(Kind.SERVER, "bios", "loaders: {bios: ' '}"),
                Case.wrong(Kind.SERVER, "token", "api: {token: too-short}"),
                Case.wrong(Kind.SERVER, "allowFrom", "api: {allowFrom: [10.0.0.0/8/8]}"),
                Case.wrong(Kind.SERVER, "cacheLimit", "images: {cacheLimit: 20 gigs}"),
                Case.wrong(Kind.SERVER, "staleOK", "images: {staleOK: true}"),
                Case.wrong(Kind.SERVER, "ipxe", "chainload: {ipxe: bios}"),
                Case.wrong(Kind.SERVER, "windowSize", "tftp: {windowSize: 8}"),
                Case.wrong(Kind.MACHINE, "hostnme", "hostnme: node-01"),
                Case.wrong(Kind.MACHINE, "kernelArg", "kernelBoot: {files: {kernel: boot/vmlinuz}, kernelArg: quiet}"),
                Case.wrong(Kind.MACHINE, "kernel", "kernelBoot: {files: {initrd: boot/initrd.img}}"),
                Case.wrong(Kind.MACHINE, "image", "kernelBoot: {container: {kernelPath: /boot/vmlinuz}}"),
                Case.wrong(Kind.MACHINE, "imagePullPolicy",
                        "kernelBoot: {container: {image: registry.example.org/boot:1, imagePullPolicy: always}}"),
                Case.wrong(Kind.MACHINE, "kernelBoot",
                        "kernelBoot: {container: {image: registry.example.org/boot:1}, files: {kernel: boot/vmlinuz}}"),
                Case.wrong(Kind.MACHINE, "user data", "profile: base\nfiles: {'user data': user-data}"),
                Case.wrong(Kind.MACHINE, "vars", "profile: base\nvars: [timezone, UTC]"),
                Case.wrong(Kind.MACHINE, "bootOnce", "profile: base\nbootOnce: sometimes"),
                Case.wrong(Kind.MACHINE, "httpBoot", "profile: base\nhttpBoot: over-ipv6"),
                Case.wrong(Kind.MACHINE, "userdata", "profile: base\ncloudInitNoCloud: {userdata: '#cloud-config'}"),
                Case.wrong(Kind.MACHINE, "networkData", "profile: base\ncloudInitNoCloud: {networkData: [eth0]}"));
    }

    static Stream<Case> allowedSpellings() {
        return Stream.of(
                Case.valid(Kind.SERVER, "bind: '::'\nadvertise: '2001:db8::10'"),
                Case.valid(Kind.SERVER, "advertise6: 'fd42::1'"),
                Case.valid(Kind.SERVER, "chainload: {ipxe: SERVER}"),
                Case.valid(Kind.SERVER, "images: {cacheLimit: 0}"),
                Case.valid(Kind.SERVER, "images: {cacheLimit: 1.5 GiB, insecureRegistries: [registry.lab:5000]}"),
                Case.valid(Kind.SERVER, "images: {cacheLimit: 500mb, staleOk: true, pullTimeout: 1}"),
                Case.valid(Kind.SERVER, "api: {token: 0123456789abcdef, allowFrom: ['fd00::/8', 192.0.2.7]}"),
                Case.valid(Kind.SERVER, "loaders: {efi-arm64: grubnetaa64.efi, efi-arm32: snp.efi}"),
                Case.valid(Kind.SERVER, "tftpRoot: /srv/tftp\ncache: cache\nstate: ../state\ndhcp: false"),
                Case.valid(Kind.MACHINE, "kernelBoot: {files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}}"),
                Case.valid(Kind.MACHINE, "kernelBoot:\n  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img]}\n"
                        + "  kernelArgs: 'console=ttyS0 inst.ks={{kickstartUrl}}'\nkickstart: fedora.ks"),
                Case.valid(Kind.MACHINE, "kernelBoot:\n  container: {image: registry.example.org/boot:1, kernelPath:"
                        + " /boot/vmlinuz, initrdPath: /boot/initrd.img, imagePullPolicy: Never, imagePullSecret: creds}"),
                Case.valid(Kind.MACHINE, "profile: base\nkernelBoot: {kernelArgs: '+ quiet'}"),
                Case.valid(Kind.MACHINE, "hostname: node-01\nprofile: base\nfiles: {user-data: user-data, meta-data.v1_x:"
                        + " user-data}\nvars: {timezone: UTC, disk: {device: /dev/vda}}\nbootOnce: true"),
                Case.valid(Kind.MACHINE, "profile: base\nhttpBoot: true"),
                Case.valid(Kind.MACHINE, "profile: base\ncloudInitNoCloud: {userData: \"#cloud-config\\n\","
                        + " networkDataBase64: dmVyc2lvbjogMgo=}"));
    }

    /**
     * Where the schema is stricter than the loader, as docs/config.md lists: the loader reads a key
     * without a value as absent, reads YAML 1.1 (yes/no/on/off are booleans; editors and the
     * schema read YAML 1.2), and converts a quoted number to a number and a number to text.
     */
    static Stream<Case> stricterSchema() {
        return Stream.of(
                Case.wrong(Kind.SERVER, "bind", "bind:"),
                Case.wrong(Kind.SERVER, "dhcp", "dhcp: no"),
                Case.wrong(Kind.SERVER, "httpPort", "httpPort: '8080'"),
                Case.wrong(Kind.MACHINE, "hostname", "profile: base\nhostname: 1234"),
                Case.wrong(Kind.MACHINE, "bootOnce", "profile: base\nbootOnce: yes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stricterSchema")
    void theSchemaIsStricterThanTheLoaderOnlyWhereConfigMdSays(Case c) {
        config.file(c.kind() == Kind.SERVER ? "server.yaml" : MACHINE_FILE, c.yaml());
        assertThat(loaderErrors()).as("the loader's errors").isEmpty();
        assertThat(ConfigSchemas.errors(c.kind(), c.yaml())).as("the schema's errors")
                .anySatisfy(e -> assertThat(e).contains(c.wrongKey()));
    }

    /**
     * Each whole number of server.yaml at its bounds and one past them, as the schema states them:
     * a bound the loader does not share shows here.
     */
    static Stream<Case> bounds() {
        JsonNode schema = ConfigSchemas.tree(Kind.SERVER);
        List<Case> cases = new ArrayList<>();
        schema.path("properties").properties().forEach(top -> {
            if (top.getValue().has("properties")) {
                top.getValue().path("properties").properties().forEach(sub ->
                        addBounds(cases, top.getKey() + ": {" + sub.getKey() + ": %d}", sub.getKey(), sub.getValue()));
            } else {
                addBounds(cases, top.getKey() + ": %d", top.getKey(), top.getValue());
            }
        });
        assertThat(cases).as("bound cases").hasSizeGreaterThan(30);
        return cases.stream();
    }

    private static void addBounds(List<Case> cases, String format, String key, JsonNode node) {
        if (!node.path("type").toString().contains("integer")) {
            return;
        }
        List<Long> in = new ArrayList<>();
        List<Long> out = new ArrayList<>();
        if (node.has("enum")) {
            node.get("enum").forEach(v -> in.add(v.asLong()));
            out.add(in.stream().mapToLong(Long::longValue).min().orElseThrow() - 1);
            out.add(in.stream().mapToLong(Long::longValue).max().orElseThrow() + 1);
        }
        if (node.has("minimum")) {
            in.add(node.get("minimum").asLong());
            out.add(node.get("minimum").asLong() - 1);
        }
        if (node.has("maximum")) {
            in.add(node.get("maximum").asLong());
            out.add(node.get("maximum").asLong() + 1);
        }
        assertThat(in).as("%s has bounds in the schema", key).isNotEmpty();
        in.forEach(v -> cases.add(Case.valid(Kind.SERVER, String.format(format, v))));
        out.forEach(v -> cases.add(Case.wrong(Kind.SERVER, key, String.format(format, v))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"mistakes", "allowedSpellings", "bounds"})
    void theSchemaAndTheLoaderGiveOneVerdict(Case c) {
        config.file(c.kind() == Kind.SERVER ? "server.yaml" : MACHINE_FILE, c.yaml());
        List<String> loader = loaderErrors();
        List<String> schema = ConfigSchemas.errors(c.kind(), c.yaml());
        if (c.wrongKey() == null) {
            assertThat(loader).as("the loader's errors").isEmpty();
            assertThat(schema).as("the schema's errors").isEmpty();
        } else {
            assertThat(loader).as("the loader's errors").anySatisfy(e -> assertThat(e).contains(c.wrongKey()));
            assertThat(schema).as("the schema's errors").anySatisfy(e -> assertThat(e).contains(c.wrongKey()));
        }
    }

    /** What {@code bootferry validate} reports: each file's errors, then, when there are none, those across files. */
    private List<String> loaderErrors() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir(), Map.of());
        List<ConfigError> errors = snapshot.errors().isEmpty() ? ConfigCheck.check(snapshot) : snapshot.errors();
        return errors.stream().map(ConfigError::message).toList();
    }
}
