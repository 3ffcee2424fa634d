package io.switchboard.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Fetches the web server's own status page (NGINX {@code stub_status} or Apache
 * {@code server-status?auto}) once per measurement, with a short timeout. A failed fetch is
 * "unknown" ({@link ServerStatus#UNKNOWN}), never fatal; the reason is logged when it changes, so
 * a web server that is down for an hour logs one line, not 3600.
 *
 * <p>Not thread-safe: the agent's one measuring thread (the JDK client has its own threads).
 */
final class StatusProbe {
    private static final System.Logger log = System.getLogger(StatusProbe.class.getName());

    private final ServerStatus.Kind kind;
    private final URI uri;
    private final Duration timeout;
    private final HttpClient client;
    private String lastProblem = "";

    StatusProbe(ServerStatus.Kind kind, URI uri, Duration timeout) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.uri = Objects.requireNonNull(uri, "uri");
        this.timeout = timeout;
        // HTTP/1.1: the JDK's default HTTP/2 would send an h2c upgrade, which a status page has no use for
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    ServerStatus fetch() {
        String problem;
        try {
            HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
            HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
            if (resp.statusCode() == 200) {
                ServerStatus s = ServerStatus.parse(kind, resp.body());
                changed("");
                return s;
            }
            problem = "HTTP status " + resp.statusCode();
        } catch (IOException | IllegalArgumentException e) {
            problem = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        changed(problem);
        return ServerStatus.UNKNOWN;
    }

    private void changed(String problem) {
        if (problem.equals(lastProblem)) return;
        if (problem.isEmpty()) {
            log.log(System.Logger.Level.INFO, "{0} status {1}: readable again", kind, uri);
        } else {
            log.log(System.Logger.Level.WARNING, "{0} status {1}: {2}; busy/idle workers reported as unknown until it answers",
                    kind, uri, problem);
        }
        lastProblem = problem;
    }

    void close() {
        client.close();
    }
}
