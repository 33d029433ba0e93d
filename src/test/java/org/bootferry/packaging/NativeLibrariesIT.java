package org.bootferry.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;

/**
 * The jar carries native code for Linux on x86-64 and arm64 and for nothing else: Netty's epoll
 * transport and zstd-jni, each for both (pom.xml: the second epoll classifier, the shade filter on
 * zstd-jni's other platforms). Each library is judged by its ELF header, not only by its name, and
 * both load: on this JVM, and on Debian's arm64 JRE (scripts/debian-tree.sh with DEBIAN_ARCH=arm64,
 * unpacked once per machine) run by qemu-user.
 */
class NativeLibrariesIT {

    private static final Path JAR = Path.of(System.getProperty("bootferry.jar", "target/bootferry.jar"));
    private static final Path ARM64_TREE = Path.of(System.getProperty("bootferry.arm64Tree", "/var/tmp/bootferry-arm64-jre"));
    // ELF header (System V ABI, gABI "ELF Header"; values as in elf.h): e_ident[EI_OSABI] at 7,
    // e_machine at 18 (two bytes, little-endian for these targets).
    private static final int EI_OSABI = 7;
    private static final int ELFOSABI_SYSV = 0;
    private static final int ELFOSABI_GNU = 3;
    private static final int E_MACHINE = 18;
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;

    /** A native library in the jar: its path, and what its header says. */
    private record Native(String path, boolean elf, int osAbi, int machine) {

        String library() {
            String name = path.substring(path.lastIndexOf('/') + 1);
            return name.replaceAll("_(x86_64|aarch_64)(?=\\.so$)", "");
        }

        String arch() {
            return switch (machine) {
                case EM_X86_64 -> "x86-64";
                case EM_AARCH64 -> "arm64";
                default -> "e_machine " + machine;
            };
        }

        /** The architecture its path names, as Netty (x86_64, aarch_64) and zstd-jni (amd64, aarch64) spell it. */
        String archInPath() {
            if (path.matches(".*(x86_64|amd64).*")) {
                return "x86-64";
            }
            return path.matches(".*(aarch_64|aarch64).*") ? "arm64" : "none";
        }
    }

    @Test
    void jarHoldsLinuxNativesForX8664AndArm64Only() throws IOException {
        List<Native> natives = natives();
        assertThat(natives).as("native libraries in the jar").isNotEmpty();
        Map<String, TreeSet<String>> archsByLibrary = new TreeMap<>();
        for (Native n : natives) {
            assertThat(n.elf()).as(n.path() + " is ELF, not a Windows, macOS or AIX library").isTrue();
            assertThat(n.osAbi()).as(n.path() + " is for Linux (ELF OS ABI)").isIn(ELFOSABI_SYSV, ELFOSABI_GNU);
            assertThat(n.arch()).as(n.path() + " is for x86-64 or arm64").isIn("x86-64", "arm64");
            assertThat(n.archInPath()).as(n.path() + " is where its loader looks for " + n.arch()).isEqualTo(n.arch());
            archsByLibrary.computeIfAbsent(n.library(), k -> new TreeSet<>()).add(n.arch());
        }
        assertThat(archsByLibrary.keySet()).hasSize(2)
                .anyMatch(l -> l.startsWith("libnetty_transport_native_epoll"))
                .anyMatch(l -> l.startsWith("libzstd-jni"));
        assertThat(archsByLibrary.values()).as("each library for both").allMatch(a -> a.equals(new TreeSet<>(List.of("arm64", "x86-64"))));
        assertThat(natives).as("one file per library and architecture").hasSize(4);
    }

    @Test
    void nativesLoadOnX8664AndOnArm64() {
        Tools.requireRoot();
        Tools.require("debootstrap", "debootstrap");
        Path qemu = Tools.require("qemu-aarch64-static", "qemu-user-static");
        Processes.Result tree = Processes.run(List.of("env", "DEBIAN_ARCH=arm64", "scripts/debian-tree.sh", ARM64_TREE.toString(),
                "openjdk-17-jre-headless"), 1800);
        assertThat(tree.exit()).as(tree.text() + tree.stderr()).isZero();
        String classPath = JAR + ":" + Path.of("target/test-classes");
        String here = load(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()), classPath);
        assertThat(here).contains("epoll=true\n").contains("zstd=true\n");
        // -L: the tree is the arm64 program's root for its dynamic loader and libraries.
        String arm64 = load(List.of(qemu.toString(), "-L", ARM64_TREE.toString(),
                ARM64_TREE.resolve("usr/lib/jvm/java-17-openjdk-arm64/bin/java").toString()), classPath);
        assertThat(arm64).startsWith("os.arch=aarch64\n").contains("epoll=true\n").contains("zstd=true\n");
    }

    /** {@link NativeLoad}'s report, run by {@code java} (a command line) with {@code classPath}. */
    private static String load(List<String> java, String classPath) {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of("-cp", classPath, NativeLoad.class.getName()));
        Processes.Result r = Processes.run(command, 300);
        assertThat(r.exit()).as(String.join(" ", command) + ":\n" + r.text() + r.stderr()).isZero();
        return r.text();
    }

    /** Every entry that is native code by its name or by its first bytes (ELF, PE's MZ, Mach-O). */
    private static List<Native> natives() throws IOException {
        List<Native> found = new ArrayList<>();
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                JarEntry entry = e.nextElement();
                if (entry.isDirectory() || entry.getName().endsWith(".class")) {
                    continue;
                }
                byte[] head;
                try (InputStream in = jar.getInputStream(entry)) {
                    head = in.readNBytes(E_MACHINE + 2);
                }
                boolean elf = head.length == E_MACHINE + 2 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
                if (elf) {
                    found.add(new Native(entry.getName(), true, head[EI_OSABI] & 0xff,
                            (head[E_MACHINE] & 0xff) | (head[E_MACHINE + 1] & 0xff) << 8));
                } else if (entry.getName().matches(".*\\.(so|dll|dylib|jnilib)$") || peOrMachO(head)) {
                    found.add(new Native(entry.getName(), false, -1, -1));
                }
            }
        }
        return found;
    }

    private static boolean peOrMachO(byte[] head) {
        if (head.length >= 2 && head[0] == 'M' && head[1] == 'Z') {
            return true;
        }
        if (head.length < 4) {
            return false;
        }
        int magic = (head[0] & 0xff) << 24 | (head[1] & 0xff) << 16 | (head[2] & 0xff) << 8 | (head[3] & 0xff);
        // Mach-O 32/64-bit in either byte order (mach-o/loader.h); the fat header's 0xcafebabe is also a class file's.
        return magic == 0xfeedface || magic == 0xfeedfacf || magic == 0xcefaedfe || magic == 0xcffaedfe;
    }
}
