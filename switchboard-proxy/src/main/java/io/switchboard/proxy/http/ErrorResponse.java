package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * The responses Switchboard gives itself: a status and a short plain-text body saying what happened,
 * e.g. {@code 503 Service Unavailable: no back end available in pool 'app'}. The details that help an
 * operator (which back end, which error) go to the access log, not to the client.
 */
public final class ErrorResponse {
    private ErrorResponse() {}

    /** The body sent for this status and reason. */
    static byte[] body(HttpResponseStatus status, String reason) {
        return (status.code() + " " + status.reasonPhrase() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The whole response, encoded. {@code retryAfter} in seconds, 0 for the default (1 on a 503, none
     * otherwise). The answer to a HEAD request has the same head and no body (RFC 9110 section 9.3.2).
     */
    public static ByteBuf of(ByteBufAllocator alloc, HttpResponseStatus status, String reason, boolean close, boolean http10,
                             int retryAfter, boolean headRequest) {
        byte[] body = body(status, reason);
        StringBuilder head = new StringBuilder(160)
                .append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(status.code()).append(' ').append(status.reasonPhrase()).append("\r\n")
                .append("content-type: text/plain; charset=utf-8\r\n")
                .append("content-length: ").append(body.length).append("\r\n")
                .append("cache-control: no-cache\r\n");
        if (retryAfter > 0) head.append("retry-after: ").append(retryAfter).append("\r\n");
        else if (status.code() == 503) head.append("retry-after: 1\r\n");
        if (close) head.append("connection: close\r\n");
        else if (http10) head.append("connection: keep-alive\r\n");
        head.append("\r\n");
        ByteBuf out = alloc.buffer(head.length() + body.length);
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        if (!headRequest) out.writeBytes(body);
        return out;
    }

    /**
     * A route's own answer: {@code status} with a short text body (Latin-1) and, for a redirect, a
     * Location. Encoded like {@link #of}.
     */
    static ByteBuf answer(ByteBufAllocator alloc, int status, String body, String location, boolean close, boolean http10,
                          boolean headRequest) {
        return answer(alloc, status, body, location, 0, close, http10, headRequest);
    }

    /** @param retryAfterSeconds sent as {@code retry-after} when more than 0 */
    static ByteBuf answer(ByteBufAllocator alloc, int status, String body, String location, long retryAfterSeconds, boolean close,
                          boolean http10, boolean headRequest) {
        HttpResponseStatus st = HttpResponseStatus.valueOf(status);
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        StringBuilder head = new StringBuilder(160)
                .append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(status).append(' ').append(st.reasonPhrase()).append("\r\n");
        if (location != null) head.append("location: ").append(location).append("\r\n");
        if (retryAfterSeconds > 0) head.append("retry-after: ").append(retryAfterSeconds).append("\r\n");
        if (b.length > 0) head.append("content-type: text/plain; charset=iso-8859-1\r\n");
        head.append("content-length: ").append(b.length).append("\r\n");
        if (close) head.append("connection: close\r\n");
        else if (http10) head.append("connection: keep-alive\r\n");
        head.append("\r\n");
        ByteBuf out = alloc.buffer(head.length() + b.length);
        out.writeCharSequence(head, StandardCharsets.ISO_8859_1);
        if (!headRequest) out.writeBytes(b);
        return out;
    }
}
