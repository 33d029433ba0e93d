package org.bootferry.boot;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every stage would answer one machine, computed without serving (or pulling) anything: the
 * body of {@code bootferry explain} and {@code GET /api/machines/M}.
 *
 * @param machineFile  the file the answer comes from ({@code machines/…yaml} or {@code default.yaml})
 * @param dhcp         the boot file DHCP names, per firmware id, and for {@code ipxe} (the script URL);
 *                     a firmware that can't be booted maps to the reason
 * @param chains       per firmware id that can be booted: the loaders it goes through and whether they
 *                     run with Secure Boot on
 * @param tftpFiles    the per-machine boot files TFTP answers by name (kernel, initrds)
 * @param loaderConfigs what a stock loader gets when it asks for its per-machine config, by loader
 *                     ({@code pxelinux}, {@code grub}): rendered from this plan, or the tftproot's own
 * @param kernel       where the kernel comes from, its URL, and its digest when known without fetching;
 *                     empty for a machine that boots its loader's own menu
 * @param kernelFormat what the kernel is ({@code an x86-64 bzImage with an EFI stub (…)}), when known
 *                     without fetching: a local file, or an image in this host's cache
 * @param initrds      the same for each initrd
 * @param imagePull    for a kernel from an image: where the server's background pull of it is, when one
 *                     was started for its file ({@code queued}, {@code pulling N of M bytes}, {@code done},
 *                     {@code failed: reason}); never known to explain run outside the server
 * @param installFile  the rendered kickstart's size and digest, if the machine has one: its text
 *                     carries passwords and keys ({@code {{secrets.…}}}), and goes to its machine only
 * @param files        the machine's other install files ({@code files:}, its {@code cloudInitNoCloud} seed): name to URL
 * @param installed    when a {@code bootOnce} machine reported its install done (ISO-8601)
 * @param warnings     what in its file can't be honoured (a VM spec's field), and kernels some of a
 *                     firmware's loaders may not boot (a firmware none boots has its reason in {@code dhcp})
 */
public record Explanation(
        String mac,
        String hostname,
        String machineFile,
        Optional<String> profile,
        Map<String, String> dhcp,
        Map<String, Chain> chains,
        String nextServer,
        List<String> tftpFiles,
        Map<String, String> loaderConfigs,
        Optional<Source> kernel,
        Optional<String> kernelFormat,
        List<Source> initrds,
        Optional<String> imagePull,
        String cmdline,
        String script,
        String kickstartUrl,
        Optional<Rendered> installFile,
        Map<String, String> files,
        boolean bootOnce,
        Optional<String> installed,
        boolean localBoot,
        List<String> warnings) {

    /**
     * How a machine of one firmware boots.
     *
     * @param stages     the loaders, each with how it is fetched, up to the kernel or the config it reads
     * @param secureBoot whether the chain runs with Secure Boot on (Microsoft's keys), and if not, why
     */
    public record Chain(String stages, String secureBoot) {
    }

    /** A rendered install file, by what tells two versions apart: its length in bytes and SHA-256 (hex). */
    public record Rendered(long size, String sha256) {

        static Rendered of(String text) {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try {
                return new Rendered(bytes.length, java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(bytes)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java has SHA-256 (MessageDigest's required algorithms)", e);
            }
        }
    }

    /** A boot file: where bootferry takes it from, where the machine fetches it, its digest if known. */
    public record Source(String from, String url, Optional<String> digest) {
    }
}
