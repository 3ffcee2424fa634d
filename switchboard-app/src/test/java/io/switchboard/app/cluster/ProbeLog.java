package io.switchboard.app.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the {@link ProbeClient} saw, and what a failover looked like in it: {@link #accept(String)} takes
 * the client's output lines; {@link #failover} measures, for one address and one moment of failure,
 * how long until a request sent after it was answered again, by whom, and which requests failed.
 *
 * <p>Threading: {@link #accept} is called by the client's output reader, the rest by the test's
 * thread; all methods synchronize on this object.
 */
final class ProbeLog {
    /** One finished request: sent at {@code start}, finished at {@code end} (wall clock, ms). */
    record Request(String target, long start, long end, boolean ok, String detail) {
        /** Who answered: the first word of the body (the node's or back end's name); null for a failure. */
        String server() {
            return ok ? detail.split(" ")[0] : null;
        }

        /** The sticky user the request was sent for, or null. */
        String user() {
            int at = detail.indexOf(" user=");
            return ok && at >= 0 ? detail.substring(at + " user=".length()).strip() : null;
        }
    }

    /**
     * One failure and its recovery at {@code target}.
     *
     * @param outageMillis from the failure to the end of the first successful request sent after it;
     *                     -1 when none succeeded (yet)
     * @param servedBy     the body of that first answer (the name of who served it), or null
     * @param failedInFlight requests sent before the failure that failed after it
     * @param failedAfter  requests sent after the failure that failed
     */
    record Failover(String target, long failedAt, long outageMillis, String servedBy, int failedInFlight, int failedAfter) {
        boolean recovered() {
            return outageMillis >= 0;
        }
    }

    private final List<Request> requests = new ArrayList<>();

    /** Parses one line of the client's output; lines that are not results are ignored. */
    synchronized void accept(String line) {
        parse(line).ifPresent(requests::add);
        notifyAll();
    }

    static Optional<Request> parse(String line) {
        String[] f = line.split(" ", 6);
        if (f.length < 5 || !f[0].equals("R")) return Optional.empty();
        try {
            return Optional.of(new Request(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), f[4].equals("OK"), f.length > 5 ? f[5] : ""));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /**
     * For every sticky user of {@code target}, the servers that answered its requests sent at or after
     * {@code since}: one each when users keep their server.
     */
    synchronized Map<String, Set<String>> serversByUser(String target, long since) {
        return serversByUser(requests, target, since);
    }

    static Map<String, Set<String>> serversByUser(List<Request> log, String target, long since) {
        Map<String, Set<String>> by = new TreeMap<>();
        for (Request r : log) {
            if (r.target().equals(target) && r.start() >= since && r.user() != null) {
                by.computeIfAbsent(r.user(), u -> new TreeSet<>()).add(r.server());
            }
        }
        return by;
    }

    /** The last {@code n} failed requests to {@code target} sent at or after {@code since}. */
    synchronized List<Request> failures(String target, long since, int n) {
        List<Request> failed = requests.stream().filter(r -> r.target().equals(target) && r.start() >= since && !r.ok()).toList();
        return failed.subList(Math.max(0, failed.size() - n), failed.size());
    }

    /** The failover at {@code target} after a failure at {@code failedAt}, from what was logged so far. */
    synchronized Failover failover(String target, long failedAt) {
        return failover(requests, target, failedAt);
    }

    static Failover failover(List<Request> log, String target, long failedAt) {
        Request first = null;
        int inFlight = 0;
        int after = 0;
        for (Request r : log) {
            if (!r.target().equals(target) || r.end() < failedAt) continue;
            if (r.start() < failedAt) {
                if (!r.ok()) inFlight++;
                continue;
            }
            if (r.ok()) {
                if (first == null || r.end() < first.end()) first = r;
            }
        }
        for (Request r : log) {
            if (r.target().equals(target) && r.start() >= failedAt && !r.ok() && (first == null || r.start() < first.end())) after++;
        }
        return first == null
                ? new Failover(target, failedAt, -1, null, inFlight, after)
                : new Failover(target, failedAt, first.end() - failedAt, first.detail(), inFlight, after);
    }

    /**
     * Waits (at most {@code timeoutMillis}) until a request to {@code target} sent after {@code since}
     * succeeded; returns whether one did.
     */
    synchronized boolean awaitServed(String target, long since, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            for (Request r : requests) if (r.ok() && r.target().equals(target) && r.start() >= since) return true;
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) return false;
            wait(Math.min(left, 50));
        }
    }

    /**
     * Waits until {@code n} requests to {@code target} sent after {@code since} succeeded in a row (at most
     * {@code timeoutMillis}); returns whether they did. Used to know an address is served steadily
     * before the next failure.
     */
    synchronized boolean awaitSteady(String target, long since, int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            int run = 0;
            List<Request> sorted = requests.stream().filter(r -> r.target().equals(target) && r.start() >= since)
                    .sorted((a, b) -> Long.compare(a.start(), b.start())).toList();
            for (Request r : sorted) run = r.ok() ? run + 1 : 0;
            if (run >= n) return true;
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) return false;
            wait(Math.min(left, 50));
        }
    }
}
