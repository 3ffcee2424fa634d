package io.switchboard.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedKeyTest {
    @TempDir
    Path dir;

    @Test
    void base64TextIsDecodedAndAnythingElseIsTheKeyAsStored() throws Exception {
        byte[] random = new byte[32];
        for (int i = 0; i < random.length; i++) random[i] = (byte) (i * 37 + 11);
        Path b64 = dir.resolve("b64");
        Files.writeString(b64, Base64.getEncoder().encodeToString(random) + "\n");
        assertThat(SharedKey.read(b64)).isEqualTo(random);

        Path raw = dir.resolve("raw");
        Files.write(raw, random);
        assertThat(SharedKey.read(raw)).as("binary").isEqualTo(random);

        Path phrase = dir.resolve("phrase");
        Files.writeString(phrase, "correct horse battery staple!!");
        assertThat(SharedKey.read(phrase)).isEqualTo("correct horse battery staple!!".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shortMissingAndHugeFilesSayWhatIsWrong() throws Exception {
        Path small = dir.resolve("small");
        Files.writeString(small, "c2hvcnQ=\n"); // "short"
        assertThatThrownBy(() -> SharedKey.read(small)).isInstanceOf(IOException.class)
                .hasMessageContaining("key file " + small + ": the key is 5 bytes long; use at least 16 bytes");
        assertThatThrownBy(() -> SharedKey.read(dir.resolve("missing"))).hasMessageContaining("key file " + dir.resolve("missing") + ": cannot read it");
        Path huge = dir.resolve("huge");
        Files.write(huge, new byte[10_000]);
        assertThatThrownBy(() -> SharedKey.read(huge)).hasMessageContaining("a key file holds one key, at most 4096 bytes");
    }
}
