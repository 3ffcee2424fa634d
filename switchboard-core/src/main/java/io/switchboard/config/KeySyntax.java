package io.switchboard.config;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The shared key of load reports, as a key file or an environment variable holds it. One rule for
 * the balancer and the agent, so that both read the same file the same way:
 * <ul>
 *   <li>text that is base64 (standard or URL-safe alphabet, padding optional), surrounding
 *       whitespace and a final newline ignored: the key is the decoded bytes, e.g. the output of
 *       {@code openssl rand -base64 32};</li>
 *   <li>anything else: the key is the bytes as they are (e.g. {@code head -c 32 /dev/urandom}).</li>
 * </ul>
 * Either way it must be at least {@link LoadReportsConfig#MIN_KEY_BYTES} bytes.
 *
 * <p>Threading: stateless.
 */
public final class KeySyntax {
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}");
    static final String RULE = "at least " + LoadReportsConfig.MIN_KEY_BYTES + " bytes: base64 text (e.g. the output of"
            + " openssl rand -base64 32) or raw bytes (e.g. head -c 32 /dev/urandom)";

    private KeySyntax() {}

    /**
     * @param content the file's bytes, or an environment variable's value in UTF-8
     * @throws IllegalArgumentException when the key is too short, saying what is allowed
     */
    public static byte[] parse(byte[] content) {
        byte[] key = content;
        String text = new String(content, StandardCharsets.ISO_8859_1).strip();
        if (!text.isEmpty() && BASE64.matcher(text).matches() && text.replace("=", "").length() % 4 != 1) {
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            try {
                key = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
            } catch (IllegalArgumentException notBase64) {
                key = content; // padding in the wrong place: raw bytes after all
            }
        }
        if (key.length < LoadReportsConfig.MIN_KEY_BYTES) {
            throw new IllegalArgumentException("the key is " + key.length + " bytes long; use " + RULE);
        }
        return key;
    }
}
