package io.switchboard.agent;

/**
 * A web server's own status page: NGINX {@code stub_status} ("Active connections: 291") and Apache
 * {@code server-status?auto} ("BusyWorkers: 1", "IdleWorkers: 49"). Busy is NGINX's active
 * connections or Apache's BusyWorkers; idle is Apache's IdleWorkers (NGINX has no such figure).
 *
 * @param busy busy workers, -1 unknown
 * @param idle idle workers, -1 unknown
 */
record ServerStatus(int busy, int idle) {
    static final ServerStatus UNKNOWN = new ServerStatus(-1, -1);

    /** Which page a URL serves. */
    enum Kind { NGINX, APACHE }

    /**
     * The figures of one page.
     *
     * @throws IllegalArgumentException naming what is missing when the page is not the kind expected
     */
    static ServerStatus parse(Kind kind, String page) {
        return switch (kind) {
            case NGINX -> new ServerStatus(field(page, "Active connections:", "an NGINX stub_status page"), -1);
            case APACHE -> new ServerStatus(field(page, "BusyWorkers:", "an Apache server-status?auto page"),
                    field(page, "IdleWorkers:", "an Apache server-status?auto page"));
        };
    }

    private static int field(String page, String name, String what) {
        for (String line : page.split("\n")) {
            String l = line.strip();
            if (l.startsWith(name)) {
                String v = l.substring(name.length()).strip();
                try {
                    int n = Integer.parseInt(v);
                    if (n >= 0) return n;
                } catch (NumberFormatException e) {
                    // reported below with the value
                }
                throw new IllegalArgumentException("'" + name + "' is followed by '" + v + "', not a count (is this " + what + "?)");
            }
        }
        throw new IllegalArgumentException("no '" + name + "' line (is this " + what + "?)");
    }
}
