package io.switchboard.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The dashboard: a few hand-written files served from the jar, no CDN and no build step. Read once,
 * at start. The Content-Security-Policy allows nothing but this origin, so the page cannot load or
 * send anything elsewhere.
 *
 * <p>Threading: immutable after construction.
 */
final class StaticFiles {
    private static final String ROOT = "/io/switchboard/admin/dashboard/";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "dashboard.css", "text/css; charset=utf-8",
            "dashboard.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    private final Map<String, ApiResponse> responses;

    StaticFiles() {
        Map<String, ApiResponse> m = new HashMap<>();
        for (Map.Entry<String, String> e : FILES.entrySet()) {
            try (InputStream in = StaticFiles.class.getResourceAsStream(ROOT + e.getKey())) {
                if (in == null) throw new IllegalStateException("dashboard file " + ROOT + e.getKey() + " is missing from the jar");
                m.put(e.getKey(), ApiResponse.of(200, e.getValue(), in.readAllBytes())
                        .withHeader("Cache-Control", "no-cache")
                        .withHeader("Content-Security-Policy", CSP)
                        .withHeader("X-Content-Type-Options", "nosniff")
                        .withHeader("Referrer-Policy", "no-referrer"));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        responses = Map.copyOf(m);
    }

    /** The file at {@code path} ("/" is the dashboard page), or null. */
    ApiResponse get(String path) {
        String name = path.equals("/") || path.equals("/dashboard") ? "index.html" : path.substring(1);
        return responses.get(name);
    }
}
