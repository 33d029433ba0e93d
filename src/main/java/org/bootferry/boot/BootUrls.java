package org.bootferry.boot;

import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.lang.BoundedCache;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * The one URL scheme: every URL and TFTP name a machine is handed is built here, and every request
 * for one is parsed here, so that a change of scheme is a change of this file.
 *
 * <p>HTTP: {@code /boot.ipxe?mac=M[&firmware=F]} (the iPXE script), {@code /boot/M/kernel},
 * {@code /boot/M/initrd[/N]} (with {@code ?firmware=F} for a machine that is not x86-64),
 * {@code /ks/M} (the kickstart), {@code /files/M/NAME} (install files), {@code POST /done/M}, and
 * {@code /tftp/LOADER[?mac=M]} (the tftproot over HTTP, for UEFI HTTP Boot and chainloading iPXE).
 * M is the MAC in dash form, F a {@link Firmware#id()}.
 *
 * <p>TFTP, which carries neither MAC nor architecture: {@code pxelinux.cfg/01-M} (pxelinux asks for
 * it first: ARP type 1, then the MAC), {@code …/grub.cfg-01-M} (GRUB's net config, in whatever prefix
 * directory it was built with), {@code M/kernel}, {@code M/initrd[/N]}, and for a loader that is not
 * x86-64 the firmware in the path: {@code M/efi-arm64/kernel}.
 */
public final class BootUrls {

    private static final String MAC = "([0-9a-f]{2}(?:-[0-9a-f]{2}){5})";
    /** {@code kernel}, {@code initrd} or {@code initrd/N}: a machine has one kernel. */
    private static final String BOOT_FILE = "(kernel|initrd(?:/([1-9][0-9]{0,2}))?)";
    private static final Pattern PXELINUX = Pattern.compile("pxelinux\\.cfg/01-" + MAC);
    private static final Pattern GRUB = Pattern.compile("(?:.*/)?grub\\.cfg-01-" + MAC);
    private static final Pattern TFTP_FILE = Pattern.compile(MAC + "(?:/([a-z0-9-]+))?/" + BOOT_FILE);
    private static final Pattern HTTP_FILE = Pattern.compile("/boot/([^/]+)/" + BOOT_FILE);
    private static final Pattern KICKSTART = Pattern.compile("/ks/([^/]+)");
    private static final Pattern INSTALL_FILE = Pattern.compile("/files/([^/]+)/([^/]+)");
    private static final Pattern DONE = Pattern.compile("/done/([^/]+)");
    private static final String SCRIPT = "/boot.ipxe";
    private static final String LOADERS = "/tftp/";
    /** A host has a handful of addresses; every DHCP answer needs the base URL of one of them. */
    private static final BoundedCache<ServerUrl, URI> SERVER_URLS = new BoundedCache<>(64);

    private record ServerUrl(InetAddress server, int httpPort) {
    }

    private BootUrls() {
    }

    /** What a URL or TFTP name asks for. */
    public sealed interface Request permits Script, BootFileRef, Kickstart, InstallFile, Done, Loader, PxelinuxConfig,
            GrubConfig {
    }

    /** The iPXE script of a machine, planned for {@code firmware}. */
    public record Script(MacAddress mac, Firmware firmware) implements Request {
    }

    /** The kernel ({@code initrd} -1) or initrd number {@code initrd} of a machine, planned for {@code firmware}. */
    public record BootFileRef(MacAddress mac, Firmware firmware, int initrd) implements Request {
        public boolean kernel() {
            return initrd < 0;
        }
    }

    /** The machine's rendered kickstart. */
    public record Kickstart(MacAddress mac) implements Request {
    }

    /** One of the machine's install files ({@code files:}). */
    public record InstallFile(MacAddress mac, String name) implements Request {
    }

    /** The machine's install reported done. */
    public record Done(MacAddress mac) implements Request {
    }

    /** A first-stage loader from the tftproot; {@code mac} when the planner sent a machine's iPXE for it. */
    public record Loader(String name, Optional<MacAddress> mac) implements Request {
    }

    /** pxelinux's config for the machine; pxelinux runs on x86 BIOS. */
    public record PxelinuxConfig(MacAddress mac) implements Request {
    }

    /** GRUB's config for the machine, for every UEFI architecture GRUB may be running on. */
    public record GrubConfig(MacAddress mac) implements Request {
    }

    /** A URL that names a boot resource but can't be answered; the message says what is wrong. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    // --- built ---------------------------------------------------------------------------------

    /** {@code http://server[:port]}, the base of every URL a machine is handed. */
    public static URI serverUrl(InetAddress server, int httpPort) {
        return SERVER_URLS.get(new ServerUrl(server, httpPort), key -> {
            String host = key.server().getHostAddress();
            host = host.contains(":") ? "[" + host + "]" : host;
            return URI.create("http://" + host + (key.httpPort() == 80 ? "" : ":" + key.httpPort()));
        });
    }

    /**
     * The script URL names every firmware but BIOS: the script must know UEFI from BIOS (an installed
     * bootOnce machine leaves with {@code exit} under UEFI, {@code sanboot} under BIOS).
     */
    public static URI script(URI serverUrl, Machine machine) {
        String firmware = machine.firmware() == Firmware.BIOS ? "" : "&firmware=" + machine.firmware().id();
        return serverUrl.resolve(SCRIPT + "?mac=" + machine.mac() + firmware);
    }

    /** The kernel over HTTP. */
    public static URI kernel(URI serverUrl, Machine machine) {
        return serverUrl.resolve("/boot/" + machine.mac().dashed() + "/kernel" + firmwareQuery(machine.firmware()));
    }

    /** Initrd number {@code index} over HTTP: the first is {@code /initrd}, later ones {@code /initrd/N}. */
    public static URI initrd(URI serverUrl, Machine machine, int index) {
        return serverUrl.resolve("/boot/" + machine.mac().dashed() + initrdSuffix(index) + firmwareQuery(machine.firmware()));
    }

    /** The rendered kickstart. */
    public static URI kickstart(URI serverUrl, MacAddress mac) {
        return serverUrl.resolve("/ks/" + mac.dashed());
    }

    /** The base of the machine's install files, ending in a slash: cloud-init's NoCloud seed. */
    public static URI files(URI serverUrl, MacAddress mac) {
        return serverUrl.resolve("/files/" + mac.dashed() + "/");
    }

    /**
     * A loader over HTTP. With the MAC when an iPXE is sent to chainload it: the fetch is then
     * recorded by MAC even when the machine is behind a router, where no neighbour table knows it.
     */
    public static String loader(URI serverUrl, String loader, Optional<MacAddress> mac) {
        return serverUrl + LOADERS + loader + mac.map(m -> "?mac=" + m).orElse("");
    }

    /** The TFTP name of pxelinux's config for the machine. */
    public static String pxelinuxConfig(MacAddress mac) {
        return "pxelinux.cfg/01-" + mac.dashed();
    }

    /** The TFTP name of GRUB's config for the machine, in the prefix Debian's GRUB uses. */
    public static String grubConfig(MacAddress mac) {
        return "grub/grub.cfg-01-" + mac.dashed();
    }

    /** The kernel's TFTP name as the configs write it: absolute, so it does not depend on the loader's prefix. */
    public static String tftpKernel(Machine machine) {
        return tftpBase(machine) + "/kernel";
    }

    /** Initrd number {@code index}'s TFTP name, absolute like {@link #tftpKernel}. */
    public static String tftpInitrd(Machine machine, int index) {
        return tftpBase(machine) + initrdSuffix(index);
    }

    /** Every per-machine name TFTP answers for a machine with {@code initrds} initrds. */
    public static List<String> tftpNames(Machine machine, int initrds) {
        List<String> names = new ArrayList<>(List.of(pxelinuxConfig(machine.mac()), grubConfig(machine.mac()),
                tftpKernel(machine)));
        for (int i = 0; i < initrds; i++) {
            names.add(tftpInitrd(machine, i));
        }
        return List.copyOf(names);
    }

    private static String tftpBase(Machine machine) {
        Firmware firmware = machine.firmware();
        return "/" + machine.mac().dashed() + (firmware.arch() == Firmware.Arch.X86_64 ? "" : "/" + firmware.id());
    }

    private static String initrdSuffix(int index) {
        return index == 0 ? "/initrd" : "/initrd/" + index;
    }

    /**
     * {@code ?firmware=<id>} for URLs of machines that are not x86-64, which HTTP assumes when a URL
     * doesn't say: a kernel out of a multi-arch image must be the machine's architecture, and only
     * DHCP saw it (option 93).
     */
    private static String firmwareQuery(Firmware firmware) {
        return firmware.arch() == Firmware.Arch.X86_64 ? "" : "?firmware=" + firmware.id();
    }

    // --- parsed --------------------------------------------------------------------------------

    /**
     * What an HTTP request path asks for; empty when it names no boot resource (the API, metrics, …).
     *
     * @param query the decoded query parameters
     * @throws Malformed when the path is a boot resource's but a MAC, firmware or parameter is wrong
     */
    public static Optional<Request> parseHttp(String path, Map<String, List<String>> query) throws Malformed {
        if (path.startsWith(LOADERS)) {
            Optional<MacAddress> mac = query.containsKey("mac") ? Optional.of(macParam(query)) : Optional.empty();
            return Optional.of(new Loader(path.substring(LOADERS.length()), mac));
        }
        if (path.equals(SCRIPT)) {
            return Optional.of(new Script(macParam(query), firmwareParam(query)));
        }
        Matcher m;
        if ((m = HTTP_FILE.matcher(path)).matches()) {
            return Optional.of(bootFile(mac(m.group(1)), firmwareParam(query), m.group(2), m.group(3)));
        }
        if ((m = KICKSTART.matcher(path)).matches()) {
            return Optional.of(new Kickstart(mac(m.group(1))));
        }
        if ((m = INSTALL_FILE.matcher(path)).matches()) {
            return Optional.of(new InstallFile(mac(m.group(1)), m.group(2)));
        }
        if ((m = DONE.matcher(path)).matches()) {
            return Optional.of(new Done(mac(m.group(1))));
        }
        return Optional.empty();
    }

    /** What a TFTP name (relative, no leading slash) asks for; empty when it is no per-machine name. */
    public static Optional<Request> parseTftp(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        Matcher m = PXELINUX.matcher(lower);
        if (m.matches()) {
            return Optional.of(new PxelinuxConfig(MacAddress.parse(m.group(1))));
        }
        m = GRUB.matcher(lower);
        if (m.matches()) {
            return Optional.of(new GrubConfig(MacAddress.parse(m.group(1))));
        }
        m = TFTP_FILE.matcher(lower);
        if (m.matches()) {
            Optional<Firmware> firmware = m.group(2) == null ? Optional.of(Firmware.BIOS) : Firmware.byId(m.group(2));
            if (firmware.isPresent()) {
                return Optional.of(bootFile(MacAddress.parse(m.group(1)), firmware.get(), m.group(3), m.group(4)));
            }
        }
        return Optional.empty();
    }

    private static BootFileRef bootFile(MacAddress mac, Firmware firmware, String part, String index) {
        int initrd = part.equals("kernel") ? -1 : index == null ? 0 : Integer.parseInt(index);
        return new BootFileRef(mac, firmware, initrd);
    }

    private static MacAddress macParam(Map<String, List<String>> query) throws Malformed {
        List<String> values = query.get("mac");
        if (values == null || values.isEmpty()) {
            throw new Malformed("missing ?mac= (e.g. " + SCRIPT + "?mac=52:54:00:12:34:56)");
        }
        return mac(values.get(0));
    }

    /** x86-64 BIOS when the URL does not say: the URLs of x86-64 machines carry no firmware. */
    private static Firmware firmwareParam(Map<String, List<String>> query) throws Malformed {
        List<String> values = query.get("firmware");
        if (values == null || values.isEmpty()) {
            return Firmware.BIOS;
        }
        Optional<Firmware> firmware = Firmware.byId(values.get(0));
        if (firmware.isEmpty()) {
            throw new Malformed("unknown firmware '" + values.get(0) + "' (known: " + Firmware.ids() + ")");
        }
        return firmware.get();
    }

    private static MacAddress mac(String text) throws Malformed {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Malformed(e.getMessage());
        }
    }
}
