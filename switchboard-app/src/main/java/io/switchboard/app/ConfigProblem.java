package io.switchboard.app;

/**
 * One thing wrong (or doubtful) in a config file, said the way a person fixes it:
 * {@code switchboard.yaml:14: pools.app.servers[1].weight: 300 is out of range (allowed: 0-256)}.
 *
 * @param file the file as the user named it (so the message points where they look)
 * @param line 1-based; 0 when the problem is about the file as a whole (unreadable, empty)
 * @param column 1-based; 0 when unknown. Not printed: the line and the key already point at it.
 * @param key the key path ({@code listeners[0].default-pool}); empty for YAML syntax errors
 */
public record ConfigProblem(Severity severity, String file, int line, int column, String key, String message) {
    public enum Severity { ERROR, WARNING }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (severity == Severity.WARNING) sb.append("warning: ");
        if (!key.isEmpty()) sb.append(key).append(": ");
        return sb.append(message).toString();
    }
}
