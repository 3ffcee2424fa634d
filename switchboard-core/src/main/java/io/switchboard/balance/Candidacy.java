package io.switchboard.balance;

import io.switchboard.backend.Backend;
import io.switchboard.load.LoadReport;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One of mod_backhand's candidacy functions, as the {@code chain} algorithm composes them: each takes
 * the list of candidate back ends and narrows or reorders it; the first candidate left wins. Config
 * words: {@code by-age <duration>}, {@code by-load}, {@code by-cpu}, {@code by-busy-workers},
 * {@code by-cost}, {@code by-random}, {@code by-log-window}, {@code by-tag <tag>}.
 *
 * <p>Three kinds: a {@link Filter} drops candidates, an {@link Order} sorts them by a key (lowest
 * first; a figure the back end's report lacks sorts last), and the two list operations
 * {@link ByRandom} and {@link ByLogWindow}. {@link Chain} plans how to run them cheaply.
 *
 * <p>Immutable values; thread-safe. The keys read the back ends' live report slots.
 */
public sealed interface Candidacy permits Candidacy.Filter, Candidacy.Order, ByRandom, ByLogWindow {
    /** The config words, in the order the documentation lists them. */
    List<String> NAMES = List.of("by-age", "by-load", "by-cpu", "by-busy-workers", "by-cost", "by-random",
            "by-log-window", "by-tag");

    /** {@code by-age}'s argument: a whole number of milliseconds, seconds or minutes. */
    Pattern AGE = Pattern.compile("(\\d{1,9})(ms|s|m)");

    /** Drops the candidates it does not keep. */
    sealed interface Filter extends Candidacy permits ByAge, ByTag {
        /** @param report {@code b}'s report as the picker read it (one read per candidate), or null */
        boolean keep(Backend b, LoadReport report, long nowNanos);
    }

    /** Sorts the candidates by {@link #key}, lowest first; {@code +infinity} for a figure the back end has not reported. */
    sealed interface Order extends Candidacy permits ByLoad, ByCpu, ByBusyWorkers, ByCost {
        /** @param report {@code b}'s report as the picker read it (one read per candidate), or null */
        double key(Backend b, LoadReport report);
    }

    /** The step as the config writes it, e.g. {@code by-age 3s}. */
    String word();

    /**
     * Parses one step as the config writes it.
     *
     * @throws IllegalArgumentException naming the allowed steps, or what the step's argument must be
     */
    static Candidacy parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        int space = s.indexOf(' ');
        String name = space < 0 ? s : s.substring(0, space);
        String arg = space < 0 ? "" : s.substring(space + 1).trim();
        Candidacy c = switch (name) {
            case "by-age" -> arg.isEmpty() ? null : new ByAge(age(arg));
            case "by-tag" -> arg.isEmpty() ? null : new ByTag(arg);
            case "by-load" -> new ByLoad();
            case "by-cpu" -> new ByCpu();
            case "by-busy-workers" -> new ByBusyWorkers();
            case "by-cost" -> new ByCost();
            case "by-random" -> new ByRandom();
            case "by-log-window" -> new ByLogWindow();
            default -> throw new IllegalArgumentException("unknown candidacy function '" + name + "' (allowed: "
                    + String.join(", ", NAMES) + ")");
        };
        if (c == null) {
            throw new IllegalArgumentException(name + " needs " + (name.equals("by-age") ? "a duration, e.g. 'by-age 3s'"
                    : "a tag, e.g. 'by-tag ssd'"));
        }
        if (!arg.isEmpty() && !(c instanceof ByAge) && !(c instanceof ByTag)) {
            throw new IllegalArgumentException(name + " takes no argument (found '" + arg + "')");
        }
        return c;
    }

    private static Duration age(String s) {
        var m = AGE.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("by-age needs a duration such as 500ms, 3s or 1m (found '" + s + "')");
        long v = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(v);
            case "s" -> Duration.ofSeconds(v);
            default -> Duration.ofMinutes(v);
        };
        if (d.isZero()) throw new IllegalArgumentException("by-age needs a positive duration (found '" + s + "')");
        return d;
    }

    /**
     * The reported load of a back end: the 1-minute load average per CPU when the report has both,
     * else the CPU busy fraction; {@code +infinity} without a report or either figure.
     */
    static double reportedLoad(LoadReport r) {
        return r == null ? Double.POSITIVE_INFINITY : r.load();
    }
}
