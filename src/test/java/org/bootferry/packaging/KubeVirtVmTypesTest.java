package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start's VirtualMachine against KubeVirt's own API types: no KubeVirt API server runs
 * here and fabric8 has no KubeVirt model, but the npm package {@code @kubevirt-ui-ext/kubevirt-api}
 * holds TypeScript types generated from KubeVirt's OpenAPI schema. The manifest, as a TypeScript
 * object literal of type {@code V1VirtualMachine}, compiles only when every field is one KubeVirt
 * knows, where it knows it, with a value of its type (TypeScript's excess property checks reach
 * into nested literals).
 */
class KubeVirtVmTypesTest {

    /** The packages, installed once per build directory (target/ goes with mvn clean). */
    private static final Path TYPES = Path.of("target/kubevirt-types");
    private static final Path VM = Path.of("config/examples/kubevirt-vm.yaml");

    @TempDir
    Path tmp;

    @BeforeAll
    static void install() throws IOException {
        Tools.require("node", "nodejs");
        Tools.require("npm", "npm");
        Files.createDirectories(TYPES);
        try (InputStream manifest = KubeVirtVmTypesTest.class.getResourceAsStream("kubevirt-types/package.json")) {
            byte[] wanted = manifest.readAllBytes();
            Path installed = TYPES.resolve("package.json");
            if (!Files.exists(TYPES.resolve("node_modules/typescript"))
                    || !Arrays.equals(wanted, Files.exists(installed) ? Files.readAllBytes(installed) : null)) {
                Files.write(installed, wanted);
                Processes.check("sh", "-c", "cd " + TYPES + " && npm install --no-package-lock --no-audit --no-fund --silent");
            }
        }
    }

    /** Compiles {@code object} as a {@code V1VirtualMachine}; the compiler's output, empty when it type-checks. */
    private String compile(JsonNode object) throws IOException {
        Path source = TYPES.resolve("vm-" + tmp.getFileName() + ".mts");
        Files.writeString(source, "import type { V1VirtualMachine } from '@kubevirt-ui-ext/kubevirt-api/kubevirt';\n"
                + "export const vm: V1VirtualMachine = "
                + new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(object) + ";\n");
        try {
            Processes.Result r = Processes.run(List.of("node", TYPES.resolve("node_modules/typescript/bin/tsc").toString(),
                    "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
                    "--target", "es2022", "--skipLibCheck", source.toString()), 180);
            return r.exit() == 0 ? "" : r.text() + r.stderr();
        } finally {
            Files.delete(source);
        }
    }

    private static JsonNode virtualMachine() throws IOException {
        return KubernetesTypes.documents(Files.readString(VM)).stream()
                .filter(d -> KubernetesTypes.kind(d).equals("kubevirt.io/v1/VirtualMachine"))
                .findFirst().orElseThrow(() -> new AssertionError(VM + " holds no kubevirt.io/v1 VirtualMachine"));
    }

    @Test
    void theQuickStartVmIsAKubeVirtVirtualMachine() throws IOException {
        assertThat(compile(virtualMachine())).isEmpty();
    }

    /** The check has teeth: a misspelt field deep in the spec, and a number written as text, fail it. */
    @Test
    void aMisspeltFieldOrAWrongTypeDoesNotCompile() throws IOException {
        JsonNode vm = virtualMachine();
        ObjectNode nic = (ObjectNode) vm.path("spec").path("template").path("spec").path("domain").path("devices")
                .path("interfaces").get(0);
        nic.set("macAdress", nic.remove("macAddress"));
        assertThat(compile(vm)).contains("error TS2353", "macAdress", "does not exist in type 'V1Interface'");

        JsonNode typed = virtualMachine();
        ((ObjectNode) typed.path("spec").path("template").path("spec").path("domain").path("devices")
                .path("interfaces").get(0)).put("bootOrder", "1");
        assertThat(compile(typed)).contains("error TS2322", "Type 'string' is not assignable to type 'number'");
    }
}
