package org.bootferry.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;
import java.util.Map;

/**
 * A machine file ({@code machines/<mac>.yaml}), a profile ({@code profiles/<name>.yaml}) or
 * {@code machines/default.yaml}: all share this shape. Field names follow KubeVirt's
 * {@code firmware.kernelBoot} so a VM spec can be copied over. Absent fields are null, so a machine
 * can inherit them from its profile ({@link #over}). {@code ip} is the address DHCP server mode
 * reserves for the machine; it and {@code match} are never inherited, since a profile is shared by many machines.
 *
 * <p>{@code loaders} names, per firmware id, the machine's own loader, a path in the tftproot
 * (server.yaml's {@code loaders:} for the firmware it does not name): with a {@code kernelBoot}, what
 * its PXE firmware runs before the machine's kernel; without one, the loader whose own menu it boots
 * (a stock pxelinux or GRUB tree's).
 */
public record MachineConfig(
        String hostname,
        String profile,
        KernelBoot kernelBoot,
        String kickstart,
        Map<String, String> files,
        Map<String, Object> vars,
        Boolean bootOnce,
        String ip,
        Map<String, String> loaders,
        String access,
        Match match) {

    /** {@code access: open}: the machine's URLs carry no capability, as before capabilities. */
    public static final String OPEN = "open";
    /** {@code access: capability}, the default: every private URL the machine is handed carries one. */
    public static final String CAPABILITY = "capability";

    /** Whether the machine's URLs are static ({@code access: open}) rather than capability URLs. */
    public boolean openAccess() {
        return OPEN.equals(access);
    }

    /**
     * {@code match}: the MACs a machine file not named by one MAC applies to ({@link MacPattern}), so
     * one file serves a batch. Like {@code ip} it is never inherited: a profile is not a machine.
     */
    public record Match(@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> macs) {
    }

    /** What a name in {@code files:} may be: it becomes the last segment of a URL. */
    public static final java.util.regex.Pattern FILE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /**
     * {@code kernelBoot}: where kernel and initrd come from (one of an image, local files, or an
     * install tree's URL, as {@code virt-install --location}), and the kernel command line. A
     * {@code kernelArgs} that starts with {@code +} appends to the profile's instead of replacing it.
     *
     * @param locationPullPolicy when to read the install tree again, as {@code imagePullPolicy}
     */
    public record KernelBoot(Container container, Files files, String location, String locationPullPolicy,
            String kernelArgs) {

        /** The prefix that makes a machine's kernelArgs extend its profile's. */
        public static final String APPEND = "+";

        KernelBoot over(KernelBoot base) {
            if (base == null) {
                return this;
            }
            boolean ownSource = container != null || files != null || location != null;
            return new KernelBoot(
                    ownSource ? container : base.container,
                    ownSource ? files : base.files,
                    ownSource ? location : base.location,
                    ownSource ? locationPullPolicy : base.locationPullPolicy,
                    kernelArgs(base.kernelArgs));
        }

        private String kernelArgs(String inherited) {
            if (kernelArgs == null) {
                return inherited;
            }
            if (kernelArgs.startsWith(APPEND)) {
                String own = kernelArgs.substring(APPEND.length()).strip();
                return inherited == null ? APPEND + own : inherited.strip() + " " + own;
            }
            return kernelArgs;
        }

        /** The command line as written, without an append marker that found no profile to extend. */
        public String effectiveKernelArgs() {
            return kernelArgs != null && kernelArgs.startsWith(APPEND) ? kernelArgs.substring(APPEND.length()).strip()
                    : kernelArgs;
        }
    }

    /** KubeVirt's {@code kernelBoot.container}. */
    public record Container(
            String image,
            String kernelPath,
            String initrdPath,
            String imagePullPolicy,
            String imagePullSecret) {
    }

    /** Local files; relative paths are relative to the config directory. */
    public record Files(
            String kernel,
            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> initrd) {
    }

    /** This config with every absent field taken from {@code base} (a profile); files, vars and loaders merge key by key. */
    public MachineConfig over(MachineConfig base) {
        if (base == null) {
            return this;
        }
        Map<String, Object> mergedVars = new java.util.LinkedHashMap<>();
        if (base.vars != null) {
            mergedVars.putAll(base.vars);
        }
        if (vars != null) {
            mergedVars.putAll(vars);
        }
        return new MachineConfig(
                hostname != null ? hostname : base.hostname,
                base.profile,
                kernelBoot != null ? kernelBoot.over(base.kernelBoot) : base.kernelBoot,
                kickstart != null ? kickstart : base.kickstart,
                merged(base.files, files),
                mergedVars,
                bootOnce != null ? bootOnce : base.bootOnce,
                ip,
                merged(base.loaders, loaders),
                access != null ? access : base.access,
                match);
    }

    private static Map<String, String> merged(Map<String, String> base, Map<String, String> own) {
        Map<String, String> merged = new java.util.LinkedHashMap<>();
        if (base != null) {
            merged.putAll(base);
        }
        if (own != null) {
            merged.putAll(own);
        }
        return merged;
    }
}
