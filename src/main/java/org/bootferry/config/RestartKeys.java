package org.bootferry.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The server.yaml keys that take effect at the next start only: they bind sockets (bind, advertise,
 * the ports, dhcp, dhcp6, https) or open stores the server holds for its lifetime (cache, state). This list is the
 * one place that says so; every other key applies on reload. A reload that finds one of these edited
 * keeps the running value in force and reports the edit ({@link Pending}), so an admin is never left
 * believing an edit took effect.
 */
public final class RestartKeys {

    /** Named as in server.yaml, which is also the name of the {@link ServerSettings} component. */
    public static final List<String> KEYS = List.of(
            "bind", "advertise", "advertise6", "httpPort", "tftpPort", "dhcpPort", "pxePort", "dhcp", "dhcp6", "cache",
            "state", "https");

    private static final RecordComponent[] COMPONENTS = ServerSettings.class.getRecordComponents();

    static {
        List<String> names = Arrays.stream(COMPONENTS).map(RecordComponent::getName).toList();
        if (!names.containsAll(KEYS)) {
            throw new IllegalStateException("restart keys " + KEYS + " are not all settings " + names);
        }
    }

    private RestartKeys() {
    }

    /** An edit of a restart key that waits for the next start. */
    record Pending(String key, Object running, Object edited) {
        /** As logged and listed among the config errors: {@code 'httpPort' changed 8080 -> 8081: …}. */
        String message() {
            return "'" + key + "' changed " + running + " -> " + edited + ": takes effect at the next restart";
        }

        /** The notice, on the key's line of server.yaml. */
        ConfigError error(Path configDir) {
            Path file = configDir.resolve("server.yaml");
            return new ConfigError(file, YamlFiles.lineOf(file, key), message());
        }
    }

    /**
     * The restart keys whose loaded value differs from the running one. An {@code advertise} left
     * out is no edit: the running value was derived from the host at start, as it would be again.
     */
    static List<Pending> pending(ServerSettings running, ServerSettings loaded) {
        List<Pending> pending = new ArrayList<>();
        for (RecordComponent c : COMPONENTS) {
            if (KEYS.contains(c.getName())) {
                Object edited = value(c, loaded);
                Object kept = value(c, running);
                if (edited != null && !edited.equals(kept)) {
                    pending.add(new Pending(c.getName(), kept, edited));
                }
            }
        }
        return pending;
    }

    /**
     * An {@code api:} that a reload would weaken (its token or its {@code allowFrom} gone: server.yaml
     * deleted, emptied or cut short) waits for a restart too: a file that went missing must never
     * open the admin surface. A token changed for another applies at once.
     */
    static Optional<Pending> weakenedApi(ServerSettings running, ServerSettings loaded) {
        ServerSettings.Api was = running.api();
        ServerSettings.Api now = loaded.api();
        if (was.token().isPresent() && now.token().isEmpty()) {
            return Optional.of(new Pending("token", "(set)", "(none)"));
        }
        if (!was.allowFrom().isEmpty() && now.allowFrom().isEmpty()) {
            return Optional.of(new Pending("allowFrom", was.allowFrom(), "(any address)"));
        }
        return Optional.empty();
    }

    /** The loaded settings with the running values of the restart keys, which stay in force until a restart. */
    static ServerSettings keepRunning(ServerSettings loaded, ServerSettings running) {
        Object[] values = new Object[COMPONENTS.length];
        Class<?>[] types = new Class<?>[COMPONENTS.length];
        for (int i = 0; i < COMPONENTS.length; i++) {
            RecordComponent c = COMPONENTS[i];
            types[i] = c.getType();
            values[i] = invoke(c, KEYS.contains(c.getName()) ? running : loaded);
        }
        try {
            Constructor<ServerSettings> canonical = ServerSettings.class.getDeclaredConstructor(types);
            return canonical.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy " + ServerSettings.class.getSimpleName(), e);
        }
    }

    /** The value as an admin writes it: an {@code Optional} unwrapped, null when empty. */
    private static Object value(RecordComponent c, ServerSettings settings) {
        Object value = invoke(c, settings);
        return value instanceof Optional<?> o ? o.orElse(null) : value;
    }

    private static Object invoke(RecordComponent c, ServerSettings settings) {
        try {
            return c.getAccessor().invoke(Objects.requireNonNull(settings));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + settings, e);
        }
    }
}
