package io.switchboard.proxy.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The responses Switchboard gives itself: a status and a short plain-text body saying what happened,
 * e.g. {@code 503 Service Unavailable: no back end available in pool 'app'}. The details that help an
 * operator (which back end, which error) go to the access log, not to the client.
 */
public final class ErrorResponse {
    private ErrorResponse() {}

    public static FullHttpResponse of(ByteBufAllocator alloc, HttpResponseStatus status, String reason, boolean close) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, alloc.buffer(body.length).writeBytes(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        if (status.code() == 503) r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        if (close) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }
}
