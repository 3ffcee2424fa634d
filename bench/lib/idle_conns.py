#!/usr/bin/env python3
"""Open N keep-alive HTTP/1.1 connections to 127.0.0.1, complete one request on each, hold them idle.

Used by bench/run (scenario "idle") to measure a proxy's memory per idle client connection.

Protocol with the caller:
  * prints "READY open=<n> failed=<n> elapsed=<s>" (and creates --ready-file) once every
    connection has completed its request, or when the establishment deadline passes;
  * on SIGUSR1 (or when --hold seconds have passed) prints
    "DONE open=<n> closed_by_peer=<n> failed=<n>", closes everything and exits 0.

Everything is bounded: at most --parallel connections in flight, --deadline seconds to establish,
--hold seconds to hold, one request per connection, a few retries in total. Only 127.0.0.0/8.
"""
import argparse
import errno
import ipaddress
import os
import selectors
import signal
import socket
import sys
import time

CONNECTING, SENDING, READING = 1, 2, 3


class Conn:
    __slots__ = ("sock", "state", "out", "buf", "need")

    def __init__(self, sock, request):
        self.sock = sock
        self.state = CONNECTING
        self.out = request
        self.buf = b""
        self.need = None  # total bytes (head + body) once the head is parsed


def response_complete(c):
    """True once a whole response is in c.buf (Content-Length or chunked); raises on garbage."""
    if c.need is None:
        end = c.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(c.buf) > 65536:
                raise ValueError("response head too large")
            return False
        head = c.buf[:end].decode("latin-1").split("\r\n")
        if not head[0].startswith("HTTP/1."):
            raise ValueError("not an HTTP/1.x response: %r" % head[0][:40])
        status = int(head[0].split()[1])
        if status // 100 != 2:
            raise ValueError("status %d" % status)
        length = None
        chunked = False
        for line in head[1:]:
            k, _, v = line.partition(":")
            k = k.strip().lower()
            if k == "content-length":
                length = int(v.strip())
            elif k == "transfer-encoding" and "chunked" in v.lower():
                chunked = True
            elif k == "connection" and "close" in v.lower():
                raise ValueError("server asked to close the connection")
        if chunked:
            c.need = -1
        elif length is not None:
            c.need = end + 4 + length
        else:
            raise ValueError("no Content-Length on a keep-alive response")
    if c.need == -1:
        return c.buf.endswith(b"0\r\n\r\n")
    return len(c.buf) >= c.need


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--parallel", type=int, default=200, help="connections being set up at once")
    ap.add_argument("--deadline", type=float, default=60.0, help="seconds allowed to establish all")
    ap.add_argument("--hold", type=float, default=120.0, help="max seconds to hold them idle")
    ap.add_argument("--ready-file", default=None)
    a = ap.parse_args()

    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit("idle_conns.py: refusing to connect to a non-loopback address %s" % a.host)

    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: switchboard-bench-idle\r\n\r\n"
               % (a.path, a.host, a.port)).encode()
    sel = selectors.DefaultSelector()
    idle = []
    failed = 0
    errors = {}
    max_attempts = a.count + max(10, a.count // 10)
    attempts = 0
    in_flight = 0
    start = time.monotonic()
    deadline = start + a.deadline

    def fail(c, why):
        nonlocal failed, in_flight
        failed += 1
        errors[why] = errors.get(why, 0) + 1
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        in_flight -= 1

    while len(idle) < a.count and time.monotonic() < deadline:
        while in_flight < a.parallel and attempts < max_attempts and len(idle) + in_flight < a.count:
            attempts += 1
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            rc = s.connect_ex((a.host, a.port))
            c = Conn(s, request)
            in_flight += 1
            if rc not in (0, errno.EINPROGRESS):
                sel.register(s, selectors.EVENT_WRITE, c)
                fail(c, errno.errorcode.get(rc, str(rc)))
                continue
            sel.register(s, selectors.EVENT_WRITE, c)
        if in_flight == 0:
            break  # out of attempts
        for key, ev in sel.select(timeout=0.5):
            c = key.data
            try:
                if c.state == CONNECTING:
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        fail(c, errno.errorcode.get(err, str(err)))
                        continue
                    c.state = SENDING
                if c.state == SENDING:
                    n = c.sock.send(c.out)
                    c.out = c.out[n:]
                    if not c.out:
                        c.state = READING
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                if c.state == READING:
                    data = c.sock.recv(65536)
                    if not data:
                        fail(c, "eof")
                        continue
                    c.buf += data
                    if response_complete(c):
                        sel.unregister(c.sock)
                        c.buf = b""
                        idle.append(c.sock)
                        in_flight -= 1
            except (BlockingIOError, InterruptedError):
                pass
            except (OSError, ValueError) as e:
                fail(c, type(e).__name__ + ": " + str(e)[:60])

    # Abandon whatever is still in flight at the deadline.
    for key in list(sel.get_map().values()):
        fail(key.data, "deadline")

    elapsed = time.monotonic() - start
    err_text = " errors=" + ";".join("%s:%d" % kv for kv in sorted(errors.items())) if errors else ""
    print("READY open=%d failed=%d elapsed=%.2f%s" % (len(idle), failed, elapsed, err_text), flush=True)
    if a.ready_file:
        with open(a.ready_file, "w") as f:
            f.write("open=%d failed=%d\n" % (len(idle), failed))

    # Hold: watch for the peer closing idle connections until SIGUSR1 or --hold passes.
    stop = False

    def on_usr1(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, on_usr1)
    for s in idle:
        sel.register(s, selectors.EVENT_READ)
    closed = 0
    hold_end = time.monotonic() + a.hold
    while not stop and time.monotonic() < hold_end:
        for key, ev in sel.select(timeout=0.2):
            try:
                data = key.fileobj.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                closed += 1
                sel.unregister(key.fileobj)
    print("DONE open=%d closed_by_peer=%d failed=%d" % (len(idle) - closed, closed, failed), flush=True)
    for s in idle:
        s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
