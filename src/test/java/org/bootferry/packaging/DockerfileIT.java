package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.Processes;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the image is checked by its parts: the jar the Dockerfile copies
 * is the one the build makes, and its ENTRYPOINT + CMD run against the files it copies.
 */
class DockerfileIT {

    private static final Path JAR = Path.of(System.getProperty("bootferry.jar", "target/bootferry.jar"));

    private static String dockerfile() throws IOException {
        return Files.readString(Path.of("Dockerfile"));
    }

    private static List<String> execForm(String instruction) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + instruction + " (\\[.*])$").matcher(dockerfile());
        assertThat(m.find()).as(instruction + " in exec form").isTrue();
        List<String> words = new ArrayList<>();
        new ObjectMapper().readTree(m.group(1)).forEach(n -> words.add(n.asText()));
        return words;
    }

    /** The image's paths mapped onto this checkout: /opt/bootferry/bootferry.jar is our jar, and so on. */
    private static List<String> onThisHost(List<String> words) {
        return words.stream().map(w -> switch (w) {
            case "/opt/bootferry/bootferry.jar" -> JAR.toString();
            case "/etc/bootferry" -> "config";
            case "/srv/bootferry-tftproot" -> "tftproot";
            default -> w;
        }).toList();
    }

    @Test
    void theJarTheImageCopiesIsTheOneTheBuildMakes() throws IOException {
        assertThat(dockerfile()).contains("COPY --from=build /src/target/" + JAR.getFileName() + " /opt/bootferry/bootferry.jar");
        assertThat(JAR).isRegularFile();
    }

    @Test
    void entrypointRunsTheVersionCommand() throws IOException {
        List<String> command = new ArrayList<>(onThisHost(execForm("ENTRYPOINT")));
        command.add("version");
        Processes.Result r = Processes.run(command, 60);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.text()).startsWith("bootferry 0.");
    }

    @Test
    void defaultCommandsConfigIsValid() throws IOException {
        List<String> cmd = execForm("CMD");
        assertThat(cmd.get(0)).isEqualTo("serve");
        List<String> command = new ArrayList<>(onThisHost(execForm("ENTRYPOINT")));
        command.addAll(List.of("validate", "--config", onThisHost(List.of(cmd.get(cmd.indexOf("--config") + 1))).get(0)));
        Processes.Result r = Processes.run(command, 60);
        assertThat(r.exit()).as(r.text() + r.stderr()).isZero();
        assertThat(r.text()).contains(": OK");
    }
}
