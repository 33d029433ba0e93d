package org.bootferry.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.lang.HttpUrls;
import org.bootferry.lang.Ipv4;
import org.bootferry.lang.Spelling;
import org.bootferry.machine.MacAddress;

/**
 * The checks of one machine or profile file (including what its name allows: {@code match:} only in
 * a machine file not named by a MAC) that need no other file but the templates and profiles
 * it names and the files on disk it points to. What only shows when files meet (a template's
 * variables, an image's pull policy) is the boot layer's check across files.
 */
final class MachineChecks {

    /** What a file is read as: what its name must be, and whether {@code match:} belongs in it. */
    enum Kind {
        PROFILE,
        /** A plain machine file: named by its MAC, or default.yaml, or a match file. */
        MACHINE,
        /** A VM spec ({@link VmSpecs}): the spec names the MAC, the file's name is free. */
        VM_SPEC
    }

    /** The machine file that answers MACs without a file of their own. */
    static final String DEFAULT_MACHINE = "default";

    private final Path dir;

    /** @param dir the config directory, which relative paths in machine files are resolved against */
    MachineChecks(Path dir) {
        this.dir = dir;
    }

    /**
     * Whom a file under {@code machines/} describes by its name: a MAC, or empty for
     * {@code default.yaml} and for a match file (any other name, checked in {@link #check}); no
     * answer, with the error, for a file that is not YAML.
     */
    static Optional<Optional<MacAddress>> machineOf(Path file, LoadContext context) {
        if (!isYaml(file)) {
            context.error(file, 0, "not a .yaml file: rename it or move it out of " + file.getParent());
            return Optional.empty();
        }
        String base = baseName(file);
        return Optional.of(MacAddress.isMac(base) ? Optional.of(MacAddress.parse(base)) : Optional.empty());
    }

    /** A file named by one MAC, or default.yaml, is one machine's; any other name needs {@code match:}. */
    private static void checkMatch(Path file, MachineConfig c, Kind kind, Errors errors) {
        String base = baseName(file);
        boolean oneMachine = base.equals(DEFAULT_MACHINE) || MacAddress.isMac(base);
        if (kind == Kind.VM_SPEC) {
            return;
        }
        if (kind == Kind.PROFILE) {
            if (c.match() != null) {
                errors.at("match", "match: belongs in a machine file, not a profile");
            }
        } else if (c.match() != null && oneMachine) {
            errors.at("match", "match: is for a file that serves several machines: rename " + file.getFileName()
                    + " (e.g. rack-52-54-00.yaml); a file named by a MAC, or default.yaml, is that machine's");
        } else if (c.match() == null && !oneMachine) {
            errors.context().error(errors.file(), 0, "file name is not a MAC address: name machine files by their MAC, e.g."
                    + " 52-54-00-12-34-56.yaml, default.yaml for unknown machines, or give a file of another name"
                    + " match: {macs: [...]}");
        } else if (c.match() != null && c.ip() != null) {
            errors.at("ip", "ip: a match file serves several machines; reserve an address in one machine's own file");
        } else if (c.match() != null && c.ip6() != null) {
            errors.at("ip6", "ip6: a match file serves several machines; reserve an address in one machine's own file");
        } else if (c.match() != null && c.duid() != null) {
            errors.at("duid", "duid: a match file serves several machines; a DUID names one, in its own file");
        }
    }

    /**
     * The config as it is to be used (kernel and initrd paths made absolute), or empty when it has an
     * error, which is reported on the line of the key it is about.
     */
    Optional<MachineConfig> check(Path file, List<String> lines, MachineConfig c, Map<String, String> templates,
            Kind kind, LoadContext context) {
        Errors errors = new Errors(file, lines, context);
        int before = context.count();
        checkMatch(file, c, kind, errors);
        if (c.cloudInitNoCloud() != null) {
            checkNoCloud(c, errors);
        }
        MachineConfig.KernelBoot kb = c.kernelBoot();
        if (kb != null) {
            int sources = (kb.container() != null ? 1 : 0) + (kb.files() != null ? 1 : 0) + (kb.location() != null ? 1 : 0);
            if (sources > 1) {
                errors.at(kb.location() != null ? "location" : "container", "kernelBoot has more than one of"
                        + " 'container', 'files' and 'location': choose one");
            }
            if (kb.container() != null) {
                checkContainer(kb.container(), errors);
            }
            if (kb.location() != null) {
                checkLocation(kb.location(), errors);
            }
            if (kb.locationPullPolicy() != null && kb.location() == null) {
                errors.at("locationPullPolicy", "kernelBoot.locationPullPolicy without 'location': set the install"
                        + " tree's URL beside it");
            }
            if (kb.files() != null) {
                kb = new MachineConfig.KernelBoot(kb.container(), resolveFiles(kb.files(), errors), kb.location(),
                        kb.locationPullPolicy(), kb.kernelArgs());
            }
        }
        if (c.kickstart() != null && !templates.containsKey(c.kickstart())) {
            errors.at("kickstart", "template '" + c.kickstart() + "' not found in " + dir.resolve("templates"));
        }
        if (c.files() != null) {
            c.files().forEach((name, template) -> {
                if (!MachineConfig.FILE_NAME.matcher(name).matches()) {
                    errors.at(name, "files: '" + name + "' can't be a file name in a URL (use letters, digits,"
                            + " '.', '_' and '-')");
                } else if (template == null || !templates.containsKey(template)) {
                    errors.at(name, "files: template '" + template + "' for '" + name + "' not found in "
                            + dir.resolve("templates"));
                }
            });
        }
        if (c.ip() != null && Ipv4.parse(c.ip()).isEmpty()) {
            errors.at("ip", "ip: '" + c.ip() + "' is not an IPv4 address (write e.g. 10.20.0.21)");
        }
        if (c.ip6() != null && org.bootferry.lang.Ipv6.parse(c.ip6()).isEmpty()) {
            errors.at("ip6", "ip6: '" + c.ip6() + "' is not an IPv6 address (write e.g. fd42::21)");
        }
        if (c.duid() != null) {
            DuidChecks.syntax(c.duid()).ifPresent(message -> errors.at("duid", message));
        }
        if (c.match() != null) {
            if (c.match().macs() == null || c.match().macs().isEmpty()) {
                errors.at("match", "match: needs 'macs', a list of MACs, OUIs or prefixes ending in :* (52:54:00:aa:*)");
            } else {
                for (String mac : c.match().macs()) {
                    try {
                        MacPattern.parse(String.valueOf(mac));
                    } catch (IllegalArgumentException e) {
                        errors.at("macs", "match.macs: " + e.getMessage());
                    }
                }
            }
            if (c.match().arch() != null) {
                LoaderKeys.problem(c.match().arch()).ifPresent(p -> errors.at("arch", "match.arch: " + p.replaceFirst(
                        "^loaders: ", "")));
            }
        }
        if (c.loaders() != null) {
            c.loaders().forEach((firmware, loader) -> {
                Optional<String> problem = LoaderKeys.problem(firmware);
                if (problem.isPresent()) {
                    errors.at(firmware, problem.get());
                } else if (loader == null || loader.isBlank()) {
                    errors.at(firmware, "loaders: no loader named for '" + firmware + "' (a path in the tftproot,"
                            + " e.g. debian-installer/amd64/pxelinux.0)");
                }
            });
        }
        if (c.access() != null && !c.access().equals(MachineConfig.OPEN) && !c.access().equals(MachineConfig.CAPABILITY)) {
            errors.at("access", "access: write '" + MachineConfig.CAPABILITY
                    + "' (the default: its URLs carry a per-boot capability) or '" + MachineConfig.OPEN + "' (static URLs)");
        }
        if (context.count() > before) {
            return Optional.empty();
        }
        return Optional.of(new MachineConfig(c.hostname(), c.profile(), kb, c.kickstart(), c.files(), c.vars(),
                c.bootOnce(), c.httpBoot(), c.ip(), c.ip6(), c.duid(), c.loaders(), c.access(), c.match(), c.cloudInitNoCloud()));
    }

    /**
     * {@code cloudInitNoCloud}: one of each pair (KubeVirt's rule), base64 that decodes, and no
     * {@code files:} of the names it serves.
     */
    private static void checkNoCloud(MachineConfig c, Errors errors) {
        MachineConfig.CloudInitNoCloud n = c.cloudInitNoCloud();
        pair(n.userData(), n.userDataBase64(), "userData", errors);
        pair(n.networkData(), n.networkDataBase64(), "networkData", errors);
        if (c.files() != null) {
            for (String name : MachineConfig.CloudInitNoCloud.FILES) {
                if (c.files().containsKey(name)) {
                    errors.at(name, "files: '" + name + "' is served from cloudInitNoCloud: keep it in one place");
                }
            }
        }
    }

    private static void pair(String plain, String base64, String key, Errors errors) {
        if (plain != null && base64 != null) {
            errors.at(key + "Base64", "cloudInitNoCloud: " + key + " and " + key + "Base64 both set: choose one");
        } else if (base64 != null) {
            try {
                MachineConfig.CloudInitNoCloud.decode(base64);
            } catch (IllegalArgumentException e) {
                errors.at(key + "Base64", "cloudInitNoCloud." + key + "Base64: " + e.getMessage());
            }
        }
    }

    /** Errors of one file, each on the line of the key it is about. */
    private record Errors(Path file, List<String> lines, LoadContext context) {
        void at(String key, String message) {
            context.error(file, YamlFiles.lineOf(lines, key), message);
        }
    }

    /** An install tree is named by its http(s) URL; its content is read at the first boot, never here. */
    private static void checkLocation(String location, Errors errors) {
        HttpUrls.directoryProblem(location).ifPresent(problem -> errors.at("location", "kernelBoot.location '"
                + location + "' " + problem + " of an install tree (e.g."
                + " https://dl.fedoraproject.org/pub/fedora/linux/releases/42/Everything/x86_64/os/)"));
    }

    private void checkContainer(MachineConfig.Container container, Errors errors) {
        if (container.image() == null || container.image().isBlank()) {
            errors.at("container", "kernelBoot.container needs 'image'");
        }
        if (container.imagePullSecret() != null
                && !Files.isRegularFile(dir.resolve("secrets").resolve(container.imagePullSecret() + ".json"))) {
            errors.at("imagePullSecret", "secret '" + container.imagePullSecret() + "' not found: expected "
                    + dir.resolve("secrets").resolve(container.imagePullSecret() + ".json"));
        }
    }

    private MachineConfig.Files resolveFiles(MachineConfig.Files files, Errors errors) {
        if (files.kernel() == null) {
            errors.at("files", "kernelBoot.files needs 'kernel'");
            return files;
        }
        String kernel = existing("kernel", files.kernel(), errors);
        List<String> initrds = new ArrayList<>();
        for (String initrd : files.initrd() == null ? List.<String>of() : files.initrd()) {
            initrds.add(existing("initrd", initrd, errors));
        }
        return new MachineConfig.Files(kernel, initrds);
    }

    private String existing(String key, String path, Errors errors) {
        if (path == null) {
            errors.at(key, "kernelBoot.files." + key + ": an empty entry (write a path, relative to " + dir + ")");
            return null;
        }
        Path resolved = dir.resolve(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
            errors.at(key, key + " file not found or not readable: " + resolved);
        }
        return resolved.toString();
    }

    /**
     * Whether the profile the config names, if any, is there to be used.
     *
     * @param profiles the profiles a machine may name; null for a profile file, whose own profile
     *                 is followed (and a missing one reported) by the boot layer's check
     */
    boolean profileExists(Path file, MachineConfig config, Map<String, ConfigSnapshot.ProfileFile> profiles,
            LoadContext context) {
        String name = config.profile();
        if (name == null || profiles == null || profiles.containsKey(name)) {
            return true;
        }
        Path expected = dir.resolve("profiles").resolve(name + ".yaml");
        int line = YamlFiles.lineOf(file, "profile");
        if (context.isProfileBroken(name)) {
            context.error(file, line, "profile '" + name + "' has errors (see " + expected + ")");
        } else {
            context.error(file, line, "profile '" + name + "' not found"
                    + Spelling.didYouMean(name, profiles.keySet()) + ": expected " + expected);
        }
        return false;
    }

    static boolean isYaml(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }
}
