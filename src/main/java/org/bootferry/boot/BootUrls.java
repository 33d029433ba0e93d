package org.bootferry.boot;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.lang.AddressText;
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
 * {@code /boot/M/tftp/NAME}: the tftproot over HTTP as machine M fetches it, which is how every
 * loader is handed out by URL (UEFI HTTP Boot, an iPXE chainloading the server's loader or a loader
 * with a menu of its own). {@code /tftp/NAME} is the same without a MAC, and {@code /tftp/NAME?mac=M}
 * is still understood: iPXE scripts in the wild name it. M is the MAC in dash form, F a
 * {@link Firmware#id()}.
 *
 * <p>Capability URLs: a machine whose access is not {@code open} is handed its private URLs with
 * its per-boot {@link Capability} C as the path segment after the MAC: {@code /boot/M/C/boot.ipxe},
 * {@code /boot/M/C/kernel} and {@code /boot/M/C/initrd[/N]} (a kernel and initrds that are
 * {@link BootFile#isPrivate() private}), {@code /ks/M/C}, {@code /files/M/C/NAME},
 * {@code POST /done/M/C}. In the path, not the query, for the reason below: an installer fetching
 * {@code user-data} relative to {@code /files/M/C/} stays under it. Loaders under
 * {@code /boot/M/tftp/} and TFTP names carry none: firmware fetches them before any capability
 * could be handed to it.
 *
 * <p>Why the MAC is in the path and not in a query string: a loader fetches its own files relative
 * to the URL it was loaded from. pxelinux keeps its URL up to the last character that is not
 * {@code [0-9a-z.-]} as the prefix of every name it asks for (syslinux {@code core/fs/pxe/pxe.c},
 * {@code get_prefix}), so {@code …/pxelinux.0?mac=52:54:00:12:34:56} made it ask for
 * {@code …?mac=52:54:00:12:34:ldlinux.c32}; shim keeps its URL up to the last {@code /} and
 * appends {@code grubx64.efi} (shim {@code httpboot.c}, {@code generate_next_uri}); GRUB takes the
 * directory as its {@code $prefix}. With {@code /boot/M/tftp/debian-installer/amd64/pxelinux.0} each
 * of those lands under {@code /boot/M/tftp/} again, so every file a loader fetches is served from the
 * tftproot and recorded as fetched by M — also when the machine is behind a router, where no
 * neighbour table knows its MAC (and that record is what ends a chainload, see
 * {@code journal/LoaderFetches}). The MAC is dashed because pxelinux cuts at a colon.
 *
 * <p>TFTP, which carries neither MAC nor architecture: {@code …pxelinux.cfg/01-M} (pxelinux's
 * per-machine config: ARP type 1, then the MAC) and {@code …grub.cfg-01-M} (GRUB's), each under any
 * directory, since a loader asks in the directory it was loaded from or built for;
 * {@code M/kernel}, {@code M/initrd[/N]}, and for a loader that is not x86-64 the firmware in the
 * path: {@code M/efi-arm64/kernel}. Over HTTP the same config names under {@code /boot/M/tftp/} or
 * {@code /tftp/} are the configs too.
 */
public final class BootUrls {

    private static final String MAC = "([0-9a-f]{2}(?:-[0-9a-f]{2}){5})";
    /** {@code kernel}, {@code initrd} or {@code initrd/N}: a machine has one kernel. */
    private static final String BOOT_FILE = "(kernel|initrd(?:/([1-9][0-9]{0,2}))?)";
    private static final Pattern PXELINUX = Pattern.compile("(?:.*/)?pxelinux\\.cfg/01-" + MAC);
    private static final Pattern GRUB = Pattern.compile("(?:.*/)?grub\\.cfg-01-" + MAC);
    private static final Pattern TFTP_FILE = Pattern.compile(MAC + "(?:/([a-z0-9-]+))?/" + BOOT_FILE);
    /** The segment after the MAC where a capability goes; any text, so that a mangled one is a refused request. */
    private static final String CAPABILITY = "(?:/([^/]+))";
    private static final Pattern HTTP_FILE = Pattern.compile("/boot/([^/]+)" + CAPABILITY + "?/" + BOOT_FILE);
    private static final Pattern MACHINE_TFTP = Pattern.compile("/boot/([^/]+)/tftp/(.*)");
    private static final Pattern CAPABILITY_SCRIPT = Pattern.compile("/boot/([^/]+)" + CAPABILITY + "/boot\\.ipxe");
    private static final Pattern KICKSTART = Pattern.compile("/ks/([^/]+)" + CAPABILITY + "?");
    private static final Pattern INSTALL_FILE = Pattern.compile("/files/([^/]+)" + CAPABILITY + "?/([^/]+)");
    private static final Pattern DONE = Pattern.compile("/done/([^/]+)" + CAPABILITY + "?");
    private static final String SCRIPT = "/boot.ipxe";
    private static final String TFTP_ROOT = "/tftp/";
    /** A host has a handful of addresses; every DHCP answer needs the base URL of one of them. */
    private static final BoundedCache<ServerUrl, URI> SERVER_URLS = new BoundedCache<>(64);

    private record ServerUrl(String scheme, InetAddress server, int port) {
    }

    private BootUrls() {
    }

    /** How a name of the tftproot was asked for: a config names its files so that they come the same way. */
    public enum Protocol {
        TFTP, HTTP
    }

    /** What a URL or TFTP name asks for. */
    public sealed interface Request permits Private, Loader, LoaderConfigFile {
    }

    /**
     * A request of a machine's own URL, which may carry its capability.
     *
     * @see Capabilities#check
     */
    public sealed interface Private extends Request permits Script, BootFileRef, Kickstart, InstallFile, Done {
        MacAddress mac();

        /** The capability in the URL's path; empty for a static URL (and over TFTP). */
        Optional<Capability> capability();
    }

    /** The iPXE script of a machine, planned for {@code firmware}. */
    public record Script(MacAddress mac, Firmware firmware, Optional<Capability> capability) implements Private {
    }

    /** The kernel ({@code initrd} -1) or initrd number {@code initrd} of a machine, planned for {@code firmware}. */
    public record BootFileRef(MacAddress mac, Firmware firmware, int initrd, Optional<Capability> capability)
            implements Private {
        public boolean kernel() {
            return initrd < 0;
        }
    }

    /** The machine's rendered kickstart. */
    public record Kickstart(MacAddress mac, Optional<Capability> capability) implements Private {
    }

    /** One of the machine's install files ({@code files:}). */
    public record InstallFile(MacAddress mac, String name, Optional<Capability> capability) implements Private {
    }

    /** The machine's install reported done. */
    public record Done(MacAddress mac, Optional<Capability> capability) implements Private {
    }

    /**
     * A file of the tftproot over HTTP: a loader, or a file a loader fetches relative to itself.
     *
     * @param mac the machine fetching it, when the URL says ({@code /boot/M/tftp/NAME}, or the old
     *            {@code ?mac=M})
     */
    public record Loader(String name, Optional<MacAddress> mac) implements Request {
    }

    /**
     * A loader's per-machine config: pxelinux's {@code …pxelinux.cfg/01-M} or GRUB's
     * {@code …grub.cfg-01-M}, in whatever directory the loader asks.
     *
     * @param name     the name as asked, relative to the tftproot: the file served when bootferry
     *                 renders no config for the machine
     * @param protocol how it was asked for, which is how the config's kernel and initrds are fetched
     */
    public record LoaderConfigFile(LoaderConfig.Kind kind, MacAddress mac, String name, Protocol protocol)
            implements Request {
    }

    /** A URL that names a boot resource but can't be answered; the message says what is wrong. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message, null, false, false);
        }
    }

    // --- built ---------------------------------------------------------------------------------

    /**
     * {@code http://server[:port]}, the base of every URL a machine is handed: an IPv6 server as a
     * bracketed literal ({@code http://[fd42::1]:8080}, RFC 3986 §3.2.2), which is what EDK2's HTTP
     * Boot and iPXE were measured to fetch from (reference/ipv6).
     */
    public static URI serverUrl(InetAddress server, int httpPort) {
        return serverUrl("http", server, httpPort);
    }

    /**
     * {@code https://server[:port]}, the base of the loader URL UEFI HTTP Boot is handed when the
     * server has an {@code https:} section.
     */
    public static URI httpsServerUrl(InetAddress server, int httpsPort) {
        return serverUrl("https", server, httpsPort);
    }

    private static URI serverUrl(String scheme, InetAddress server, int port) {
        return SERVER_URLS.get(new ServerUrl(scheme, server, port), key -> {
            int defaultPort = key.scheme().equals("https") ? 443 : 80;
            return URI.create(key.scheme() + "://" + host(key.server()) + (key.port() == defaultPort ? "" : ":" + key.port()));
        });
    }
    /**
     * A boot file as DHCPv6 option 59 names it (RFC 5970 §3.1): a URL, since DHCPv6 has no
     * next-server. A TFTP name becomes {@code tftp://[server]/NAME}, the only form EDK2's PXE takes
     * (PxeBcExtractBootFileUrl: a bracketed literal, no host name); an {@code http://} boot file (iPXE,
     * UEFI HTTP Boot) is one already and is returned as it is.
     *
     * @param server the IPv6 address the plan was made for ({@link BootPlan#nextServer()})
     */
    public static String bootFileUrl(InetAddress server, String bootFile) {
        if (bootFile.startsWith("http://") || bootFile.startsWith("https://")) {
            return bootFile;
        }
        return "tftp://" + host(server) + "/" + (bootFile.startsWith("/") ? bootFile.substring(1) : bootFile);
    }

    /**
     * An address as the host of a URL: IPv4 dotted, IPv6 bracketed in RFC 5952's short form and
     * without a zone (a zone names an interface of ours, which means nothing to the machine).
     */
    public static String host(InetAddress address) {
        return address instanceof Inet6Address ? "[" + AddressText.of(address) + "]" : AddressText.of(address);
    }

    /**
     * The script URL names every firmware but BIOS: the script must know UEFI from BIOS (an installed
     * bootOnce machine leaves with {@code exit} under UEFI, {@code sanboot} under BIOS).
     */
    public static URI script(URI serverUrl, Machine machine, Optional<Capability> capability) {
        String firmware = machine.firmware() == Firmware.BIOS ? "" : "firmware=" + machine.firmware().id();
        if (capability.isPresent()) {
            return serverUrl.resolve(machineBase(machine.mac(), capability) + SCRIPT
                    + (firmware.isEmpty() ? "" : "?" + firmware));
        }
        return serverUrl.resolve(SCRIPT + "?mac=" + machine.mac() + (firmware.isEmpty() ? "" : "&" + firmware));
    }

    /** The kernel over HTTP; {@code capability} for a private one. */
    public static URI kernel(URI serverUrl, Machine machine, Optional<Capability> capability) {
        return serverUrl.resolve(machineBase(machine.mac(), capability) + "/kernel" + firmwareQuery(machine.firmware()));
    }

    /** Initrd number {@code index} over HTTP: the first is {@code /initrd}, later ones {@code /initrd/N}. */
    public static URI initrd(URI serverUrl, Machine machine, int index, Optional<Capability> capability) {
        return serverUrl.resolve(machineBase(machine.mac(), capability) + initrdSuffix(index)
                + firmwareQuery(machine.firmware()));
    }

    /** The rendered kickstart. */
    public static URI kickstart(URI serverUrl, MacAddress mac, Optional<Capability> capability) {
        return serverUrl.resolve("/ks/" + mac.dashed() + segment(capability));
    }

    /** The base of the machine's install files, ending in a slash: cloud-init's NoCloud seed. */
    public static URI files(URI serverUrl, MacAddress mac, Optional<Capability> capability) {
        return serverUrl.resolve("/files/" + mac.dashed() + segment(capability) + "/");
    }

    /** Where the installer reports the install done ({@code POST}). */
    public static URI done(URI serverUrl, MacAddress mac, Optional<Capability> capability) {
        return serverUrl.resolve("/done/" + mac.dashed() + segment(capability));
    }

    private static String machineBase(MacAddress mac, Optional<Capability> capability) {
        return "/boot/" + mac.dashed() + segment(capability);
    }

    private static String segment(Optional<Capability> capability) {
        return capability.map(c -> "/" + c).orElse("");
    }

    /**
     * A loader over HTTP as machine {@code mac} fetches it: {@code /boot/M/tftp/LOADER}, under which
     * its relative fetches land too (see the class comment).
     */
    public static String loader(URI serverUrl, String loader, MacAddress mac) {
        return serverUrl + machineTftpRoot(mac) + loader;
    }

    /** The tftproot as {@code mac} fetches it over HTTP, a path ending in a slash. */
    private static String machineTftpRoot(MacAddress mac) {
        return "/boot/" + mac.dashed() + TFTP_ROOT;
    }

    /** The name pxelinux asks for its config in {@code directory} ({@code ""} for the root, else ending in '/'). */
    public static String pxelinuxConfig(String directory, MacAddress mac) {
        return directory + "pxelinux.cfg/01-" + mac.dashed();
    }

    /** The name GRUB asks for its config in its prefix {@code directory} ({@code ""} or ending in '/'). */
    public static String grubConfig(String directory, MacAddress mac) {
        return directory + "grub.cfg-01-" + mac.dashed();
    }

    /**
     * The kernel's TFTP name, absolute from the server's root so that it does not depend on the
     * loader's directory (pxelinux's config writes it after {@code ::}, see {@link LoaderConfig}).
     */
    public static String tftpKernel(Machine machine) {
        return tftpBase(machine) + "/kernel";
    }

    /** Initrd number {@code index}'s TFTP name, absolute like {@link #tftpKernel}. */
    public static String tftpInitrd(Machine machine, int index) {
        return tftpBase(machine) + initrdSuffix(index);
    }

    /** The per-machine boot files TFTP answers for a machine with {@code initrds} initrds: kernel, then initrds. */
    public static List<String> tftpBootFiles(Machine machine, int initrds) {
        List<String> names = new ArrayList<>(List.of(tftpKernel(machine)));
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
        if (path.startsWith(TFTP_ROOT)) {
            Optional<MacAddress> mac = query.containsKey("mac") ? Optional.of(macParam(query)) : Optional.empty();
            return Optional.of(tftpRootName(path.substring(TFTP_ROOT.length()), mac));
        }
        if (path.equals(SCRIPT)) {
            return Optional.of(new Script(macParam(query), firmwareParam(query), Optional.empty()));
        }
        Matcher m;
        if ((m = MACHINE_TFTP.matcher(path)).matches()) {
            return Optional.of(tftpRootName(m.group(2), Optional.of(mac(m.group(1)))));
        }
        if ((m = CAPABILITY_SCRIPT.matcher(path)).matches()) {
            return Optional.of(new Script(mac(m.group(1)), firmwareParam(query), capability(m.group(2))));
        }
        if ((m = HTTP_FILE.matcher(path)).matches()) {
            return Optional.of(bootFile(mac(m.group(1)), firmwareParam(query), m.group(3), m.group(4),
                    capability(m.group(2))));
        }
        if ((m = KICKSTART.matcher(path)).matches()) {
            return Optional.of(new Kickstart(mac(m.group(1)), capability(m.group(2))));
        }
        if ((m = INSTALL_FILE.matcher(path)).matches()) {
            return Optional.of(new InstallFile(mac(m.group(1)), m.group(3), capability(m.group(2))));
        }
        if ((m = DONE.matcher(path)).matches()) {
            return Optional.of(new Done(mac(m.group(1)), capability(m.group(2))));
        }
        return Optional.empty();
    }

    /**
     * A name of the tftproot over HTTP: a loader config when it is one, else a file. A config of
     * another machine than the path's is refused: no loader asks for one.
     */
    private static Request tftpRootName(String name, Optional<MacAddress> machine) throws Malformed {
        Optional<LoaderConfigFile> config = loaderConfig(name, Protocol.HTTP);
        if (config.isEmpty()) {
            return new Loader(name, machine);
        }
        if (machine.isPresent() && !machine.get().equals(config.get().mac())) {
            throw new Malformed("'" + name + "' is the config of " + config.get().mac() + ", not of " + machine.get()
                    + " whose files this URL names");
        }
        return config.get();
    }

    /** What a TFTP name (relative, no leading slash) asks for; empty when it is no per-machine name. */
    public static Optional<Request> parseTftp(String name) {
        Optional<LoaderConfigFile> config = loaderConfig(name, Protocol.TFTP);
        if (config.isPresent()) {
            return Optional.of(config.get());
        }
        Matcher m = TFTP_FILE.matcher(name.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            Optional<Firmware> firmware = m.group(2) == null ? Optional.of(Firmware.BIOS) : Firmware.byId(m.group(2));
            if (firmware.isPresent()) {
                return Optional.of(bootFile(MacAddress.parse(m.group(1)), firmware.get(), m.group(3), m.group(4),
                        Optional.empty()));
            }
        }
        return Optional.empty();
    }

    /** A per-machine pxelinux or GRUB config name, in any directory and any case. */
    private static Optional<LoaderConfigFile> loaderConfig(String name, Protocol protocol) {
        String lower = name.toLowerCase(Locale.ROOT);
        Matcher m = PXELINUX.matcher(lower);
        if (m.matches()) {
            return Optional.of(new LoaderConfigFile(LoaderConfig.Kind.PXELINUX, MacAddress.parse(m.group(1)), name, protocol));
        }
        m = GRUB.matcher(lower);
        if (m.matches()) {
            return Optional.of(new LoaderConfigFile(LoaderConfig.Kind.GRUB, MacAddress.parse(m.group(1)), name, protocol));
        }
        return Optional.empty();
    }

    private static BootFileRef bootFile(MacAddress mac, Firmware firmware, String part, String index,
            Optional<Capability> capability) {
        int initrd = part.equals("kernel") ? -1 : index == null ? 0 : Integer.parseInt(index);
        return new BootFileRef(mac, firmware, initrd, capability);
    }

    /** The path's capability segment, when it has one (group absent: a static URL). */
    private static Optional<Capability> capability(String segment) {
        return Optional.ofNullable(segment).map(Capability::read);
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
