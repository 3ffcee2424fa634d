package io.switchboard.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it rejects anything
 * Prometheus would reject (bad names, bad escapes, bad numbers, a TYPE after samples, a family's
 * samples not together, duplicate series) and checks the rules of each type (a counter's samples end
 * in {@code _total}; a histogram's buckets are cumulative, end with {@code le="+Inf"} and agree with
 * {@code _count}).
 */
final class PrometheusText {
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {}

    record Family(String name, String type, String help, List<Sample> samples) {}

    final Map<String, Family> families = new LinkedHashMap<>();

    static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        p.read(text);
        return p;
    }

    private void read(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the exposition must end with a newline");
        Map<String, String> types = new HashMap<>();
        Map<String, String> helps = new HashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) continue;
            String at = "line " + lineNo + ": " + line;
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    if (!METRIC.matcher(name).matches()) throw new IllegalArgumentException("bad metric name, " + at);
                    if (parts[1].equals("TYPE")) {
                        if (parts.length != 4 || !TYPES.contains(parts[3])) throw new IllegalArgumentException("bad TYPE, " + at);
                        if (types.put(name, parts[3]) != null) throw new IllegalArgumentException("second TYPE, " + at);
                        if (families.containsKey(name)) throw new IllegalArgumentException("TYPE after samples, " + at);
                    } else {
                        String help = parts.length == 4 ? parts[3] : "";
                        checkHelpEscapes(help, at);
                        if (helps.put(name, help) != null) throw new IllegalArgumentException("second HELP, " + at);
                    }
                }
                continue;
            }
            Sample s = sample(line, at);
            String family = familyOf(s.name(), types);
            if (!family.equals(current)) {
                if (closed.contains(family)) throw new IllegalArgumentException("samples of " + family + " are not together, " + at);
                if (current != null) closed.add(current);
                current = family;
            }
            if (!series.add(s.name() + new TreeMap<>(s.labels()))) throw new IllegalArgumentException("duplicate series, " + at);
            String type = types.getOrDefault(family, "untyped");
            families.computeIfAbsent(family, n -> new Family(n, type, helps.get(n), new ArrayList<>())).samples().add(s);
        }
        for (Family f : families.values()) check(f);
    }

    /** The family a sample belongs to: its own name, or the histogram/summary whose suffix it carries. */
    private static String familyOf(String name, Map<String, String> types) {
        if (types.containsKey(name)) return name;
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String t = types.get(base);
                if ("histogram".equals(t) || "summary".equals(t) && !suffix.equals("_bucket")) return base;
            }
        }
        return name;
    }

    private static void check(Family f) {
        switch (f.type()) {
            case "counter" -> {
                if (!f.name().endsWith("_total")) throw new IllegalArgumentException("counter " + f.name() + " does not end in _total");
                for (Sample s : f.samples()) {
                    if (!s.name().equals(f.name())) throw new IllegalArgumentException("counter sample " + s.name() + " in " + f.name());
                    if (!(s.value() >= 0)) throw new IllegalArgumentException("negative counter " + s);
                }
            }
            case "histogram" -> {
                Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
                Map<Map<String, String>, Double> counts = new HashMap<>();
                Set<Map<String, String>> sums = new HashSet<>();
                for (Sample s : f.samples()) {
                    if (s.name().equals(f.name() + "_bucket")) {
                        Map<String, String> rest = new TreeMap<>(s.labels());
                        if (rest.remove("le") == null) throw new IllegalArgumentException("bucket without le: " + s);
                        buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
                    } else if (s.name().equals(f.name() + "_count")) {
                        counts.put(new TreeMap<>(s.labels()), s.value());
                    } else if (s.name().equals(f.name() + "_sum")) {
                        sums.add(new TreeMap<>(s.labels()));
                    } else {
                        throw new IllegalArgumentException("histogram sample " + s.name() + " in " + f.name());
                    }
                }
                for (Map.Entry<Map<String, String>, List<Sample>> e : buckets.entrySet()) {
                    double prevLe = Double.NEGATIVE_INFINITY;
                    double prev = 0;
                    for (Sample b : e.getValue()) {
                        double le = number(b.labels().get("le"), "le");
                        if (!(le > prevLe)) throw new IllegalArgumentException("le not increasing: " + b);
                        if (b.value() < prev) throw new IllegalArgumentException("buckets not cumulative: " + b);
                        prevLe = le;
                        prev = b.value();
                    }
                    if (prevLe != Double.POSITIVE_INFINITY) throw new IllegalArgumentException("no +Inf bucket for " + e.getKey());
                    Double count = counts.get(e.getKey());
                    if (count == null || count != prev) throw new IllegalArgumentException("_count " + count + " != +Inf bucket " + prev + " for " + e.getKey());
                    if (!sums.contains(e.getKey())) throw new IllegalArgumentException("no _sum for " + e.getKey());
                }
            }
            default -> {
                for (Sample s : f.samples()) {
                    if (!s.name().equals(f.name()) && !f.type().equals("summary")) {
                        throw new IllegalArgumentException(f.type() + " sample " + s.name() + " in " + f.name());
                    }
                }
            }
        }
    }

    private static Sample sample(String line, String at) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        if (!METRIC.matcher(name).matches()) throw new IllegalArgumentException("bad metric name, " + at);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) throw new IllegalArgumentException("label without '=', " + at);
                String ln = line.substring(i, eq);
                if (!LABEL.matcher(ln).matches()) throw new IllegalArgumentException("bad label name '" + ln + "', " + at);
                if (line.charAt(eq + 1) != '"') throw new IllegalArgumentException("label value not quoted, " + at);
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; ; j++) {
                    if (j >= line.length()) throw new IllegalArgumentException("unterminated label value, " + at);
                    char c = line.charAt(j);
                    if (c == '"') break;
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        switch (n) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new IllegalArgumentException("bad escape \\" + n + ", " + at);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(ln, v.toString()) != null) throw new IllegalArgumentException("label " + ln + " twice, " + at);
                i = j + 1;
                if (line.charAt(i) == ',') i++;
                else if (line.charAt(i) != '}') throw new IllegalArgumentException("expected ',' or '}', " + at);
            }
        }
        if (i >= line.length() || line.charAt(i) != ' ') throw new IllegalArgumentException("no value, " + at);
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length < 1 || rest.length > 2) throw new IllegalArgumentException("expected a value and an optional timestamp, " + at);
        double value = number(rest[0], at);
        if (rest.length == 2 && !rest[1].matches("-?\\d+")) throw new IllegalArgumentException("bad timestamp, " + at);
        return new Sample(name, labels, value);
    }

    private static double number(String s, String at) {
        switch (s) {
            case "+Inf", "Inf" -> { return Double.POSITIVE_INFINITY; }
            case "-Inf" -> { return Double.NEGATIVE_INFINITY; }
            case "NaN" -> { return Double.NaN; }
            default -> {
                if (!s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) throw new IllegalArgumentException("bad number '" + s + "', " + at);
                return Double.parseDouble(s);
            }
        }
    }

    private static void checkHelpEscapes(String help, String at) {
        for (int i = 0; i < help.length(); i++) {
            if (help.charAt(i) == '\\') {
                char n = i + 1 < help.length() ? help.charAt(i + 1) : ' ';
                if (n != '\\' && n != 'n') throw new IllegalArgumentException("bad escape in HELP, " + at);
                i++;
            }
        }
    }

    Family family(String name) {
        Family f = families.get(name);
        if (f == null) throw new AssertionError("no metric family " + name + " (have: " + families.keySet() + ")");
        return f;
    }

    /** The one sample of {@code name} whose labels include {@code labels} (pairs). */
    double value(String name, String... labels) {
        List<Sample> hits = new ArrayList<>();
        for (Family f : families.values()) {
            for (Sample s : f.samples()) {
                if (!s.name().equals(name)) continue;
                boolean match = true;
                for (int i = 0; i < labels.length; i += 2) match &= labels[i + 1].equals(s.labels().get(labels[i]));
                if (match) hits.add(s);
            }
        }
        if (hits.size() != 1) throw new AssertionError(hits.size() + " samples of " + name + " " + List.of(labels) + ": " + hits);
        return hits.get(0).value();
    }
}
