package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients in a network namespace reach the server through a router namespace over veth pairs with
 * a 1500-byte MTU. For the loss test the router drops 5% of the packets each way and sends 10% of
 * the server's packets over a slower second link, so that they arrive out of order.
 *
 * <p>This kernel has no sch_netem, so loss is iptables' {@code statistic} match and reordering is a
 * policy route over a rate-limited (tbf) veth; both are real kernel packet paths.
 */
class RoutedNetworkTest {

    private static final String CLIENTS = "bft-loss-c";
    private static final String ROUTER = "bft-loss-r";
    private static final String SERVER_IP = "10.169.69.1";
    private static final String CLIENT_IP = "10.169.69.6";

    @TempDir
    static Path root;
    @TempDir
    static Path downloads;
    static TftpFixture tftp;
    /** atftp with a window of 16 and a 1 s timeout, as the transfers here run it. */
    private static final List<String> ATFTP = List.of("atftp", "--tftp-timeout", "1", "--option", "blksize 1468",
            "--option", "windowsize 16");

    @BeforeAll
    static void network() throws Exception {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        Tools.require("tc", "iproute2");
        Tools.require("iptables", "iptables");
        Tools.require("curl", "curl");
        Tools.require("atftp", "atftp");
        removeNetwork();
        sh("ip netns add " + CLIENTS);
        sh("ip netns add " + ROUTER);
        // server (host) bft-lh 10.169.69.1/30 <-> 10.169.69.2/30 bft-lr (router)
        link("bft-lh", null, "10.169.69.1/30", "bft-lr", ROUTER, "10.169.69.2/30");
        // router bft-la 10.169.69.5/30 <-> 10.169.69.6/30 bft-lc (clients): the direct path
        link("bft-la", ROUTER, "10.169.69.5/30", "bft-lc", CLIENTS, CLIENT_IP + "/30");
        // router bft-lb 10.169.69.9/30 <-> 10.169.69.10/30 bft-ld (clients): the slow path
        link("bft-lb", ROUTER, "10.169.69.9/30", "bft-ld", CLIENTS, "10.169.69.10/30");
        sh("ip route add 10.169.69.4/30 via 10.169.69.2 dev bft-lh");
        sh("ip netns exec " + CLIENTS + " ip route add default via 10.169.69.5 dev bft-lc");
        // Server packets may arrive on either client link.
        sh("ip netns exec " + CLIENTS + " sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.bft-ld.rp_filter=0 net.ipv4.conf.bft-lc.rp_filter=0");
        String router = "ip netns exec " + ROUTER + " ";
        sh(router + "sysctl -qw net.ipv4.ip_forward=1");
        sh(router + "ip rule add fwmark 1 table 169");
        sh(router + "ip route add " + CLIENT_IP + "/32 dev bft-lb table 169");
        sh(router + "tc qdisc add dev bft-lb root tbf rate 50mbit burst 3000 latency 30ms");
        // Every client here is one address (the clients' namespace), standing for 200 machines behind
        // a router: the limit per client address would refuse all but 16 of them.
        tftp = new TftpFixture(root, TftpFixture.DEFAULTS.withMaxSessionsPerClient(1000),
                InetAddress.getByName(SERVER_IP));
    }

    @AfterAll
    static void removeNetwork() throws Exception {
        if (tftp != null) {
            tftp.close();
        }
        // Deleting the namespaces deletes their veth ends, and with them the host's end and route.
        TftpFixture.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", CLIENTS));
        TftpFixture.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", ROUTER));
        TftpFixture.run(Duration.ofSeconds(10), List.of("ip", "link", "del", "bft-lh"));
    }

    @Test
    void blockSizeIsClampedToTheVethMtu() throws Exception {
        Path source = tftp.file("mtu.bin", 50_000);
        Path got = downloads.resolve("mtu.bin");
        TftpFixture.Run run = inNamespace(List.of("curl", "-v", "-sS", "--tftp-blksize", "65464", "-o", got.toString(),
                "tftp://" + SERVER_IP + ":" + tftp.port() + "/mtu.bin"));
        assertThat(run.exit()).as(run.output()).isZero();
        // MTU 1500 - 20 (IPv4) - 8 (UDP) - 4 (DATA header).
        assertThat(run.output()).contains("got option=(blksize) value=(1468)");
        assertThat(TftpFixture.sha256(got)).isEqualTo(TftpFixture.sha256(source));
    }

    @Test
    void twoHundredParallelTransfersAllArriveIntactDespiteLossAndReordering() throws Exception {
        lossAndReordering("-A");
        try {
            twoHundredParallelTransfers();
        } finally {
            lossAndReordering("-D");
        }
    }

    /** Adds (-A) or deletes (-D) the router's rules that drop 5% and divert 10% to the slow path. */
    private static void lossAndReordering(String action) throws Exception {
        String router = "ip netns exec " + ROUTER + " ";
        sh(router + "iptables " + action + " FORWARD -m statistic --mode random --probability 0.05 -j DROP");
        sh(router + "iptables -t mangle " + action + " PREROUTING -i bft-lr -m statistic --mode random --probability 0.10 -j MARK --set-mark 1");
    }

    private void twoHundredParallelTransfers() throws Exception {
        // curl runs lock-step and asks for a 5 s timeout (RFC 2349), so each loss costs it 5 s: it
        // gets the smaller file. atftp runs windows of 16 and gets the larger one.
        Path small = tftp.file("parallel-small.bin", 64 * 1024 + 99);
        Path large = tftp.file("parallel.bin", 256 * 1024 + 99);
        Path runs = Files.createDirectories(downloads.resolve("parallel"));
        TftpFixture.Run all = inNamespace(List.of("sh", "-c", parallelClients(200, runs)));
        assertThat(all.exit()).as(all.output()).isZero();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Path got = runs.resolve(i + ".bin");
            String sha = TftpFixture.sha256(i % 2 == 0 ? large : small);
            String exit = Files.readString(runs.resolve(i + ".exit")).strip();
            if (!exit.equals("0") || !Files.exists(got) || !TftpFixture.sha256(got).equals(sha)) {
                String out = Files.readString(runs.resolve(i + ".out"), java.nio.charset.StandardCharsets.ISO_8859_1).strip();
                failures.add("client " + i + " exit " + exit + ": " + out.substring(Math.max(0, out.length() - 3000)).replace('\n', ' '));
            }
        }
        assertThat(failures).as("failed transfers; %s", failures.isEmpty() ? "" : whereLost()).isEmpty();
        tftp.awaitIdle(Duration.ofSeconds(30));
        assertThat(routerCount("filter", "DROP")).as("packets dropped by the router").isPositive();
        assertThat(routerCount("mangle", "MARK")).as("packets sent over the slow path").isPositive();
        long aborts = Files.exists(runs.resolve("oack-aborts")) ? Files.readAllLines(runs.resolve("oack-aborts")).size() : 0;
        System.out.println("atftp runs restarted after their duplicate-OACK abort: " + aborts);
    }

    /**
     * One shell that starts {@code n} clients at once and waits for them all: even ones atftp (the
     * larger file, {@link #ATFTP}), odd ones curl (the smaller, lock-step), each writing
     * {@code DIR/i.bin}, its output to {@code i.out} and its exit code to {@code i.exit}. One process
     * starts them, not the test's JVM: 200 {@code ip netns exec} and 200 JVM threads with a process
     * reaper each were load of their own on the server's 2 cores (see {@link #inNamespace}).
     */
    private static String parallelClients(int n, Path dir) {
        String server = SERVER_IP + " " + tftp.port();
        return String.join("\n",
                "cd " + dir,
                // A run atftp aborted at a second OACK is started again, as in atftpWithRetry, and counted.
                "atftp_run() {",
                "  for try in 1 2 3 4; do",
                "    " + String.join(" ", ATFTP.stream().map(a -> "'" + a + "'").toList()) + " -g -r parallel.bin -l $1.bin " + server + " > $1.out 2>&1; rc=$?",
                "    [ $rc -ne 0 ] && [ $try -lt 4 ] && grep -q 'unexpected OACK' $1.out || break",
                "    echo $1 >> oack-aborts",
                "  done",
                "  echo $rc > $1.exit",
                "}",
                "curl_run() {",
                "  curl -v -sS --tftp-blksize 1468 --max-time 120 -o $1.bin tftp://" + SERVER_IP + ":" + tftp.port()
                        + "/parallel-small.bin > $1.out 2>&1; echo $? > $1.exit",
                "}",
                "i=0",
                "while [ $i -lt " + n + " ]; do",
                "  if [ $((i % 2)) -eq 0 ]; then atftp_run $i & else curl_run $i & fi",
                "  i=$((i + 1))",
                "done",
                "wait");
    }

    @Test
    void windowsArriveWhereTheRouteMtuIsBelowTheInterfaceMtu() throws Exception {
        Path source = tftp.file("route-mtu.bin", 512 * 1024 + 7);
        // Blocks are sized from the interface MTU (1500); a route with MTU 1000 makes the kernel refuse
        // UDP segmentation of 1472-byte segments (EINVAL), and the server falls back to plain
        // datagrams, which IP fragments.
        sh("ip route change 10.169.69.4/30 via 10.169.69.2 dev bft-lh mtu 1000");
        try {
            Path got = downloads.resolve("route-mtu.bin");
            TftpFixture.Run run = atftpWithRetry("route-mtu.bin", got);
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(TftpFixture.sha256(got)).isEqualTo(TftpFixture.sha256(source));
        } finally {
            sh("ip route change 10.169.69.4/30 via 10.169.69.2 dev bft-lh");
        }
    }

    /**
     * atftp with a window of 16. atftp aborts when it sees a second OACK ("tftp: unexpected OACK",
     * tftp_file.c), which every server sends when the ACK of its first OACK is lost; that abort is
     * the client's, so such a run is started again.
     */
    private static TftpFixture.Run atftpWithRetry(String remote, Path got) throws Exception {
        List<String> atftp = new ArrayList<>(ATFTP);
        atftp.addAll(List.of("-g", "-r", remote, "-l", got.toString(), SERVER_IP, Integer.toString(tftp.port())));
        TftpFixture.Run run = inNamespace(atftp);
        for (int retry = 0; retry < 3 && run.exit() != 0 && run.output().contains("unexpected OACK"); retry++) {
            run = inNamespace(atftp);
        }
        return run;
    }

    private static void link(String a, String nsA, String addrA, String b, String nsB, String addrB) throws Exception {
        sh("ip link add " + a + " type veth peer name " + b);
        for (String[] end : new String[][] {{a, nsA, addrA}, {b, nsB, addrB}}) {
            String in = "";
            if (end[1] != null) {
                sh("ip link set " + end[0] + " netns " + end[1]);
                in = "ip netns exec " + end[1] + " ";
                sh(in + "ip link set lo up");
            }
            sh(in + "ip addr add " + end[2] + " dev " + end[0]);
            sh(in + "ip link set " + end[0] + " up");
        }
    }

    /**
     * What tells a failure of the server from one of the path, for a failed run's message: the
     * transfers the server abandoned (bytes acknowledged before it gave up), and the packets the path
     * lost besides the 5 % rule's: the slow link's tbf queue and the CPUs' input backlogs
     * (softnet_stat's second column, netdev_max_backlog overflows).
     */
    private static String whereLost() {
        try {
            String abandoned = tftp.events.stream().filter(e -> e.stage() == org.bootferry.machine.BootEvent.Stage.FAILED)
                    .map(e -> e.detail() + " after " + e.bytes() + " bytes, " + e.millis() + " ms").toList().toString();
            return "server abandoned " + abandoned + "; router DROP rule " + routerCount("filter", "DROP")
                    + "; slow link " + TftpFixture.run(Duration.ofSeconds(10), List.of("ip", "netns", "exec", ROUTER,
                            "tc", "-s", "qdisc", "show", "dev", "bft-lb")).output().replace('\n', ' ')
                    + "; input backlog drops since boot " + backlogDrops();
        } catch (Exception e) {
            return "(no diagnosis: " + e + ")";
        }
    }

    /** Packets the CPUs' input backlogs dropped (all namespaces), from /proc/net/softnet_stat (hex, column 2). */
    private static long backlogDrops() throws IOException {
        return Files.readAllLines(Path.of("/proc/net/softnet_stat")).stream().map(String::trim).filter(l -> !l.isEmpty())
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[1], 16)).sum();
    }

    /** Packets counted by the router's rule with this target, to prove loss and reordering happened. */
    private static long routerCount(String table, String target) throws Exception {
        TftpFixture.Run run = TftpFixture.run(Duration.ofSeconds(10), List.of("ip", "netns", "exec", ROUTER,
                "iptables", "-t", table, "-L", "-v", "-x", "-n"));
        return run.output().lines().map(String::trim).filter(l -> l.matches("\\d+\\s+\\d+\\s+" + target + "\\b.*"))
                .mapToLong(l -> Long.parseLong(l.split("\\s+")[0])).sum();
    }

    /**
     * Runs a client in the clients' namespace at the lowest CPU priority (nice 19). The clients stand
     * for other machines, yet here they share the server's 2 cores: started at nice 0 under a load of
     * ~10, 200 of them (each an {@code ip netns exec}, which also sets up a mount namespace, then atftp
     * or curl) kept 15-50 tasks runnable, the listener's event loop ran 0.15 s and waited 6.5 s on the
     * run queue in its first 12 s (/proc schedstat), and the JVM's safepoints took up to 2.7 s to
     * reach (-Xlog:safepoint), stopping every thread. RRQs were read 3.5-10 s after they arrived, after
     * atftp ({@code --tftp-timeout 1}, six tries) had given up. At nice 19 the clients yield the CPU
     * to the server. The 200 parallel ones are started by one shell ({@link #parallelClients}), as the
     * JVM's own threads of spawning them (a pool thread and a "process reaper" per client) delayed its
     * safepoints under load too.
     */
    private static TftpFixture.Run inNamespace(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("nice", "-n", "19", "ip", "netns", "exec", CLIENTS));
        full.addAll(command);
        return TftpFixture.run(Duration.ofMinutes(5), full);
    }

    private static void sh(String command) throws IOException, InterruptedException {
        TftpFixture.Run run = TftpFixture.run(Duration.ofSeconds(30), List.of("sh", "-c", command));
        if (run.exit() != 0) {
            throw new IOException("'" + command + "' failed: " + run.output());
        }
    }
}
