package io.switchboard.app;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects the errors and warnings of one load, so that a person sees every mistake in one pass
 * instead of fixing them one restart at a time. Not thread-safe: one per load.
 */
final class Problems {
    /** By line, then column. A class, not method references: those were linked at every start (~5 ms, session 12). */
    private static final Comparator<ConfigProblem> FILE_ORDER = new Comparator<>() {
        @Override
        public int compare(ConfigProblem a, ConfigProblem b) {
            int byLine = Integer.compare(a.line(), b.line());
            return byLine != 0 ? byLine : Integer.compare(a.column(), b.column());
        }
    };

    private final String file;
    private final List<ConfigProblem> errors = new ArrayList<>();
    private final List<ConfigProblem> warnings = new ArrayList<>();

    Problems(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    void error(YamlNode at, String key, String message) {
        error(at.line(), at.column(), key, message);
    }

    void error(int line, int column, String key, String message) {
        errors.add(new ConfigProblem(ConfigProblem.Severity.ERROR, file, line, column, key, message));
    }

    void warn(YamlNode at, String key, String message) {
        warn(at.line(), at.column(), key, message);
    }

    void warn(int line, int column, String key, String message) {
        warnings.add(new ConfigProblem(ConfigProblem.Severity.WARNING, file, line, column, key, message));
    }

    /** Errors so far; a reader compares counts to tell whether a part it read had any. */
    int errorCount() {
        return errors.size();
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** In file order (cross-reference checks run after the pass that found the rest). */
    List<ConfigProblem> errors() {
        return errors.stream().sorted(FILE_ORDER).toList();
    }

    List<ConfigProblem> warnings() {
        return warnings.stream().sorted(FILE_ORDER).toList();
    }
}
