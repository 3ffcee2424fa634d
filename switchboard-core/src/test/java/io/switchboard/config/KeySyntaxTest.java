package io.switchboard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class KeySyntaxTest {
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) KEY[i] = (byte) (i * 37 + 5);
    }

    @Test
    void base64TextIsDecodedWithOrWithoutPaddingAndNewline() {
        String b64 = Base64.getEncoder().encodeToString(KEY);
        assertThat(KeySyntax.parse((b64 + "\n").getBytes(StandardCharsets.US_ASCII))).isEqualTo(KEY);
        assertThat(KeySyntax.parse(("  " + b64.replace("=", "") + "\r\n").getBytes(StandardCharsets.US_ASCII))).isEqualTo(KEY);
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(KEY);
        assertThat(KeySyntax.parse(url.getBytes(StandardCharsets.US_ASCII))).isEqualTo(KEY);
    }

    @Test
    void otherBytesAreTheKeyAsTheyAre() {
        byte[] raw = KEY.clone();
        raw[0] = (byte) 0xff; // not base64 text
        assertThat(KeySyntax.parse(raw)).isEqualTo(raw);
        byte[] text = "a passphrase with spaces, long enough".getBytes(StandardCharsets.US_ASCII);
        assertThat(KeySyntax.parse(text)).isEqualTo(text);
    }

    @Test
    void shortKeysAreRefusedWithTheRule() {
        assertThatThrownBy(() -> KeySyntax.parse("c2hvcnQ=".getBytes(StandardCharsets.US_ASCII)))
                .hasMessage("the key is 5 bytes long; use at least 16 bytes: base64 text (e.g. the output of openssl rand"
                        + " -base64 32) or raw bytes (e.g. head -c 32 /dev/urandom)");
        assertThatThrownBy(() -> KeySyntax.parse(new byte[] {(byte) 0xff, 1, 2})).hasMessageContaining("3 bytes long");
    }
}
