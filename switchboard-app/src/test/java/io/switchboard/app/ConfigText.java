package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What the config loader's tests share: problems as the user reads them, a one-server head, and a listener with routes. */
final class ConfigText {
    private ConfigText() {}

    /** A listener on port 8080 for pool {@code app} with one server {@code a}: what follows starts on line 9. */
    static final String ONE_SERVER = """
            listeners:
              - port: 8080
                default-pool: app
            pools:
              app:
                servers:
                  - name: a
                    address: 127.0.0.1:9001
            """;

    /** The problems of a config that {@code load} must refuse, as "file:line: key: message". */
    static List<String> errors(ThrowingCallable load) {
        ConfigException e = catchThrowableOfType(ConfigException.class, load);
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    /** The warnings of a loaded config, as "file:line: key: message". */
    static List<String> warnings(LoadedConfig loaded) {
        return loaded.warnings().stream().map(ConfigProblem::toString).toList();
    }

    /** A listener on port 8080 for pool {@code app} whose routes start on line 5, then {@code pools}. */
    static String withRoutes(String routes, String pools) {
        return "listeners:\n  - port: 8080\n    default-pool: app\n    routes:\n" + routes.indent(4) + pools;
    }
}
