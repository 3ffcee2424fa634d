package io.switchboard.proxy.guard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * The strict HTTP/1.1 corpus of issue #3: named raw messages, what the client must get, and which
 * layer refuses each (so a regression says where to look). {@link StrictParsingIT} sends them to a
 * real proxy; the fuzz tests' seed corpora were generated from them.
 */
public final class StrictParsingCorpus {
    /** Who refuses a message. */
    public enum By {
        /** Switchboard's HTTP/1.x decoder (head parser, body framing, Host and target checks). */
        DECODER,
        /** The front end's own checks (Host on HTTP/1.1, Expect, body size). */
        FRONTEND,
        /** Accepted and forwarded. */
        NOBODY
    }

    /** @param cause a fragment of the access log's cause for the request */
    public record Case(String name, String wire, int status, By by, String cause) {
        @Override
        public String toString() {
            return name + " -> " + status + " (" + by + ")";
        }
    }

    private static final String CHUNKED_POST = "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

    /** A real TLS client's first flight (a ClientHello record), as the JDK's TLS client writes it. */
    private static String clientHello() {
        try {
            SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 443);
            engine.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] b = new byte[out.remaining()];
            out.get(b);
            return new String(b, StandardCharsets.ISO_8859_1);
        } catch (GeneralSecurityException | SSLException e) {
            throw new IllegalStateException("cannot make a TLS ClientHello with the JDK's default SSLContext", e);
        }
    }

    private static Case c(String name, String wire, int status, By by, String cause) {
        return new Case(name, wire, status, by, cause);
    }

    /** Requests that must be answered with an error and the connection closed; the back end sees nothing. */
    public static final List<Case> REJECTED_REQUESTS = List.of(
            // ---- not HTTP at all: refused at the first byte, not after the header timeout
            c("tls-client-hello", clientHello(), 400, By.DECODER, "TLS on a plain-text listener"),
            c("socks5-greeting", "\u0005\u0001\u0000", 400, By.DECODER, "request line starts with 0x05: not an HTTP request"),
            c("json-body-first", "{\"a\": 1}\r\n\r\n", 400, By.DECODER, "request line starts with 0x7B: not an HTTP request"),
            // ---- framing: Content-Length and Transfer-Encoding
            c("cl-and-te", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "both Transfer-Encoding and Content-Length"),
            c("te-and-cl", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "both Transfer-Encoding and Content-Length"),
            c("two-cl-same", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400, By.DECODER,
                    "more than one Content-Length field"),
            c("two-cl-different", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400, By.DECODER,
                    "more than one Content-Length field"),
            c("cl-list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("cl-plus", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("cl-negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("cl-hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("cl-two-numbers", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("cl-trailing-junk", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("cl-overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\nhello", 400, By.DECODER,
                    "Content-Length is not a plain number"),
            c("cl-empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\nhello", 400, By.DECODER, "Content-Length is not a plain number"),
            c("te-xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("te-chunked-identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("te-identity-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("te-gzip-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("te-quoted", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("te-twice-chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
                    By.DECODER, "more than one Transfer-Encoding field"),
            c("te-twice-identity-first", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    400, By.DECODER, "Transfer-Encoding other than exactly 'chunked'"),
            c("te-space-before-colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "whitespace between a header field name and the colon"),
            c("te-obs-fold", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("te-vertical-tab", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\u000bchunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "invalid character 0x0B in the value of header field 'Transfer-Encoding'"),
            c("te-on-http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, By.DECODER,
                    "Transfer-Encoding in an HTTP/1.0 message"),
            // ---- chunked bodies (the head is valid; the body is refused before anything is sent on)
            c("chunk-size-0x", CHUNKED_POST + "0x5\r\nhello\r\n0\r\n\r\n", 400, By.DECODER, "invalid character 0x78 in a chunk size"),
            c("chunk-size-overflow", CHUNKED_POST + "FFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n", 400, By.DECODER, "chunk size too large"),
            c("chunk-size-negative", CHUNKED_POST + "-5\r\nhello\r\n0\r\n\r\n", 400, By.DECODER, "chunk size is not a hex number (invalid character 0x2D)"),
            c("chunk-size-leading-space", CHUNKED_POST + " 5\r\nhello\r\n0\r\n\r\n", 400, By.DECODER, "chunk size is not a hex number (invalid character 0x20)"),
            c("chunk-size-empty", CHUNKED_POST + "\r\nhello\r\n0\r\n\r\n", 400, By.DECODER, "empty chunk size"),
            c("chunk-size-bare-lf", CHUNKED_POST + "5\nhello\r\n0\r\n\r\n", 400, By.DECODER, "invalid character 0x0A in a chunk size"),
            // RFC 9112 section 7.1.1: whitespace (BWS) after the size only before a ';' chunk extension.
            c("chunk-size-space-digit", CHUNKED_POST + "5 6\r\nhello\r\n0\r\n\r\n", 400, By.DECODER,
                    "whitespace after a chunk size not followed by ';'"),
            c("chunk-size-tab-digit", CHUNKED_POST + "5\t6\r\nhello\r\n0\r\n\r\n", 400, By.DECODER,
                    "whitespace after a chunk size not followed by ';'"),
            c("chunk-size-trailing-space", CHUNKED_POST + "5 \r\nhello\r\n0\r\n\r\n", 400, By.DECODER,
                    "whitespace after a chunk size not followed by ';'"),
            c("chunk-size-space-word", CHUNKED_POST + "5 x\r\nhello\r\n0\r\n\r\n", 400, By.DECODER,
                    "whitespace after a chunk size not followed by ';'"),
            c("chunk-data-missing-crlf", CHUNKED_POST + "5\r\nhelloX0\r\n\r\n", 400, By.DECODER, "chunk data longer than its chunk size, or not followed by CRLF"),
            c("chunk-trailer-bad-name", CHUNKED_POST + "5\r\nhello\r\n0\r\nX Y: z\r\n\r\n", 400, By.DECODER, "whitespace between a trailer field name and the colon"),
            c("chunk-trailer-obs-fold", CHUNKED_POST + "5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n", 400, By.DECODER,
                    "obs-fold: a trailer line starts with whitespace"),
            // ---- field syntax
            c("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400, By.DECODER, "obs-fold: a header line starts with whitespace"),
            c("obs-fold-tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400, By.DECODER, "obs-fold: a header line starts with whitespace"),
            c("bare-cr-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400, By.DECODER, "bare CR in the value of header field 'X-A'"),
            c("bare-cr-line-end", "GET / HTTP/1.1\r\nHost: a\rX-A: b\r\n\r\n", 400, By.DECODER, "bare CR in the value of header field 'Host'"),
            c("bare-lf-line-end", "GET / HTTP/1.1\nHost: a\n\n", 400, By.DECODER, "bare LF at the end of the request line"),
            c("bare-lf-one-header", "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n", 400, By.DECODER, "bare LF in the header section"),
            c("nul-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n", 400, By.DECODER, "invalid character 0x00 in the value of header field 'X-A'"),
            c("nul-in-name", "GET / HTTP/1.1\r\nHost: a\r\nX\u0000A: b\r\n\r\n", 400, By.DECODER, "invalid character 0x00 in a header field name"),
            c("control-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u0001c\r\n\r\n", 400, By.DECODER, "invalid character 0x01 in the value of header field 'X-A'"),
            c("del-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u007fc\r\n\r\n", 400, By.DECODER, "invalid character 0x7F in the value of header field 'X-A'"),
            c("escape-in-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: \u001b[31mred\r\n\r\n", 400, By.DECODER, "invalid character 0x1B in the value of header field 'X-A'"),
            c("space-in-name", "GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n", 400, By.DECODER, "whitespace between a header field name and the colon"),
            c("space-before-name", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, By.DECODER, "whitespace before the first header field name"),
            c("space-before-colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, By.DECODER, "whitespace between a header field name and the colon"),
            c("tab-before-colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400, By.DECODER, "whitespace between a header field name and the colon"),
            c("empty-name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400, By.DECODER, "empty header field name"),
            c("no-colon", "GET / HTTP/1.1\r\nHost: a\r\nXA\r\n\r\n", 400, By.DECODER, "no colon in a header field line"),
            // ---- Host
            c("two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, By.DECODER, "more than one Host field"),
            c("host-list", "GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400, By.DECODER, "Host is a list"),
            c("host-with-slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, By.DECODER, "invalid character in Host"),
            c("host-with-userinfo", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, By.DECODER, "invalid character in Host"),
            c("host-bad-port", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", 400, By.DECODER, "malformed port in Host"),
            c("no-host-http11", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400, By.FRONTEND, "missing Host header"),
            // ---- request line
            c("http09", "GET /\r\n\r\n", 400, By.DECODER, "HTTP/0.9 request"),
            c("http2-preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, By.DECODER, "unsupported or malformed HTTP version"),
            c("http20", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400, By.DECODER, "unsupported or malformed HTTP version"),
            c("http12", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 400, By.DECODER, "unsupported or malformed HTTP version"),
            c("http-lower-case", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "unsupported or malformed HTTP version"),
            c("http-version-junk", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400, By.DECODER, "unsupported or malformed HTTP version"),
            c("method-bad-char", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0x28 in the method"),
            c("method-non-ascii", "G\u00c9T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0xC9 in the method"),
            c("method-missing", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "request line starts with 0x20"),
            c("method-connect", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 400, By.DECODER, "CONNECT is not supported"),
            c("double-space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "more than one space after the method"),
            c("tab-separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0x09 in the method"),
            c("bare-cr-separator", "GET\r/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0x0D in the method"),
            c("space-in-target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "unsupported or malformed HTTP version"),
            c("control-in-target", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0x01 in the request target"),
            c("nul-in-target", "GET /a\u0000b HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0x00 in the request target"),
            c("non-ascii-in-target", "GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "invalid character 0xE9 in the request target"),
            c("absolute-form-userinfo", "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "userinfo"),
            c("absolute-form-no-host", "GET http:///p HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "absolute request target without a host"),
            c("absolute-form-ftp", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "request target must be a path"),
            c("absolute-form-bad-port", "GET http://a:8x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "malformed port"),
            c("absolute-form-host-list", "GET http://a,b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "Host is a list"),
            c("authority-form", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "request target must be a path"),
            c("asterisk-with-get", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "only allowed with OPTIONS"),
            c("control-before-request", "\u0001GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, By.DECODER, "request line starts with 0x01"),
            c("space-after-version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, By.DECODER, "whitespace after the HTTP version"),
            // ---- limits and expectations
            c("request-line-too-long", "GET /" + "x".repeat(8200) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, By.DECODER, "request line longer than"),
            c("header-too-large", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(17000) + "\r\n\r\n", 431, By.DECODER,
                    "request header larger than"),
            c("too-many-header-fields", "GET / HTTP/1.1\r\nHost: a\r\n" + manyFields(101) + "\r\n", 431, By.DECODER,
                    "102 header fields, more than max-headers 100"),
            c("body-too-large", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 200\r\n\r\n" + "z".repeat(200), 413, By.FRONTEND,
                    "request body larger than 100 bytes"),
            c("unknown-expectation", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417, By.FRONTEND,
                    "unsupported expectation"));

    /** Requests that are valid and must reach the back end (sent with Connection: close). */
    public static final List<Case> ACCEPTED_REQUESTS = List.of(
            c("plain-get", "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            c("chunked-upper-case", "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\nConnection: close\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n0\r\n\r\n", 200, By.NOBODY, "-"),
            c("cl-leading-zeros", "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\nConnection: close\r\n\r\nhello", 200, By.NOBODY, "-"),
            c("cl-with-whitespace", "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length:\t5 \r\nConnection: close\r\n\r\nhello", 200, By.NOBODY, "-"),
            c("obs-text-in-value", "GET /ok HTTP/1.1\r\nHost: a\r\nX-Name: caf\u00e9\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            c("absolute-form", "GET http://a/ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            // The back end sees GET /ok?x=1 with Host: b.example:8080 (RFC 9112 section 3.2.2).
            c("absolute-form-other-host", "GET http://b.example:8080/ok?x=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200,
                    By.NOBODY, "-"),
            c("absolute-form-empty-path", "GET HTTP://b.example HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            c("chunk-ext-bws", "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + "2 \t;ext=1\r\nhe\r\n3;a=b;c\r\nllo\r\n0\r\n\r\n", 200, By.NOBODY, "-"),
            // Never forwarded (CGI would read it as X-Forwarded-For), the rest of the request is.
            c("underscore-in-name", "GET /ok HTTP/1.1\r\nHost: a\r\nX_Forwarded_For: 1.2.3.4\r\nConnection: close\r\n\r\n", 200,
                    By.NOBODY, "-"),
            c("options-asterisk", "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            c("leading-empty-line", "\r\nGET /ok HTTP/1.1\r\nHost: a:8080\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            c("ipv6-host", "GET /ok HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n", 200, By.NOBODY, "-"),
            c("http10-without-host", "GET /ok HTTP/1.0\r\n\r\n", 200, By.NOBODY, "-"),
            c("upgrade-h2c-stripped", "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings, close\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", 200, By.NOBODY, "-"),
            c("h2c-settings-not-in-connection", "GET /ok HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"
                    + "Connection: close\r\n\r\n", 200, By.NOBODY, "-"));

    /**
     * Responses a back end sends: each must get the client a 502 (or, for a body broken after it
     * started, a cut connection), and the back-end connection must be closed, never reused.
     */
    public static final List<Case> BAD_RESPONSES = List.of(
            c("resp-cl-and-te", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 502, By.DECODER,
                    "both Transfer-Encoding and Content-Length"),
            c("resp-two-cl", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!", 502, By.DECODER, "more than one Content-Length field"),
            c("resp-two-cl-same", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "more than one Content-Length field"),
            c("resp-cl-list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi", 502, By.DECODER, "Content-Length is not a plain number"),
            c("resp-cl-plus", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nhi", 502, By.DECODER, "Content-Length is not a plain number"),
            c("resp-te-xchunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: xchunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 502, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("resp-te-gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhi", 502, By.DECODER, "Transfer-Encoding other than exactly 'chunked'"),
            c("resp-te-chunked-identity", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 502, By.DECODER,
                    "Transfer-Encoding other than exactly 'chunked'"),
            c("resp-te-http10", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", 502, By.DECODER,
                    "Transfer-Encoding in an HTTP/1.0 message"),
            c("resp-space-before-colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nhi", 502, By.DECODER,
                    "whitespace between a header field name and the colon"),
            c("resp-space-in-name", "HTTP/1.1 200 OK\r\nX A: b\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER,
                    "whitespace between a header field name and the colon"),
            c("resp-obs-fold", "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER,
                    "obs-fold: a header line starts with whitespace"),
            c("resp-bare-lf", "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi", 502, By.DECODER, "bare LF at the end of the status line"),
            c("resp-bare-cr", "HTTP/1.1 200 OK\r\nX-A: b\rc\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "bare CR in the value of header field 'X-A'"),
            c("resp-nul-in-value", "HTTP/1.1 200 OK\r\nX-A: b\u0000c\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "invalid character 0x00 in the value of header field 'X-A'"),
            c("resp-control-in-value", "HTTP/1.1 200 OK\r\nX-A: b\u0001c\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "invalid character 0x01 in the value of header field 'X-A'"),
            c("resp-status-letters", "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "malformed status code (expected 3 digits, 100-599)"),
            c("resp-status-1000", "HTTP/1.1 1000 OK\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "malformed status line"),
            c("resp-status-099", "HTTP/1.1 099 OK\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "malformed status code"),
            c("resp-reason-control", "HTTP/1.1 200 O\u0001K\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "control character 0x01 in the reason phrase"),
            c("resp-http2-version", "HTTP/2 200 OK\r\nContent-Length: 2\r\n\r\nhi", 502, By.DECODER, "unsupported or malformed HTTP version in the status line"),
            c("resp-not-http", "hello there\r\n\r\n", 502, By.DECODER, "unsupported or malformed HTTP version in the status line"),
            c("resp-chunk-size-0x", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\nhi\r\n0\r\n\r\n", 502, By.DECODER,
                    "malformed response body: invalid character 0x78 in a chunk size"),
            c("resp-chunk-size-overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nhi\r\n0\r\n\r\n", 502,
                    By.DECODER, "malformed response body: chunk size too large"),
            c("resp-chunk-size-space-digit", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 3\r\nhi\r\n0\r\n\r\n", 502,
                    By.DECODER, "malformed response body: whitespace after a chunk size not followed by ';'"),
            c("resp-chunk-size-trailing-space", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nhi\r\n0\r\n\r\n", 502,
                    By.DECODER, "malformed response body: whitespace after a chunk size not followed by ';'"),
            // The first chunk is fine and goes out with the head; the bad one after it can only cut the response.
            c("resp-chunk-data-missing-crlf", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX0\r\n\r\n", 200, By.DECODER,
                    "malformed response body"));

    /** Valid responses: relayed, and the back-end connection kept for the next request. */
    public static final List<Case> GOOD_RESPONSES = List.of(
            c("resp-ok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 200, By.NOBODY, "-"),
            c("resp-no-reason-phrase", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nhi", 200, By.NOBODY, "-"),
            c("resp-chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2;x=y\r\nhi\r\n0\r\nX-T: 1\r\n\r\n", 200, By.NOBODY, "-"),
            c("resp-chunk-ext-bws", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 ;x\r\nhi\r\n0\r\n\r\n", 200, By.NOBODY, "-"),
            c("resp-underscore-in-name", "HTTP/1.1 200 OK\r\nX_Powered_By: app\r\nContent-Length: 2\r\n\r\nhi", 200, By.NOBODY, "-"),
            c("resp-early-hints", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 200,
                    By.NOBODY, "-"));

    private static String manyFields(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append("X-F").append(i).append(": v\r\n");
        return sb.toString();
    }

    private StrictParsingCorpus() {}
}
