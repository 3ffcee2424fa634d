package io.switchboard.proxy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One finished request, as the access log writes it.
 *
 * <p>Three renderings: {@link #format()} (Switchboard's own line: back end, bytes both ways, time,
 * retries, cause), {@link #combined()} (the NCSA combined format that Apache, NGINX and every log
 * analyzer read) and {@link #json()} (one JSON object per line, every field).
 *
 * @param backend "pool/name" or "-" when none was chosen
 * @param bytesIn request body bytes received from the client
 * @param bytesOut response body bytes sent to the client
 * @param cause why the request ended as it did when the proxy answered it itself (e.g. "no back end
 *     eligible", "response timeout"), or "-"
 * @param referer the request's Referer header, or "-"
 * @param userAgent the request's User-Agent header, or "-"
 */
public record AccessRecord(long epochMillis, String client, String listener, String method, String uri, String protocol,
                           int status, String backend, long bytesIn, long bytesOut, long durationMicros, int retries,
                           String cause, String referer, String userAgent) {
    private static final DateTimeFormatter CLF_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneId.systemDefault());

    /** Without the Referer and User-Agent headers ("-" in the combined format). */
    public AccessRecord(long epochMillis, String client, String listener, String method, String uri, String protocol,
                        int status, String backend, long bytesIn, long bytesOut, long durationMicros, int retries,
                        String cause) {
        this(epochMillis, client, listener, method, uri, protocol, status, backend, bytesIn, bytesOut, durationMicros,
                retries, cause, "-", "-");
    }

    public AccessRecord {
        if (referer == null || referer.isEmpty()) referer = "-";
        if (userAgent == null || userAgent.isEmpty()) userAgent = "-";
    }

    /** One line: client method uri status backend bytes-in bytes-out duration-ms retries cause. */
    public String format() {
        StringBuilder sb = new StringBuilder(160);
        sb.append(Instant.ofEpochMilli(epochMillis)).append(' ')
          .append(client).append(' ').append(listener).append(" \"")
          .append(method).append(' ').append(uri).append(' ').append(protocol).append("\" ")
          .append(status).append(' ').append(backend).append(' ')
          .append("in=").append(bytesIn).append(" out=").append(bytesOut).append(' ')
          .append(String.format(Locale.ROOT, "%.3fms", durationMicros / 1000.0))
          .append(" retries=").append(retries);
        if (cause != null && !cause.equals("-")) sb.append(" cause=\"").append(cause).append('"');
        return sb.toString();
    }

    /**
     * NCSA combined: {@code host ident user [time] "request" status bytes "referer" "user-agent"}, as
     * Apache's {@code %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"}. Quotes, backslashes and
     * control characters inside the quoted fields are escaped as Apache does ({@code \"}, {@code \\},
     * {@code \xhh}), so one record is always one parsable line. Bytes is "-" when the body was empty.
     */
    public String combined() {
        StringBuilder sb = new StringBuilder(200);
        sb.append(client).append(" - - [").append(CLF_TIME.format(Instant.ofEpochMilli(epochMillis))).append("] \"");
        if (method.equals("-")) {
            sb.append('-');
        } else {
            escapeClf(sb, method);
            sb.append(' ');
            escapeClf(sb, uri);
            sb.append(' ');
            escapeClf(sb, protocol);
        }
        sb.append("\" ").append(status).append(' ');
        if (bytesOut > 0) sb.append(bytesOut); else sb.append('-');
        sb.append(" \"");
        escapeClf(sb, referer);
        sb.append("\" \"");
        escapeClf(sb, userAgent);
        sb.append('"');
        return sb.toString();
    }

    /** One JSON object, no line breaks; absent values are null. Durations in milliseconds. */
    public String json() {
        StringBuilder sb = new StringBuilder(320);
        sb.append("{\"time\":");
        jsonString(sb, Instant.ofEpochMilli(epochMillis).toString());
        sb.append(",\"client\":");
        jsonString(sb, client);
        sb.append(",\"listener\":");
        jsonString(sb, listener);
        sb.append(",\"method\":");
        jsonOrNull(sb, method);
        sb.append(",\"uri\":");
        jsonOrNull(sb, uri);
        sb.append(",\"protocol\":");
        jsonOrNull(sb, protocol);
        sb.append(",\"status\":").append(status);
        int slash = backend.indexOf('/');
        sb.append(",\"pool\":");
        jsonOrNull(sb, slash < 0 ? "-" : backend.substring(0, slash));
        sb.append(",\"backend\":");
        jsonOrNull(sb, slash < 0 ? "-" : backend.substring(slash + 1));
        sb.append(",\"bytes_in\":").append(bytesIn)
          .append(",\"bytes_out\":").append(bytesOut)
          .append(",\"duration_ms\":").append(String.format(Locale.ROOT, "%.3f", durationMicros / 1000.0))
          .append(",\"retries\":").append(retries)
          .append(",\"cause\":");
        jsonOrNull(sb, cause);
        sb.append(",\"referer\":");
        jsonOrNull(sb, referer);
        sb.append(",\"user_agent\":");
        jsonOrNull(sb, userAgent);
        return sb.append('}').toString();
    }

    private static void escapeClf(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    private static void jsonOrNull(StringBuilder sb, String s) {
        if (s == null || s.equals("-")) sb.append("null"); else jsonString(sb, s);
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
