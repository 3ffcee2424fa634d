package io.switchboard.admin;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON in and out of the admin API: responses from {@link Views} records, request bodies as trees
 * that the API checks field by field (so that an error names the field and what would be valid).
 *
 * <p>Threading: stateless; the shared ObjectMapper is thread-safe.
 */
final class Json {
    private static final Pattern UNEXPECTED = Pattern.compile("^Unexpected character \\(.*?\\(code (\\d+)\\)\\)(.*)$", Pattern.DOTALL);
    private static final Pattern TOKEN = Pattern.compile("^(?:Unrecognized|Non-standard) token '(.*?)'.*$", Pattern.DOTALL);
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '(.*?)'.*$", Pattern.DOTALL);

    /**
     * Made at the first request, not at start: the mapper's class initialisation (a date format, a
     * calendar, the locale providers) took about 20 ms of the start to the first proxied request.
     */
    private static final class Mapper {
        static final ObjectMapper INSTANCE = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    ApiResponse ok(int status, Object body) {
        try {
            return ApiResponse.of(status, ApiResponse.JSON, Mapper.INSTANCE.writeValueAsBytes(body));
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
            n = Mapper.INSTANCE.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(invalid(body, e));
        } catch (IOException e) {
            throw new IllegalArgumentException("the body could not be read: " + e.getClass().getSimpleName());
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("the body must be a JSON object");
        return n;
    }

    /**
     * "invalid JSON at line L, column C: what is wrong", from Jackson's exception. Jackson's own
     * message names its classes and features, which mean nothing to the sender, so it is mapped to
     * words here; the position is counted in characters from the exception's byte offset.
     */
    static String invalid(byte[] body, JsonProcessingException e) {
        String what = describe(body, e);
        JsonLocation loc = e.getLocation();
        if (loc == null) return "invalid JSON: " + what;
        long offset = loc.getByteOffset();
        if (offset < 0 || offset > body.length) {
            return "invalid JSON at line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ": " + what;
        }
        String before = new String(body, 0, (int) offset, StandardCharsets.UTF_8);
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < before.length(); i++) {
            if (before.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = before.codePointCount(lineStart, before.length()) + 1;
        return "invalid JSON at line " + line + ", column " + column + ": " + what;
    }

    private static String describe(byte[] body, JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher u = UNEXPECTED.matcher(m);
        if (u.matches()) {
            String found = shown(Integer.parseInt(u.group(1)));
            String rest = u.group(2);
            if (rest.contains("expected a value") || rest.contains("expected a valid value")) {
                String after = previous(body, e.getLocation());
                return "expected a value" + (after == null ? "" : " after '" + after + "'") + ", found " + found;
            }
            if (rest.contains("double-quote to start field name")) return "expected a field name in double quotes, found " + found;
            if (rest.contains("colon to separate")) return "expected ':' after the field name, found " + found;
            if (rest.contains("separate Object entries")) return "expected ',' or '}' after the field's value, found " + found;
            if (rest.contains("separate Array entries")) return "expected ',' or ']' after the array element, found " + found;
            if (rest.contains("numeric value")) return "a number is cut short by " + found;
            return "unexpected " + found;
        }
        Matcher t = TOKEN.matcher(m);
        if (t.matches()) {
            return "unknown word '" + t.group(1) + "' (a value is a string in double quotes, a number, an object, an array,"
                    + " true, false or null)";
        }
        Matcher d = DUPLICATE.matcher(m);
        if (d.matches()) return "field '" + d.group(1) + "' appears twice";
        if (m.startsWith("Unexpected end-of-input")) {
            if (m.contains("close marker for Object") || m.contains("Object entries")) return "the body ends before the object is closed with '}'";
            if (m.contains("close marker for Array") || m.contains("Array entries")) return "the body ends before the array is closed with ']'";
            if (m.contains("VALUE_STRING") || m.contains("string value")) return "the body ends inside a string (a '\"' is missing)";
            return "the body ends before the JSON value is complete";
        }
        if (m.startsWith("Trailing token")) return "there is more after the end of the JSON object (send exactly one object)";
        if (m.startsWith("Illegal unquoted character")) {
            return "a control character inside a string (write a line break as \\n, a tab as \\t)";
        }
        if (m.contains("Leading zeroes")) return "a number may not start with 0";
        if (m.contains("Invalid UTF-8") || m.contains("Invalid UTF8")) return "the body is not valid UTF-8";
        if (m.startsWith("Invalid numeric value") || m.contains("numeric value")) return "a number is not well-formed";
        return "the JSON is not well-formed";
    }

    /** A character for a message: printable ones quoted, others by code point. */
    private static String shown(int code) {
        if (code < 0x20 || code == 0x7f) return String.format("control character U+%04X", code);
        if (code == '\'') return "a single quote (strings take double quotes)";
        return "'" + new String(Character.toChars(code)) + "'";
    }

    /** The last character before the error position that is not white space, or null at the start. */
    private static String previous(byte[] body, JsonLocation loc) {
        if (loc == null || loc.getByteOffset() <= 0 || loc.getByteOffset() > body.length) return null;
        String before = new String(body, 0, (int) loc.getByteOffset(), StandardCharsets.UTF_8).stripTrailing();
        return before.isEmpty() ? null : before.substring(before.length() - 1);
    }
}
