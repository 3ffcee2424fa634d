package io.switchboard.dns;

/**
 * A name that exists in a zone, with its RRsets (null where the name has none; a node with none
 * at all is an empty non-terminal, which answers NODATA, not NXDOMAIN). Mutable only while a
 * snapshot is being compiled; read-only once published.
 */
final class Node {
    final int id;
    final byte[] name;
    final Zone zone;
    RrSet a;
    RrSet aaaa;
    RrSet ns;
    RrSet soa;
    RrSet srv;
    RrSet txt;

    Node(int id, byte[] name, Zone zone) {
        this.id = id;
        this.name = name;
        this.zone = zone;
    }

    void set(int type, RrSet set) {
        switch (type) {
            case Wire.TYPE_A -> a = set;
            case Wire.TYPE_AAAA -> aaaa = set;
            case Wire.TYPE_TXT -> txt = set;
            default -> throw new IllegalArgumentException("static records of type " + type
                    + " are not supported; allowed: A (1), AAAA (28), TXT (16)");
        }
    }

    RrSet get(int type) {
        return switch (type) {
            case Wire.TYPE_A -> a;
            case Wire.TYPE_AAAA -> aaaa;
            case Wire.TYPE_NS -> ns;
            case Wire.TYPE_SOA -> soa;
            case Wire.TYPE_SRV -> srv;
            case Wire.TYPE_TXT -> txt;
            case Wire.TYPE_ANY -> any();
            default -> null;
        };
    }

    /** RFC 8482 4.2: ANY gets one RRset of the name, not all of them. */
    private RrSet any() {
        return a != null ? a : aaaa != null ? aaaa : soa != null ? soa : ns != null ? ns : srv != null ? srv : txt;
    }
}
