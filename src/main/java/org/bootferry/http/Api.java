package org.bootferry.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.Booter;
import org.bootferry.boot.Explanation;
import org.bootferry.config.Adoption;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineFile;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Installs;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.UnidentifiedClient;
import org.bootferry.machine.UnidentifiedClients;

/**
 * The JSON bodies of {@code /api/…}: machines, one machine's explanation, leases, events, config errors,
 * discovered machines, unidentified DHCPv6 clients.
 */
final class Api {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module());

    private final Supplier<ConfigSnapshot> config;
    private final Booter booter;
    private final BootHistory history;
    private final Installs installs;
    private final Supplier<Addressing> addressing;
    private final Discoveries discoveries;
    private final UnidentifiedClients unidentified;

    Api(Supplier<ConfigSnapshot> config, Booter booter, BootHistory history, Installs installs,
            Supplier<Addressing> addressing, Discoveries discoveries, UnidentifiedClients unidentified) {
        this.config = config;
        this.booter = booter;
        this.history = history;
        this.installs = installs;
        this.addressing = addressing;
        this.discoveries = discoveries;
        this.unidentified = unidentified;
    }

    /**
     * The machines discovery saw that still have no machine file, the most recently seen first, each
     * with the file that would adopt it; and how many were dropped to keep the list bounded.
     */
    String discovered() {
        ConfigSnapshot snapshot = config.get();
        ObjectNode root = JSON.createObjectNode().put("dropped", discoveries.dropped());
        ArrayNode list = root.putArray("machines");
        for (Discovered d : unconfigured(discoveries, booter)) {
            ObjectNode n = JSON.valueToTree(d.fields());
            n.put("file", Adoption.fileOf(snapshot, d.mac()).toString());
            Adoption.suggestedProfile(snapshot).ifPresent(p ->
                    n.put("machineFile", Adoption.machineFile(d.mac(), p, Optional.empty())));
            list.add(n);
        }
        return root.toString();
    }

    /**
     * The DHCPv6 boot clients that asked and could not be tied to a MAC, the most recently seen first,
     * each with every way tried and the {@code duid:} line that names it; and how many were dropped.
     */
    String unidentified() {
        ObjectNode root = JSON.createObjectNode().put("dropped", unidentified.dropped());
        ArrayNode list = root.putArray("clients");
        for (UnidentifiedClient c : unidentified.clients()) {
            UnidentifiedClient.Sighting s = c.latest();
            ObjectNode n = list.addObject().put("duid", s.duid()).put("duidType", s.duidType())
                    .put("address", s.address()).put("via", s.via()).put("firstSeen", c.firstSeen().toString())
                    .put("lastSeen", s.time().toString()).put("requests", c.requests())
                    .put("machineFileLine", c.duidLine());
            s.tried().forEach(n.putArray("tried")::add);
        }
        return root.toString();
    }

    /** What discovery kept of the MACs that no machine file names now (adopted ones drop out at the reload). */
    static List<Discovered> unconfigured(Discoveries discoveries, Booter booter) {
        return discoveries.discovered().stream().filter(d -> !booter.configured(d.mac())).toList();
    }

    /** Every configured machine with its source file, plan summary and last boot event. */
    String machines() {
        ConfigSnapshot snapshot = config.get();
        ArrayNode list = JSON.createArrayNode();
        for (MachineFile file : snapshot.machines().values().stream()
                .sorted(Comparator.comparing(f -> f.mac().orElseThrow())).toList()) {
            MacAddress mac = file.mac().orElseThrow();
            ObjectNode node = list.addObject()
                    .put("mac", mac.toString())
                    .put("hostname", file.config().hostname())
                    .put("file", file.file().toString())
                    .put("profile", file.config().profile());
            installs.installed(mac).ifPresent(t -> node.put("installed", t.toString()));
            List<BootEvent> last = history.lastBoot(mac);
            if (!last.isEmpty()) {
                node.set("lastEvent", event(last.get(last.size() - 1)));
            }
        }
        return list.toString();
    }

    /**
     * {@code bootferry explain MAC --json} (with {@code ipv6}, {@code --family 6}), plus the machine's
     * last boot. Over IPv6 without an {@code advertise6} address, the reason instead.
     */
    Optional<String> machine(MacAddress mac, boolean ipv6) {
        Optional<Explanation> explanation;
        Optional<String> advertise6 = config.get().settings().advertise6();
        if (ipv6 && advertise6.isEmpty()) {
            return Optional.of(JSON.createObjectNode().put("mac", mac.toString()).put("error", "not answered over IPv6:"
                    + " no global or unique local IPv6 address to advertise (set advertise6 in server.yaml)").toString());
        }
        try {
            explanation = booter.explain(mac, ipv6 ? Optional.of(literal(advertise6.get())) : Optional.empty());
        } catch (BootPlanException e) {
            return Optional.of(JSON.createObjectNode().put("mac", mac.toString()).put("error", e.getMessage()).toString());
        }
        return explanation.map(e -> {
            ObjectNode node = JSON.valueToTree(e);
            ArrayNode choices = node.putArray("address");
            addressing.get().choices(mac).forEach(c -> {
                ObjectNode choice = choices.addObject().put("pool", c.pool()).put("how", c.how());
                c.address().ifPresent(a -> choice.put("address", a.getHostAddress()));
            });
            ArrayNode held = node.putArray("leases");
            addressing.get().addresses().stream().filter(a -> a.mac().filter(mac::equals).isPresent())
                    .forEach(a -> held.add(address(a)));
            addressing.get().bindings6().stream().filter(b -> b.mac().filter(mac::equals).isPresent())
                    .forEach(b -> held.add(JSON.valueToTree(b.fields())));
            ArrayNode timeline = node.putArray("lastBoot");
            history.lastBoot(mac).forEach(ev -> timeline.add(event(ev)));
            return node.toString();
        });
    }

    /**
     * {@code /api/leases}: every lease record and reservation of DHCP server mode, with its machine's
     * name; then DHCPv6 server mode's binding records, with their DUID and IAID.
     */
    String leases() {
        ArrayNode list = JSON.createArrayNode();
        addressing.get().addresses().forEach(a -> list.add(address(a)));
        addressing.get().bindings6().forEach(b -> list.add(JSON.valueToTree(b.fields())));
        return list.toString();
    }

    private static ObjectNode address(Addressing.Address a) {
        return JSON.valueToTree(a.fields());
    }

    String events(Optional<MacAddress> mac, int limit) {
        ArrayNode list = JSON.createArrayNode();
        history.recent(mac, limit).forEach(e -> list.add(event(e)));
        return list.toString();
    }

    String configErrors() {
        ArrayNode list = JSON.createArrayNode();
        for (ConfigError e : config.get().errors()) {
            list.addObject().put("file", e.file().toString()).put("line", e.line()).put("message", e.message());
        }
        return list.toString();
    }

    private static ObjectNode event(BootEvent e) {
        try {
            return (ObjectNode) JSON.readTree(e.toJson());
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new IllegalStateException("BootEvent.toJson writes valid JSON", x);
        }
    }

    private static java.net.InetAddress literal(String checked) {
        try {
            return java.net.InetAddress.getByName(checked);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("settings hold a checked literal address", e);
        }
    }
}
