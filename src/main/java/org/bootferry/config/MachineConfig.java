package org.bootferry.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;
import java.util.Map;

/**
 * A machine file ({@code machines/<mac>.yaml}), a profile ({@code profiles/<name>.yaml}) or
 * {@code machines/default.yaml}: all share this shape. Field names follow KubeVirt's
 * {@code firmware.kernelBoot} so a VM spec can be copied over. Absent fields are null, so a machine
 * can inherit them from its profile ({@link #over}). {@code ip} is the address DHCP server mode
 * reserves for the machine, {@code ip6} the one DHCPv6 server mode does, {@code duid} (hex) the DHCPv6 client DUID that names the machine when no
 * MAC can be found in its DHCPv6 messages; they and {@code match} are never inherited, since a profile is shared by many machines.
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
        Boolean httpBoot,
        String ip,
        String ip6,
        String duid,
        Map<String, String> loaders,
        String access,
        Match match,
        CloudInitNoCloud cloudInitNoCloud) {

    /** {@code access: open}: the machine's URLs carry no capability, as before capabilities. */
    public static final String OPEN = "open";
    /** {@code access: capability}, the default: every private URL the machine is handed carries one. */
    public static final String CAPABILITY = "capability";

    /**
     * {@code httpBoot: true}: the machine boots by UEFI HTTP Boot, so the PXE firmware of its NIC gets
     * no boot file and the firmware goes on to its HTTP Boot option ({@code BootPlanner#plan}).
     */
    public boolean httpBootOnly() {
        return Boolean.TRUE.equals(httpBoot);
    }

    /** Whether the machine's URLs are static ({@code access: open}) rather than capability URLs. */
    public boolean openAccess() {
        return OPEN.equals(access);
    }

    /**
     * {@code match}: the MACs a machine file not named by one MAC applies to ({@link MacPattern}), so
     * one file serves a batch, and optionally only when the machine's firmware is {@code arch} (a
     * firmware id as {@code loaders:} takes it: {@code bios}, {@code efi-x64}, …). Like {@code ip} it
     * is never inherited: a profile is not a machine.
     */
    public record Match(@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> macs,
            String arch) {
    }

    /**
     * {@code cloudInitNoCloud}: KubeVirt's volume of that name, served over HTTP as cloud-init's
     * NoCloud seed ({@code /files/M/user-data}, {@code meta-data}, {@code network-config}) exactly as
     * written, never rendered as a template. The {@code Base64} forms are KubeVirt's for binary or
     * multi-part data; one of each pair at most.
     */
    public record CloudInitNoCloud(String userData, String userDataBase64, String networkData,
            String networkDataBase64) {

        /** The NoCloud seed's files, as cloud-init's NoCloud datasource names them. */
        public static final List<String> FILES = List.of("user-data", "meta-data", "network-config");

        /** The user-data as served: {@code userData}, or {@code userDataBase64} decoded; empty text when neither is set. */
        public String userDataText() {
            return userData != null ? userData : userDataBase64 != null ? decode(userDataBase64) : "";
        }

        /** The network-config as served, when one is set. */
        public java.util.Optional<String> networkDataText() {
            return java.util.Optional.ofNullable(networkData != null ? networkData
                    : networkDataBase64 != null ? decode(networkDataBase64) : null);
        }

        /**
         * Base64 (line breaks and spaces allowed, as {@code base64} and YAML folding leave them) to the
         * UTF-8 text it encodes. Install files are served as text, so gzip'd or other binary data is
         * refused, not mangled.
         *
         * @throws IllegalArgumentException saying which
         */
        public static String decode(String base64) {
            byte[] bytes = java.util.Base64.getDecoder().decode(base64.replaceAll("\\s", ""));
            try {
                return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalArgumentException("decodes to bytes that are no UTF-8 text (gzip'd or binary data is"
                        + " not served: write it as text)", e);
            }
        }
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
                httpBoot != null ? httpBoot : base.httpBoot,
                ip,
                ip6,
                duid,
                merged(base.loaders, loaders),
                access != null ? access : base.access,
                match,
                cloudInitNoCloud != null ? cloudInitNoCloud : base.cloudInitNoCloud);
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
