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

Past one source address's ephemeral ports (net.ipv4.ip_local_port_range, about 28,000 to one
destination), connections are spread over more loopback source addresses (127.0.0.2, 127.0.0.3, ...;
all of 127.0.0.0/8 is local on Linux), each socket bound before it connects. Past the open-file limit
of one process (its hard limit, which an unprivileged process cannot raise), the connections are
split over worker processes; this process adds up their lines and prints one READY and one DONE.
"""
import argparse
import errno
import ipaddress
import os
import resource
import selectors
import signal
import socket
import sys
import time
import traceback

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


# Ephemeral ports of one source address kept for others (wrk, the proxies' back-end connections).
PORT_MARGIN = 2000
# Descriptors of one worker kept for what is not a held connection (stdio, the selector, retries).
FD_MARGIN = 256


def ports_per_source():
    """Connections one source address can open to one destination: the ephemeral range less a margin."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low, high = (int(x) for x in f.read().split())
        return max(1000, high - low + 1 - PORT_MARGIN)
    except (OSError, ValueError):
        return 20000


def raise_nofile():
    """Raises the soft open-file limit to the hard one; returns the limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return hard if soft == resource.RLIM_INFINITY else soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    except (ValueError, OSError):
        return soft


def plan(count, per_source, per_worker):
    """[(connections, [source addresses])] per worker: sources filled in order, workers in order."""
    if count <= per_source:
        sources = [None]  # the kernel's choice, as a plain connect: 127.0.0.1 to 127.0.0.1
    else:
        n = -(-count // per_source)
        base = ipaddress.ip_address("127.0.0.1")
        sources = [str(base + i) for i in range(n)]
        if any(not ipaddress.ip_address(x).is_loopback for x in sources):
            sys.exit("idle_conns.py: %d connections need more loopback source addresses than 127.0.0.0/8 has" % count)
    # Every connection gets a (source, slot) in order; then the list is cut into workers.
    slots = []
    left = count
    for src in sources:
        take = min(left, per_source)
        slots.append((src, take))
        left -= take
    workers = []
    cur_n, cur_src = 0, {}
    for src, n in slots:
        while n > 0:
            take = min(n, per_worker - cur_n)
            cur_src[src] = cur_src.get(src, 0) + take
            cur_n += take
            n -= take
            if cur_n == per_worker:
                workers.append((cur_n, cur_src))
                cur_n, cur_src = 0, {}
    if cur_n:
        workers.append((cur_n, cur_src))
    return workers


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
    ap.add_argument("--per-source", type=int, default=0,
                    help="connections per source address (default: the ephemeral port range less %d)" % PORT_MARGIN)
    a = ap.parse_args()

    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit("idle_conns.py: refusing to connect to a non-loopback address %s" % a.host)
    if a.count < 1:
        sys.exit("idle_conns.py: --count must be at least 1")
    nofile = raise_nofile()
    per_worker = max(100, nofile - FD_MARGIN)
    workers = plan(a.count, a.per_source or ports_per_source(), per_worker)
    if len(workers) == 1:
        n, sources = workers[0]
        hold(a, n, sources, sys.stdout)
        return 0
    return run_workers(a, workers)


def run_workers(a, workers):
    """Forks one worker per share, prints their READY and DONE lines added up."""
    stop = False

    def on_usr1(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, on_usr1)
    pids, pipes = [], []
    for n, sources in workers:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            out = os.fdopen(w, "w")
            # A worker never returns into the parent's code, whatever happens.
            try:
                hold(a, n, sources, out, worker=True)
                out.flush()
            except BrokenPipeError:
                pass  # the parent is gone
            except BaseException:
                traceback.print_exc()
            os._exit(0)
        os.close(w)
        pids.append(pid)
        pipes.append(os.fdopen(r))

    def read_lines(prefix):
        totals = {}
        errs = {}
        elapsed = 0.0
        for p in pipes:
            line = ""
            for _ in range(10000):  # bounded: a worker writes a few lines
                line = p.readline()
                if not line or line.startswith(prefix):
                    break
            # "errors=" comes last and its texts hold spaces: split it off first.
            line, _, err_text = line.rstrip("\n").partition(" errors=")
            for e in err_text.split(";") if err_text else []:
                ek, _, ev = e.rpartition(":")
                if ev.isdigit():
                    errs[ek] = errs.get(ek, 0) + int(ev)
            for field in line.split()[1:]:
                k, _, v = field.partition("=")
                if k == "elapsed":
                    elapsed = max(elapsed, float(v))
                elif v.isdigit():
                    totals[k] = totals.get(k, 0) + int(v)
        return totals, errs, elapsed

    t, errs, elapsed = read_lines("READY")
    err_text = " errors=" + ";".join("%s:%d" % kv for kv in sorted(errs.items())) if errs else ""
    print("READY open=%d failed=%d elapsed=%.2f workers=%d sources=%d%s" % (
        t.get("open", 0), t.get("failed", 0), elapsed, len(workers),
        len({s for _, srcs in workers for s in srcs}), err_text), flush=True)
    if a.ready_file:
        with open(a.ready_file, "w") as f:
            f.write("open=%d failed=%d\n" % (t.get("open", 0), t.get("failed", 0)))
    end = time.monotonic() + a.hold
    while not stop and time.monotonic() < end:
        time.sleep(0.2)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGUSR1)
        except ProcessLookupError:
            pass
    t, _, _ = read_lines("DONE")
    for pid in pids:
        os.waitpid(pid, 0)
    print("DONE open=%d closed_by_peer=%d failed=%d" % (t.get("open", 0), t.get("closed_by_peer", 0), t.get("failed", 0)), flush=True)
    return 0


def hold(a, count, sources, out, worker=False):
    """Opens `count` connections ({source: connections}), prints READY, holds them until SIGUSR1, prints DONE."""
    src_left = [[src, n] for src, n in sources.items()]
    parent = os.getppid()
    stop = False

    def on_usr1(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, on_usr1)

    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: switchboard-bench-idle\r\n\r\n"
               % (a.path, a.host, a.port)).encode()
    sel = selectors.DefaultSelector()
    idle = []
    failed = 0
    errors = {}
    max_attempts = count + max(10, count // 10)
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

    while len(idle) < count and time.monotonic() < deadline:
        while in_flight < a.parallel and attempts < max_attempts and len(idle) + in_flight < count:
            attempts += 1
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            src = next_source(src_left)
            if src is not None:
                # The port is chosen at connect, per destination (IP_BIND_ADDRESS_NO_PORT), not at bind
                # from the whole ephemeral range.
                s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                s.bind((src, 0))
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
    print("READY open=%d failed=%d elapsed=%.2f%s" % (len(idle), failed, elapsed, err_text), file=out, flush=True)
    if a.ready_file and not worker:
        with open(a.ready_file, "w") as f:
            f.write("open=%d failed=%d\n" % (len(idle), failed))

    # Hold: watch for the peer closing idle connections until SIGUSR1 or --hold passes.
    for s in idle:
        sel.register(s, selectors.EVENT_READ)
    closed = 0
    hold_end = time.monotonic() + a.hold
    while not stop and time.monotonic() < hold_end:
        if worker and os.getppid() != parent:
            break  # the parent is gone: nobody will read DONE
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
    print("DONE open=%d closed_by_peer=%d failed=%d" % (len(idle) - closed, closed, failed), file=out, flush=True)
    for s in idle:
        s.close()
    return 0


IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


def next_source(src_left):
    """The source address of the next connection (None: the kernel's choice), counting it."""
    for entry in src_left:
        if entry[1] > 0:
            entry[1] -= 1
            return entry[0]
    return src_left[-1][0] if src_left else None  # retries: the last source


if __name__ == "__main__":
    sys.exit(main())
