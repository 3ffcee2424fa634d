package io.switchboard.app;

import java.util.List;

/**
 * A config file that cannot be used, with every error found in it (not just the first), in file
 * order. The accessors for file, line, column and key describe the first error; {@link #problems()}
 * has them all. The message is one self-contained line per error.
 */
public final class ConfigException extends Exception {
    private final transient List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(join(problems));
        if (problems.isEmpty()) throw new IllegalArgumentException("a ConfigException needs at least one problem");
        this.problems = List.copyOf(problems);
    }

    public ConfigException(ConfigProblem problem) {
        this(List.of(problem));
    }

    public List<ConfigProblem> problems() { return problems; }
    public String file() { return problems.get(0).file(); }
    public int line() { return problems.get(0).line(); }
    public int column() { return problems.get(0).column(); }
    public String key() { return problems.get(0).key(); }

    private static String join(List<ConfigProblem> problems) {
        StringBuilder sb = new StringBuilder();
        for (ConfigProblem p : problems) {
            if (!sb.isEmpty()) sb.append('\n');
            sb.append(p);
        }
        return sb.toString();
    }
}
