package io.switchboard.dns;

import io.switchboard.backend.Backend;
import io.switchboard.backend.BackendSet;
import io.switchboard.backend.Member;
import io.switchboard.registry.RegistryEvent;
import io.switchboard.registry.RegistryListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Feeds the {@link Authority} from the pool registry: subscribe it with
 * {@code registry.subscribe(new RegistryFeed(authority))} and every published snapshot becomes the
 * pool's DNS view. A server is answered when the snapshot lists it as eligible, with the weight the
 * picker uses (slow start included); the pool's all-down policy therefore applies to DNS as it does
 * to requests (IGNORE_HEALTH answers the down servers rather than nothing). Only servers whose host
 * is an IP literal are served: resolving a host name here would block the registry's writer.
 * Thread-safety: called on the registry's writing thread, in version order; {@link Authority}
 * serializes its own writes.
 */
public final class RegistryFeed implements RegistryListener {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Authority authority;

    public RegistryFeed(Authority authority) {
        this.authority = authority;
    }

    @Override
    public void onEvent(RegistryEvent event) {
        List<DnsServer> servers = event.kind() == RegistryEvent.Kind.REMOVED
                ? List.of() : servers(event.snapshot().backends());
        authority.updatePool(event.poolName(), servers);
    }

    /** The DNS view of one snapshot: every member with an IP-literal host, eligible or not. */
    public static List<DnsServer> servers(BackendSet set) {
        Map<Backend, Integer> eligible = new IdentityHashMap<>();
        Backend[] chosen = set.eligible();
        for (int i = 0; i < chosen.length; i++) {
            eligible.put(chosen[i], set.weights()[i]);
        }
        List<DnsServer> out = new ArrayList<>();
        for (Member m : set.members()) {
            InetAddress address = literal(m.backend().host());
            if (address == null) {
                continue;
            }
            Integer w = eligible.get(m.backend());
            out.add(new DnsServer(m.backend().name(), address, m.backend().port(),
                    Math.min(65535, w != null ? w : m.weight()), w != null));
        }
        return out;
    }

    /** The address of an IPv4 or IPv6 literal (never a lookup), or null for a host name. */
    static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            if (IPV4.matcher(h).matches()) {
                // By hand: getByName would treat "999.1.1.1" as a host name and look it up.
                String[] parts = h.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return null;
                    }
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
            // With a colon getByName parses an IPv6 literal or fails; it never looks a name up.
            return h.contains(":") ? InetAddress.getByName(h) : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
