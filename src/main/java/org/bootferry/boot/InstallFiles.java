package org.bootferry.boot;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigException;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.config.Secrets;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageFile;
import org.bootferry.image.ImageRequest;

/**
 * A machine's install files rendered for it: its kickstart ({@code kickstart:}, or the one its image
 * carries) and its {@code files:} (a preseed, cloud-init user-data and meta-data, …), with the values
 * every template sees.
 */
final class InstallFiles {

    private static final Pattern JINJA_HEADER = Pattern.compile("##\\s*template:(.*)", Pattern.CASE_INSENSITIVE);

    private InstallFiles() {
    }

    /**
     * The kickstart: the machine's {@code kickstart:} template, or else the one its image carries
     * (label {@code org.bootferry.kickstartPath}) once the image is cached; empty when it has neither.
     */
    static Optional<String> kickstart(ResolvedConfig config, MachineFile file, BootPlan plan, ImageSource images) {
        MachineConfig c = config.resolve(file);
        if (c.kickstart() != null) {
            return Optional.of(render(config, c, plan, c.kickstart()));
        }
        if (c.kernelBoot() == null || c.kernelBoot().container() == null) {
            return Optional.empty();
        }
        ImageRequest request = ContainerBoot.request(config.snapshot(), file, c.kernelBoot().container(),
                plan.machine().firmware());
        Optional<ImageFile> carried = images.cached(request).flatMap(ImageBootFiles::kickstart);
        if (carried.isEmpty()) {
            return Optional.empty();
        }
        Path source = Path.of(request.image() + ":" + carried.get().imagePath());
        String text;
        try {
            text = Files.readString(carried.get().path());
        } catch (IOException e) {
            throw new BootPlanException(new ConfigError(source, 0, "cannot read the image's kickstart: " + e.getMessage()));
        }
        return Optional.of(render(source, text, installValues(config, plan, c)));
    }

    /**
     * One of the machine's {@code files:}, or of its {@code cloudInitNoCloud} seed ({@link NoCloud});
     * empty when it has no file of that name.
     */
    static Optional<String> named(ResolvedConfig config, MachineFile file, BootPlan plan, String name) {
        MachineConfig c = config.resolve(file);
        Optional<String> rendered = Optional.ofNullable(c.files()).map(f -> f.get(name))
                .map(template -> render(config, c, plan, template));
        return rendered.isPresent() ? rendered : NoCloud.file(c, plan, name);
    }

    /** Renders template {@code templateName} of the config directory for the plan's machine. */
    static String render(ResolvedConfig config, MachineConfig c, BootPlan plan, String templateName) {
        Path templateFile = config.snapshot().dir().resolve("templates").resolve(templateName);
        return render(templateFile, config.snapshot().templates().get(templateName), installValues(config, plan, c));
    }

    /**
     * What an install file may name: what every template sees, and {@code secrets.NAME.KEY}. Only an
     * install file, which reaches only its own machine: a command line is shown by DHCP answers, the
     * iPXE script, explain and the API.
     */
    private static Map<String, Object> installValues(ResolvedConfig config, BootPlan plan, MachineConfig c) {
        Map<String, Object> values = values(plan, c);
        values.put("secrets", new SecretValues(new Secrets(config.snapshot().dir())));
        return values;
    }

    /** The secrets by name, each read when a template names it; never listed with their values. */
    private static final class SecretValues extends AbstractMap<String, Object> {
        private final Secrets secrets;

        SecretValues(Secrets secrets) {
            this.secrets = secrets;
        }

        @Override
        public boolean containsKey(Object name) {
            return get(name) != null;
        }

        @Override
        public Map<String, String> get(Object name) {
            try {
                return secrets.read(String.valueOf(name)).orElse(null);
            } catch (ConfigException e) {
                throw new BootPlanException(e.errors().get(0));
            }
        }

        @Override
        public Set<String> keySet() {
            return new TreeSet<>(secrets.names());
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            throw new UnsupportedOperationException("secrets are read one by one, by name");
        }

        @Override
        public String toString() {
            return "secrets " + keySet();
        }
    }

    /**
     * Kickstart, preseed and cloud-init are line-based: a value with a line break (a hostname from a
     * machine file, a var) could add directives, so it is refused. A cloud-init Jinja template is
     * served as it is, for cloud-init to render on the machine.
     */
    private static String render(Path source, String text, Map<String, Object> values) {
        if (isCloudInitJinja(text)) {
            return text;
        }
        return Template.parse(source, text).render(values, (name, value) -> {
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("the value of '" + name + "' contains a line break, which"
                        + " would add lines to " + source.getFileName() + "; put multi-line text in the template");
            }
            return value;
        });
    }

    /**
     * Whether cloud-init renders {@code text} itself as Jinja: its first line is {@code ## template: jinja},
     * as cloud-init's {@code templater.detect_template} reads it (the line matched from its start by
     * {@code ##\s*template:(.*)}, case ignored, the rest trimmed and lower-cased). Its {@code {{ }}}
     * are Jinja's ({@code {{ v1.local_hostname }}}, {@code {% if %}}), not ours.
     */
    private static boolean isCloudInitJinja(String text) {
        int end = text.indexOf('\n');
        String first = end < 0 ? text : text.substring(0, end);
        Matcher m = JINJA_HEADER.matcher(first);
        return m.lookingAt() && m.group(1).strip().toLowerCase(Locale.ROOT).equals("jinja");
    }

    /**
     * What templates and {@code kernelArgs} may name; {@code location} and {@code repoUrl} (with its
     * parts {@code repoHost} and {@code repoDirectory}) only for a
     * machine that boots an install tree ({@code kernelBoot.location}), so that naming them elsewhere
     * is an error.
     */
    static Map<String, Object> values(BootPlan plan, MachineConfig c) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("mac", plan.machine().mac().toString());
        values.put("hostname", plan.hostname());
        values.put("firmware", plan.machine().firmware().id());
        values.put("arch", plan.machine().firmware().arch().ociName());
        values.put("serverUrl", plan.serverUrl().toString());
        // The host of every URL, bracketed when IPv6 (RFC 3986 §3.2.2), and which family the machine came over.
        values.put("server", BootUrls.host(plan.nextServer()));
        values.put("family", plan.nextServer() instanceof java.net.Inet6Address ? "6" : "4");
        values.put("kickstartUrl", plan.kickstartUrl().toString());
        values.put("filesUrl", plan.filesUrl().toString());
        values.put("doneUrl", plan.doneUrl().toString());
        values.put("kernelUrl", plan.kernelUrl().toString());
        values.put("initrdUrl", plan.initrdUrl(0).toString());
        plan.kernel().filter(TreeBootFile.class::isInstance).map(TreeBootFile.class::cast).ifPresent(tree -> {
            URI repo = tree.repoUrl();
            values.put("location", tree.location().toString());
            values.put("repoUrl", repo.toString());
            // Debian's preseed takes its mirror in two parts (mirror/http/hostname, mirror/http/directory).
            values.put("repoHost", repo.getRawAuthority());
            String path = repo.getRawPath();
            values.put("repoDirectory", path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1)
                    : path);
        });
        values.put("vars", c.vars() == null ? Map.of() : c.vars());
        return values;
    }
}
