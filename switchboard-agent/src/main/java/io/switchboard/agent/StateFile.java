package io.switchboard.agent;

import io.switchboard.load.AgentState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The operator's say from the server itself: the first word of a small file, one of {@code up},
 * {@code ready}, {@code drain}, {@code maint}, {@code down} (also {@code fail}, {@code stopped}).
 * A missing or empty file means {@code up}, so {@code echo drain > FILE} drains and {@code rm FILE}
 * gives the server back. A word that is none of these, or a file that cannot be read, keeps the
 * last state the file gave and is logged once per change.
 *
 * <p>Not thread-safe: the agent's one measuring thread reads it once per interval.
 */
final class StateFile {
    private static final System.Logger log = System.getLogger(StateFile.class.getName());
    private static final int MAX_BYTES = 4096;

    private final Path path;
    private AgentState state = AgentState.UP;
    private String lastProblem = "";

    StateFile(Path path) {
        this.path = path;
    }

    AgentState read() {
        String problem = "";
        try {
            byte[] b;
            try (var in = Files.newInputStream(path)) {
                b = in.readNBytes(MAX_BYTES);
            }
            String text = new String(b, StandardCharsets.UTF_8).strip();
            String word = text.isEmpty() ? "up" : text.split("\\s+", 2)[0];
            AgentState s = AgentState.ofWord(word);
            if (s == null) {
                problem = "'" + word + "' is not a state (write up, ready, drain, maint or down); keeping " + state.word();
            } else {
                state = s;
            }
        } catch (NoSuchFileException e) {
            state = AgentState.UP;
        } catch (IOException e) {
            problem = "cannot read it (" + e + "); keeping " + state.word();
        }
        if (!problem.equals(lastProblem)) {
            if (!problem.isEmpty()) log.log(System.Logger.Level.WARNING, "state file {0}: {1}", path, problem);
            lastProblem = problem;
        }
        return state;
    }
}
