package io.switchboard.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * JSON in and out of the admin API: responses from {@link Views} records, request bodies as trees
 * that the API checks field by field (so that an error names the field and what would be valid).
 *
 * <p>Threading: immutable after construction; ObjectMapper is thread-safe.
 */
final class Json {
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    ApiResponse ok(int status, Object body) {
        try {
            return ApiResponse.of(status, ApiResponse.JSON, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }

    ApiResponse error(int status, String message) {
        return ok(status, new Views.ErrorView(status, message));
    }

    /** The body as a JSON object; IllegalArgumentException with a message for people otherwise. */
    JsonNode object(byte[] body) {
        if (body.length == 0) throw new IllegalArgumentException("the request needs a JSON object body");
        JsonNode n;
        try {
            n = mapper.readTree(body);
        } catch (IOException e) {
            String msg = e.getMessage();
            int nl = msg == null ? -1 : msg.indexOf('\n');
            throw new IllegalArgumentException("the body is not valid JSON: " + (nl > 0 ? msg.substring(0, nl) : msg));
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("the body must be a JSON object");
        return n;
    }
}
