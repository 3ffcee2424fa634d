package io.switchboard.proxy.guard;

import io.switchboard.config.Cidr;
import java.util.List;

/**
 * Allow and deny lists by network. The most specific matching network decides (the longest prefix,
 * as in routing tables), so {@code deny: [10.0.0.0/8]} with {@code allow: [10.1.2.3]} serves that one
 * address, and the other way round refuses it; on a tie, deny wins. When the allow list is not
 * empty, a client that matches no network in it is refused. A client whose address is not an IP
 * address matches nothing.
 *
 * <p>Immutable and thread-safe; a linear scan, done once per connection.
 */
final class AccessPolicy {
    private final List<Cidr> allow;
    private final List<Cidr> deny;

    AccessPolicy(List<Cidr> allow, List<Cidr> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    /** Null when the address is served, otherwise why it is refused (for the log). */
    String refusal(byte[] address) {
        Cidr a = longest(allow, address);
        Cidr d = longest(deny, address);
        if (d != null && (a == null || d.prefixLength() >= a.prefixLength())) return "in deny " + d;
        if (!allow.isEmpty() && a == null) return "not in the allow list";
        return null;
    }

    private static Cidr longest(List<Cidr> list, byte[] address) {
        if (address == null) return null;
        Cidr best = null;
        for (Cidr c : list) {
            if (c.contains(address) && (best == null || c.prefixLength() > best.prefixLength())) best = c;
        }
        return best;
    }
}
