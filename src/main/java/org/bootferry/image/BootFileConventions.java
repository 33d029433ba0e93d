package org.bootferry.image;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where images keep their kernel and initrd when the machine config doesn't say, tried in order:
 * <ol>
 * <li>Virtink kernel images: {@code /vmlinux};</li>
 * <li>bootc / ostree images: {@code /usr/lib/modules/<version>/vmlinuz} with {@code initramfs.img} beside it;</li>
 * <li>distribution images: {@code /boot/vmlinuz-<version>} with {@code /boot/initramfs-<version>.img}
 *     (Fedora) or {@code /boot/initrd.img-<version>} (Debian);</li>
 * <li>unversioned {@code /boot/vmlinuz} or {@code /vmlinuz} with {@code initramfs.img} / {@code initrd.img} beside it.</li>
 * </ol>
 * Among several versions the newest wins (compared like {@code sort -V}), and the initrd of the
 * same version is preferred to a newer one of another.
 */
final class BootFileConventions {

    /** The choice and the rule that made it, for the pull summary. */
    record Choice(String convention, String kernel, Optional<String> initrd) {
    }

    private static final Pattern BOOTC = Pattern.compile("/usr/lib/modules/([^/]+)/(vmlinuz|initramfs\\.img)");
    private static final Pattern BOOT_KERNEL = Pattern.compile("/boot/vmlinuz-(.+)");
    private static final Pattern BOOT_INITRD = Pattern.compile("/boot/(?:initramfs-(.+)\\.img|initrd\\.img-(.+))");
    private static final Pattern CHUNK = Pattern.compile("\\d+|\\D+");
    private static final Set<String> PLAIN = Set.of("/vmlinux", "/boot/vmlinuz", "/vmlinuz", "/boot/initramfs.img",
            "/boot/initrd.img", "/initrd.img");

    /** Paths worth keeping while reading an image whose boot files are to be found by convention. */
    static final Predicate<String> CANDIDATE = p -> PLAIN.contains(p) || BOOTC.matcher(p).matches()
            || BOOT_KERNEL.matcher(p).matches() || BOOT_INITRD.matcher(p).matches();

    private BootFileConventions() {
    }

    /** @param files every path of the image that resolves to a regular file */
    static Optional<Choice> choose(Collection<String> files) {
        if (files.contains("/vmlinux")) {
            return Optional.of(new Choice("Virtink /vmlinux", "/vmlinux", Optional.empty()));
        }
        Optional<String> bootc = files.stream().map(BOOTC::matcher).filter(m -> m.matches() && m.group(2).equals("vmlinuz"))
                .map(m -> m.group(1)).max(VERSION);
        if (bootc.isPresent()) {
            String dir = "/usr/lib/modules/" + bootc.get();
            String initrd = dir + "/initramfs.img";
            return Optional.of(new Choice("bootc " + dir, dir + "/vmlinuz",
                    files.contains(initrd) ? Optional.of(initrd) : Optional.empty()));
        }
        Optional<String> kernel = files.stream().map(BOOT_KERNEL::matcher).filter(Matcher::matches)
                .map(m -> m.group(1)).max(VERSION);
        if (kernel.isPresent()) {
            String version = kernel.get();
            Optional<String> initrd = files.stream().map(BOOT_INITRD::matcher).filter(Matcher::matches)
                    .max(Comparator.comparing((Matcher m) -> version.equals(initrdVersion(m)))
                            .thenComparing(BootFileConventions::initrdVersion, VERSION))
                    .map(m -> m.group());
            return Optional.of(new Choice("/boot/vmlinuz-<newest version>", "/boot/vmlinuz-" + version, initrd));
        }
        for (String dir : new String[] {"/boot", ""}) {
            if (files.contains(dir + "/vmlinuz")) {
                Optional<String> initrd = Optional.of(dir + "/initramfs.img").filter(files::contains)
                        .or(() -> Optional.of(dir + "/initrd.img").filter(files::contains));
                return Optional.of(new Choice(dir + "/vmlinuz", dir + "/vmlinuz", initrd));
            }
        }
        return Optional.empty();
    }

    private static String initrdVersion(Matcher m) {
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    /** Version order like {@code sort -V}: digit runs compare as numbers, the rest as text. */
    static final Comparator<String> VERSION = (a, b) -> {
        Matcher x = CHUNK.matcher(a);
        Matcher y = CHUNK.matcher(b);
        while (true) {
            boolean hx = x.find();
            boolean hy = y.find();
            if (!hx || !hy) {
                return Boolean.compare(hx, hy);
            }
            String cx = x.group();
            String cy = y.group();
            int c;
            if (Character.isDigit(cx.charAt(0)) && Character.isDigit(cy.charAt(0))) {
                c = new java.math.BigInteger(cx).compareTo(new java.math.BigInteger(cy));
            } else {
                c = cx.compareTo(cy);
            }
            if (c != 0) {
                return c;
            }
        }
    };

}
