package io.switchboard.load;

import io.switchboard.config.KeySyntax;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The key an agent and its balancers share for {@link ReportCodec}, read from a file by the one rule
 * both sides use ({@link KeySyntax}: base64 text is decoded, anything else is the key as stored; at
 * least {@link ReportCodec#MIN_KEY_BYTES} bytes); this adds the file's checks and names the file in errors.
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
        try {
            return KeySyntax.parse(Files.readAllBytes(file));
        } catch (IllegalArgumentException e) {
            throw new IOException("key file " + file + ": " + e.getMessage(), e);
        }
    }
}
