package org.bootferry.boot;

import java.net.InetAddress;
import java.util.Optional;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;

/**
 * The one question every protocol asks — what does this machine boot? — and the files that follow
 * from the answer. DHCP renders a {@link BootPlan} as an offer, TFTP as loader configs and boot files,
 * HTTP as the iPXE script, boot files and install files. Every method reads the config in force at
 * the call, so edits apply to the next request.
 *
 * <p>Each method returns empty for a machine that is not answered (no file for its MAC and no
 * {@code default.yaml}), so that another boot server on the segment can serve it; {@link #plan}
 * also for the PXE firmware of an {@code httpBoot: true} machine, so that its HTTP Boot runs. It throws
 * {@link BootPlanException}, naming the file to fix, when the machine's config can't be planned.
 */
public interface Booter {

    /** What the machine boots. */
    Optional<BootPlan> plan(Machine machine);

    /**
     * The iPXE script of the machine's {@link #plan} (an iPXE client's), empty when that is; the same
     * text as {@link IpxeScript#of} the plan, planned once a second per machine and config.
     */
    Optional<IpxeScript> script(Machine machine);

    /** Why a DHCP answer to {@code machine} is left out when {@link #plan} is empty, for the log. */
    static String unplanned(Machine machine) {
        return "no boot for " + machine.mac() + " with " + machine.firmware().id() + " (no machine file, no default"
                + (machine.ipxe() || machine.firmware().httpBoot() ? "" : ", or httpBoot: true") + ")";
    }

    /**
     * The config a pxelinux or GRUB asking for {@code request} gets, rendered from the machine's plan
     * so that it fetches its files by {@link BootUrls.LoaderConfigFile#protocol()}; empty when the
     * machine has no boot of its own here ({@link BootPlan#ownBoot()}: no file, or one without a
     * kernel), so that the loader gets the tftproot's file of that name if there is one, and else
     * goes on to its next name ({@code pxelinux.cfg/default}, {@code grub.cfg}).
     *
     * @param server the address of ours the request arrived at, for URLs in the config
     */
    Optional<String> loaderConfig(BootUrls.LoaderConfigFile request, Optional<InetAddress> server);

    /**
     * The machine's kickstart (served at {@code /ks/M}) rendered for it: its {@code kickstart:}
     * template, or else the one its image carries once the image is cached; empty when it has neither.
     */
    Optional<String> kickstart(Machine machine);

    /** One of the machine's install files ({@code files:}, served at {@code /files/M/NAME}) rendered for it. */
    Optional<String> installFile(Machine machine, String name);

    /**
     * Why a request of a machine's own URL is not to be answered, or empty when it is: its capability
     * is the machine's and alive, or it carries none and the machine's {@code access} is {@code open},
     * or no file answers the MAC (there is nothing to protect, and the request is answered as unknown).
     * A request with a capability is checked even for an open machine (it switched to open
     * mid-install, and its URLs keep working). Whether a kernel or initrd needs one at all is the
     * caller's to ask ({@link BootFile#isPrivate()}).
     */
    Optional<Capabilities.Refusal> refusal(BootUrls.Private request);

    /**
     * Whether a machine file names this MAC. False for a MAC that only {@code default.yaml} answers,
     * or nothing does: the machines discovery records.
     */
    boolean configured(MacAddress mac);

    /** What every stage would answer the machine, for every firmware; pulls nothing. */
    default Optional<Explanation> explain(MacAddress mac) {
        return explain(mac, Optional.empty());
    }

    /**
     * The same for a machine that reaches us at {@code server}: its URLs name that address. With
     * an IPv6 address ({@code advertise6}), what the machine gets over IPv6: DHCP's boot files as
     * the URLs of DHCPv6 option 59 ({@link BootPlan#bootFileUrl()}), the cmdline with its IPv6
     * setting ({@code explain --family 6}).
     */
    Optional<Explanation> explain(MacAddress mac, Optional<InetAddress> server);
}
