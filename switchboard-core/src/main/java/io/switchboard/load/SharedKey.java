package io.switchboard.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/**
 * The key an agent and its balancers share for {@link ReportCodec}, read from a file the same way
 * on both sides: when the file's text, less surrounding whitespace, is base64 (standard alphabet,
 * padding optional) it is decoded, so {@code head -c 32 /dev/urandom | base64 > FILE} makes one;
 * otherwise its bytes, exactly as stored, are the key. Either way at least
 * {@link ReportCodec#MIN_KEY_BYTES} bytes.
 *
 * <p>Stateless; thread-safe.
 */
public final class SharedKey {
    private static final int MAX_FILE_BYTES = 4096;

    private SharedKey() {}

    /** @throws IOException naming the file and the rule when it cannot be read or the key is too short */
    public static byte[] read(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new IOException("key file " + file + ": cannot read it (" + e.getMessage() + ")", e);
        }
        if (size > MAX_FILE_BYTES) {
            throw new IOException("key file " + file + " has " + size + " bytes; a key file holds one key, at most "
                    + MAX_FILE_BYTES + " bytes (e.g. 32 random bytes, base64)");
        }
        byte[] raw = Files.readAllBytes(file);
        byte[] key = decode(raw);
        if (key.length < ReportCodec.MIN_KEY_BYTES) {
            throw new IOException("key file " + file + " holds a key of " + key.length + " bytes; at least "
                    + ReportCodec.MIN_KEY_BYTES + " are needed (make one with: head -c 32 /dev/urandom | base64 > " + file + ")");
        }
        return key;
    }

    /** Base64 text decoded, anything else as is (see the class comment). */
    public static byte[] decode(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
        if (!text.isEmpty() && text.matches("[A-Za-z0-9+/]+={0,2}")) {
            try {
                return Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                // not base64 after all (e.g. a length no base64 text has): the bytes are the key
            }
        }
        return Arrays.copyOf(raw, raw.length);
    }
}
