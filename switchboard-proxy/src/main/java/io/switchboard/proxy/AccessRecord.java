package io.switchboard.proxy;

/**
 * One finished request, as the access log writes it.
 *
 * @param backend "pool/name" or "-" when none was chosen
 * @param cause why the request ended as it did when the proxy answered it itself (e.g. "no back end
 *     eligible", "response timeout"), or "-"
 */
public record AccessRecord(long epochMillis, String client, String listener, String method, String uri, String protocol,
                           int status, String backend, long bytesIn, long bytesOut, long durationMicros, int retries,
                           String cause) {
    /** One line: client method uri status backend bytes-in bytes-out duration-ms retries cause. */
    public String format() {
        StringBuilder sb = new StringBuilder(160);
        sb.append(java.time.Instant.ofEpochMilli(epochMillis)).append(' ')
          .append(client).append(' ').append(listener).append(" \"")
          .append(method).append(' ').append(uri).append(' ').append(protocol).append("\" ")
          .append(status).append(' ').append(backend).append(' ')
          .append("in=").append(bytesIn).append(" out=").append(bytesOut).append(' ')
          .append(String.format(java.util.Locale.ROOT, "%.3fms", durationMicros / 1000.0))
          .append(" retries=").append(retries);
        if (cause != null && !cause.equals("-")) sb.append(" cause=\"").append(cause).append('"');
        return sb.toString();
    }
}
