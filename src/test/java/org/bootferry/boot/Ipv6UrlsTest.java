package org.bootferry.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine that came over IPv6 is handed URLs with the bracketed literal of the address it came to,
 * in every document: the iPXE script, its kernel and initrd, the kickstart and install files, the
 * done report, GRUB's and pxelinux's configs, and DHCPv6 option 59; and its cmdline sets up IPv6.
 */
class Ipv6UrlsTest {

    static final MacAddress NODE = MacAddress.parse("52:54:00:12:34:56");
    static final String V6 = "http://[fd42::1]:8080/";
    /** Any URL in a document: its host must be the bracketed IPv6 address. */
    static final Pattern URL = Pattern.compile("(https?|tftp)://([^/\\s\"']+)/");

    @TempDir
    Path tmp;
    ConfigDir config;
    InetAddress fd42;

    @BeforeEach
    void anInstallOverIpv6() throws Exception {
        fd42 = InetAddress.getByName("fd42:0:0:0:0:0:0:1");
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10);
        config.blob("boot/initrd.img", 10);
        config.file("server.yaml", "advertise: 10.0.0.1", "advertise6: fd42::1", "httpPort: 8080");
        config.file("templates/fedora.ks", "url --url={{serverUrl}}/repo", "%post", "curl -X POST {{doneUrl}}",
                "echo server={{server}} family={{family}}", "%end");
        config.file("templates/user-data", "#cloud-config", "phone_home: {url: \"{{doneUrl}}\"}", "seed: {{filesUrl}}");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "kickstart: fedora.ks",
                "files: {user-data: user-data}",
                "kernelBoot:", "  files: {kernel: boot/vmlinuz, initrd: [boot/initrd.img]}",
                "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}} inst.stage2={{kernelUrl}}");
    }

    private BootPlanner planner() {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        return new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot));
    }

    private BootPlan plan(Firmware firmware, boolean ipxe, InetAddress server) {
        return planner().plan(new Machine(NODE, firmware, ipxe, Optional.of(server))).orElseThrow();
    }

    private static void everyUrlNames(String document, String host) {
        Matcher m = URL.matcher(document);
        int urls = 0;
        while (m.find()) {
            assertThat(m.group(2)).as(m.group()).startsWith(host);
            urls++;
        }
        assertThat(urls).as("URLs in\n" + document).isPositive();
    }

    @Test
    void theIpxeScriptAndTheUrlsItNamesAreBracketed() {
        BootPlan plan = plan(Firmware.EFI_X64, true, fd42);
        String script = IpxeScript.render(plan);
        everyUrlNames(script, "[fd42::1]:8080");
        assertThat(plan.bootFile()).startsWith(V6 + "boot/52-54-00-12-34-56/");
        assertThat(plan.scriptUrl().toString()).startsWith(V6);
        assertThat(plan.kernelUrl().toString()).startsWith(V6 + "boot/52-54-00-12-34-56/");
        assertThat(plan.initrdUrl(0).toString()).startsWith(V6);
        assertThat(plan.kickstartUrl().toString()).startsWith(V6 + "ks/52-54-00-12-34-56/");
        assertThat(plan.filesUrl().toString()).startsWith(V6 + "files/52-54-00-12-34-56/");
        assertThat(plan.doneUrl().toString()).startsWith(V6 + "done/52-54-00-12-34-56/");
    }

    @Test
    void theCmdlineNamesTheIpv6ServerAndAsksDracutForDhcp6() {
        String cmdline = plan(Firmware.EFI_X64, true, fd42).cmdline();
        everyUrlNames(cmdline, "[fd42::1]:8080");
        assertThat(cmdline).endsWith(" ip=dhcp6");
        assertThat(plan(Firmware.EFI_X64, true, InetAddress.getLoopbackAddress()).cmdline())
                .as("over IPv4 nothing is added").doesNotContain("ip=");
    }

    @Test
    void installFilesAndTheirTemplateValuesNameTheIpv6Server() {
        BootPlanner planner = planner();
        Machine machine = new Machine(NODE, Firmware.BIOS, true, Optional.of(fd42));
        String ks = planner.kickstart(machine).orElseThrow();
        everyUrlNames(ks, "[fd42::1]:8080");
        assertThat(ks).contains("server=[fd42::1] family=6");
        everyUrlNames(planner.installFile(machine, "user-data").orElseThrow(), "[fd42::1]:8080");
        assertThat(planner.kickstart(new Machine(NODE, Firmware.BIOS, true, Optional.of(InetAddress.getLoopbackAddress())))
                .orElseThrow()).contains("server=127.0.0.1 family=4");
    }

    @Test
    void grubAndPxelinuxConfigsOverHttpNameTheIpv6Server() {
        for (LoaderConfig.Kind kind : LoaderConfig.Kind.values()) {
            String name = kind == LoaderConfig.Kind.GRUB ? BootUrls.grubConfig("grub/", NODE)
                    : BootUrls.pxelinuxConfig("", NODE);
            String rendered = planner().loaderConfig(new BootUrls.LoaderConfigFile(kind, NODE, name,
                    BootUrls.Protocol.HTTP), Optional.of(fd42)).orElseThrow();
            everyUrlNames(rendered, "[fd42::1]:8080");
        }
    }

    @Test
    void dhcp6BootFileUrlsAreTftpOrHttpOnTheBracketedLiteral() {
        assertThat(plan(Firmware.EFI_X64, false, fd42).bootFileUrl()).isEqualTo("tftp://[fd42::1]/ipxe.efi");
        assertThat(plan(Firmware.HTTP_X64, false, fd42).bootFileUrl())
                .isEqualTo(V6 + "boot/52-54-00-12-34-56/tftp/ipxe.efi");
        assertThat(plan(Firmware.EFI_X64, true, fd42).bootFileUrl()).startsWith(V6 + "boot/52-54-00-12-34-56/")
                .endsWith("/boot.ipxe?firmware=efi-x64");
    }

    /** A link-local address needs the client's zone, which no URL the machine gets could carry. */
    @Test
    void aRequestToALinkLocalAddressIsSentToAdvertise6() throws Exception {
        BootPlan plan = plan(Firmware.EFI_X64, true, InetAddress.getByName("fe80::1%1"));
        assertThat(plan.nextServer()).isEqualTo(fd42);
        assertThat(plan.scriptUrl().toString()).startsWith(V6);
    }

    @Test
    void aProfileThatSetsItsOwnIpKeepsIt() {
        assertThat(KernelArgs6.forFamily("console=ttyS0 ip=dhcp inst.ks=x", true)).isEqualTo("console=ttyS0 ip=dhcp inst.ks=x");
        assertThat(KernelArgs6.forFamily("ip=[fd42::9]::[fd42::1]:64:node:eth0:none", true))
                .isEqualTo("ip=[fd42::9]::[fd42::1]:64:node:eth0:none");
        assertThat(KernelArgs6.forFamily("", true)).isEqualTo("ip=dhcp6");
        assertThat(KernelArgs6.forFamily("console=ttyS0 vip=1", true)).isEqualTo("console=ttyS0 vip=1 ip=dhcp6");
    }

    /** The README's profile for both families. */
    @Test
    void oneProfileChoosesItsIpPerFamily() {
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}",
                "  kernelArgs: \"{{#if family == '6'}}ip=dhcp6{{else}}ip=dhcp{{/if}} console=ttyS0\"");
        assertThat(plan(Firmware.EFI_X64, true, fd42).cmdline()).isEqualTo("ip=dhcp6 console=ttyS0");
        assertThat(plan(Firmware.EFI_X64, true, InetAddress.getLoopbackAddress()).cmdline())
                .isEqualTo("ip=dhcp console=ttyS0");
    }

    /** The Debian installer configures IPv6 from the RA itself (netcfg/use_autoconfig, true by default). */
    @Test
    void theDebianInstallerGetsNothingAdded() {
        for (String cmdline : List.of("auto=true priority=critical url=http://[fd42::1]:8080/files/x/preseed.cfg",
                "preseed/url=http://[fd42::1]/p.cfg", "netcfg/choose_interface=auto")) {
            assertThat(KernelArgs6.forFamily(cmdline, true)).isEqualTo(cmdline);
        }
    }
}
