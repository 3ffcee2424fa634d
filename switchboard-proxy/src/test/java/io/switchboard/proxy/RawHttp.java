package io.switchboard.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading an HTTP/1.1 response off a plain socket byte by byte, for tests that write their requests raw. */
public final class RawHttp {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: (\\d+)");

    private RawHttp() {}

    /**
     * One response, head and Content-Length body, as text (ISO-8859-1); what came before the end of
     * the stream if it ends in the head. Reads no further than that response.
     */
    public static String readResponse(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int matched = 0;
        for (int i = 0; i < 64 * 1024 && matched < 4; i++) {
            int c = in.read();
            if (c < 0) return sb.toString();
            sb.append((char) c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        Matcher m = CONTENT_LENGTH.matcher(sb);
        int n = m.find() ? Integer.parseInt(m.group(1)) : 0;
        sb.append(new String(in.readNBytes(n), StandardCharsets.ISO_8859_1));
        return sb.toString();
    }
}
