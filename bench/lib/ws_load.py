#!/usr/bin/env python3
"""WebSocket load client for bench/run's scenario ws (RFC 6455, standard library only).

Opens --conns WebSocket connections (handshake GET --path with Upgrade: websocket), spread over
--procs processes (fork), each process one asyncio event loop. Every connection then sends
--size-byte text messages, masked as a client must (a fresh mask per message), one at a time:
the next one leaves when the echo of the previous one is back and matches it byte for byte.
After --duration seconds it sends a close frame and waits for the server's close.

What counts against the run ("errors" = the sum):
  upgrade_failed  the answer to the handshake was not 101 with Upgrade: websocket and the right
                  Sec-WebSocket-Accept, or the connection failed or closed before it
  closed_early    the connection ended (or a close frame came) before the run's end
  wrong_echo      an echo that is not the message sent (content, opcode or length)
  lost            a message still unanswered --grace seconds after the end
Latency is the round trip of one message: the write to the last byte of its echo read.

With --handshakes, each of the --conns slots instead opens a connection, completes the handshake,
sends one message, checks its echo, closes (close frame both ways) and opens the next, for
--duration seconds: the rate is handshakes per second (msgs_per_s then counts handshakes), the
latencies are connect-to-101 times. A slot whose upgrade fails stops (the failure is counted).

Each connection i goes to --port's i-th entry modulo their count (the direct baseline spreads
over every echo server as a round-robin proxy would). The last line of the output:

  DONE conns=64 upgraded=64 upgrade_failed=0 closed_early=0 wrong_echo=0 lost=0 messages=N seconds=S
       msgs_per_s=R p50_ms=X p99_ms=Y upgrade_p50_ms=U upgrade_max_ms=V servers=17081:22,17082:21,...
       failed_workers=0 client_cpu_us_per_msg=C   (the client's own CPU, start-up included, per message)

Bounded in time: each process gives up --deadline seconds after it started, and the parent stops
a process that outlives that by PID.
"""
import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import select
import signal
import socket
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Stats:
    def __init__(self):
        self.upgraded = 0
        self.upgrade_failed = 0
        self.closed_early = 0
        self.wrong_echo = 0
        self.lost = 0
        self.messages = 0
        self.lat_us = []
        self.upgrade_us = []
        self.servers = {}
        self.samples = []           # a few error descriptions for the log

    def note(self, text):
        if len(self.samples) < 5:
            self.samples.append(text)


class Conn(asyncio.Protocol):
    def __init__(self, cid, a, st, host):
        self.cid = cid
        self.a = a
        self.st = st
        self.host = host
        self.transport = None
        self.buf = bytearray()
        self.key = base64.b64encode(os.urandom(16))
        self.up = False
        self.running = False        # sending messages
        self.finishing = False      # close frame sent, waiting for the server's
        self.ended = False
        self.seq = 0
        self.expect = b""
        self.t_sent = 0
        self.in_flight = False
        self.t_connect = 0
        self.upgraded = asyncio.get_running_loop().create_future()
        self.done = asyncio.get_running_loop().create_future()
        self.end_at = 0.0

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.t_connect = time.perf_counter_ns()
        transport.write(b"GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                        % (self.a.path.encode(), self.host.encode(), self.key))

    def fail_upgrade(self, why):
        self.st.upgrade_failed += 1
        self.st.note("connection %d: upgrade failed: %s" % (self.cid, why))
        self.ended = True
        if not self.upgraded.done():
            self.upgraded.set_result(False)
        if not self.done.done():
            self.done.set_result(None)
        self.transport.close()

    def check_head(self):
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > 16384:
                self.fail_upgrade("response head over 16 kB")
            return
        lines = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        del self.buf[:end + 4]
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        status = lines[0].split(" ")
        if len(status) < 2 or status[1] != "101":
            return self.fail_upgrade("status line %r" % lines[0])
        if fields.get("upgrade", "").lower() != "websocket":
            return self.fail_upgrade("Upgrade: %r" % fields.get("upgrade"))
        want = base64.b64encode(hashlib.sha1(self.key + GUID).digest()).decode()
        if fields.get("sec-websocket-accept") != want:
            return self.fail_upgrade("Sec-WebSocket-Accept %r, expected %r" % (fields.get("sec-websocket-accept"), want))
        server = fields.get("x-ws-echo", "?")
        self.st.servers[server] = self.st.servers.get(server, 0) + 1
        self.st.upgraded += 1
        self.st.upgrade_us.append((time.perf_counter_ns() - self.t_connect) // 1000)
        self.up = True
        self.upgraded.set_result(True)

    def start(self, end_at):
        self.end_at = end_at
        self.running = True
        self.send_next()

    def send_next(self):
        self.seq += 1
        size = self.a.size
        text = (b"%08x:%016x:" % (self.cid, self.seq))
        payload = (text + b"." * size)[:size] if size >= len(text) else text[:size]
        self.expect = payload
        n = len(payload)
        mask = random.getrandbits(32).to_bytes(4, "little")
        k = (mask * ((n >> 2) + 1))[:n]
        masked = (int.from_bytes(payload, "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little") if n else b""
        if n < 126:
            head = bytes((0x81, 0x80 | n))
        else:
            head = bytes((0x81, 0xFE)) + n.to_bytes(2, "big")
        self.in_flight = True
        self.t_sent = time.perf_counter_ns()
        self.transport.write(head + mask + masked)

    def finish(self):
        if self.ended or self.finishing:
            return
        self.running = False
        self.finishing = True
        self.transport.write(b"\x88\x82" + b"\0\0\0\0" + (1000).to_bytes(2, "big"))

    def data_received(self, data):
        if self.ended:
            return
        self.buf += data
        if not self.up:
            self.check_head()
            if not self.up:
                return
        buf = self.buf
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            n = b1 & 0x7F
            h = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n = int.from_bytes(buf[2:4], "big")
                h = 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n = int.from_bytes(buf[2:10], "big")
                h = 10
            if b1 & 0x80:
                self.protocol_error("a masked frame from the server")
                return
            if len(buf) < h + n:
                return
            op = b0 & 0x0F
            payload = bytes(buf[h:h + n])
            del buf[:h + n]
            if op == 8:
                if self.finishing:
                    self.end()
                else:
                    self.st.closed_early += 1
                    self.st.note("connection %d: close frame %r before the end" % (self.cid, payload[:40]))
                    self.end()
                return
            if op in (9, 10):
                continue
            now = time.perf_counter_ns()
            if not self.in_flight or b0 != 0x81 or payload != self.expect:
                self.st.wrong_echo += 1
                self.st.note("connection %d: got opcode byte %#x %r, expected %r" % (self.cid, b0, payload[:40], self.expect[:40]))
                self.end()
                return
            self.in_flight = False
            if self.running:
                self.st.messages += 1
                self.st.lat_us.append((now - self.t_sent) // 1000)
                if time.monotonic() < self.end_at:
                    self.send_next()
                else:
                    self.finish()

    def protocol_error(self, why):
        self.st.wrong_echo += 1
        self.st.note("connection %d: %s" % (self.cid, why))
        self.end()

    def end(self):
        self.ended = True
        if self.transport is not None:
            self.transport.close()
        if not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc):
        if not self.up and not self.ended:
            self.ended = True
            self.st.upgrade_failed += 1
            self.st.note("connection %d: closed before the upgrade (%s)" % (self.cid, exc))
            if not self.upgraded.done():
                self.upgraded.set_result(False)
        elif not self.ended and not self.finishing:
            self.st.closed_early += 1
            self.st.note("connection %d: closed by the peer before the end (%s)" % (self.cid, exc))
        self.ended = True
        if not self.done.done():
            self.done.set_result(None)


async def handshake_slot(a, st, cid, end_at, deadline):
    loop = asyncio.get_running_loop()
    port = a.port[cid % len(a.port)]
    n = 0
    while time.monotonic() < end_at and n < 10000000:
        n += 1
        c = Conn(cid, a, st, "127.0.0.1:%d" % port)
        try:
            await asyncio.wait_for(loop.create_connection(lambda: c, a.address, port), max(0.1, deadline - time.monotonic()))
        except (OSError, asyncio.TimeoutError) as e:
            st.upgrade_failed += 1
            st.note("connection %d: connect to %s:%d failed: %r" % (cid, a.address, port, e))
            return
        try:
            if not await asyncio.wait_for(c.upgraded, max(0.1, min(10.0, deadline - time.monotonic()))):
                return
        except asyncio.TimeoutError:
            st.upgrade_failed += 1
            st.note("connection %d: no answer to the handshake within 10 s" % cid)
            c.end()
            return
        c.start(0.0)          # one message, then the close handshake
        try:
            await asyncio.wait_for(c.done, max(0.1, min(a.grace + 1.0, deadline - time.monotonic())))
        except asyncio.TimeoutError:
            st.lost += 1
            st.note("connection %d: no echo or no close within %.0f s" % (cid, a.grace + 1.0))
            c.end()
            return
        if c.finishing:
            c.transport.close()


async def run_handshakes(a, ids, deadline):
    st = Stats()
    t0 = time.monotonic()
    end_at = t0 + a.duration
    await asyncio.wait([asyncio.ensure_future(handshake_slot(a, st, cid, end_at, deadline)) for cid in ids],
                       timeout=max(0.1, deadline - time.monotonic()))
    seconds = time.monotonic() - t0
    st.lat_us = st.upgrade_us
    st.messages = st.upgraded
    return st, seconds


async def run_proc(a, ids, deadline):
    st = Stats()
    loop = asyncio.get_running_loop()
    conns = []
    for cid in ids:
        port = a.port[cid % len(a.port)]
        c = Conn(cid, a, st, "127.0.0.1:%d" % port)
        try:
            await asyncio.wait_for(loop.create_connection(lambda c=c: c, a.address, port), max(0.1, deadline - time.monotonic()))
        except (OSError, asyncio.TimeoutError) as e:
            st.upgrade_failed += 1
            st.note("connection %d: connect to %s:%d failed: %r" % (cid, a.address, port, e))
            continue
        conns.append(c)
    if conns:
        await asyncio.wait([c.upgraded for c in conns], timeout=max(0.1, min(10.0, deadline - time.monotonic())))
    for c in conns:
        if not c.upgraded.done():
            st.upgrade_failed += 1
            st.note("connection %d: no answer to the handshake within 10 s" % c.cid)
            c.end()
    live = [c for c in conns if c.up and not c.ended]
    t0 = time.monotonic()
    end_at = t0 + a.duration
    for c in live:
        c.start(end_at)
    if live:
        await asyncio.wait([c.done for c in live], timeout=max(0.1, min(a.duration + a.grace, deadline - time.monotonic())))
    seconds = min(time.monotonic(), end_at) - t0 if live else 0.0
    for c in live:
        if not c.done.done():
            if c.in_flight and c.running:
                st.lost += 1
                st.note("connection %d: no echo within %.0f s after the end" % (c.cid, a.grace))
            c.end()
    await asyncio.sleep(0)
    return st, seconds


def child(a, ids, wfd):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    deadline = time.monotonic() + a.deadline
    st, seconds = asyncio.run((run_handshakes if a.handshakes else run_proc)(a, ids, deadline))
    out = {k: getattr(st, k) for k in ("upgraded", "upgrade_failed", "closed_early", "wrong_echo", "lost", "messages",
                                         "lat_us", "upgrade_us", "servers", "samples")}
    out["seconds"] = seconds
    data = json.dumps(out).encode()
    with os.fdopen(wfd, "wb") as f:
        f.write(data)


def pct(sorted_xs, q):
    if not sorted_xs:
        return None
    i = min(len(sorted_xs) - 1, max(0, int(len(sorted_xs) * q)))
    return sorted_xs[i] / 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--port", required=True, help="port, or ports comma separated (connection i -> port i mod count)")
    ap.add_argument("--path", default="/ws")
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--size", type=int, default=32, help="message payload bytes (1..65535)")
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--grace", type=float, default=2.0, help="seconds to wait for the last echoes and closes")
    ap.add_argument("--handshakes", action="store_true", help="a new connection per message: handshakes per second")
    a = ap.parse_args()
    a.port = [int(p) for p in a.port.split(",")]
    if not (1 <= a.conns <= 10000 and 1 <= a.procs <= 64 and 1 <= a.size <= 65535 and 0 < a.duration <= 600):
        ap.error("--conns 1..10000, --procs 1..64, --size 1..65535, --duration 0..600")
    a.procs = min(a.procs, a.conns)
    a.deadline = a.duration + a.grace + 20.0
    kids = []
    for p in range(a.procs):
        ids = list(range(p, a.conns, a.procs))
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            code = 0
            try:
                child(a, ids, w)
            except BaseException as e:   # the parent must hear of it, and the child must not return into main
                print("ws_load worker %d: %r" % (p, e), file=sys.stderr, flush=True)
                code = 1
            os._exit(code)
        os.close(w)
        kids.append((pid, r, len(ids)))
    results = []
    stop_at = time.monotonic() + a.deadline + 5.0
    dead_conns = 0
    for pid, r, n_ids in kids:
        chunks = []
        while True:
            left = stop_at - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                print("ws_load: worker %d did not finish in time; stopping it" % pid, file=sys.stderr)
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(r)
        os.waitpid(pid, 0)
        try:
            results.append(json.loads(b"".join(chunks)))
        except ValueError:
            results.append(None)
            dead_conns += n_ids   # a worker that died: its connections carried nothing
    t = os.times()
    client_cpu = t.user + t.system + t.children_user + t.children_system   # this process and its workers, seconds
    failed_workers = sum(1 for x in results if x is None)
    results = [x for x in results if x is not None]
    tot = {k: sum(x[k] for x in results) for k in ("upgraded", "upgrade_failed", "closed_early", "wrong_echo", "lost", "messages")}
    tot["upgrade_failed"] += dead_conns
    rate = sum(x["messages"] / x["seconds"] for x in results if x["seconds"] > 0)
    lat = sorted(v for x in results for v in x["lat_us"])
    up = sorted(v for x in results for v in x["upgrade_us"])
    servers = {}
    for x in results:
        for k, v in x["servers"].items():
            servers[k] = servers.get(k, 0) + v
        for s in x["samples"]:
            print("ERROR " + s)
    seconds = max([x["seconds"] for x in results] or [0.0])

    def ms(v):
        return "NA" if v is None else "%.4f" % v
    print("DONE conns=%d upgraded=%d upgrade_failed=%d closed_early=%d wrong_echo=%d lost=%d messages=%d seconds=%.3f "
          "msgs_per_s=%.1f p50_ms=%s p99_ms=%s upgrade_p50_ms=%s upgrade_max_ms=%s servers=%s failed_workers=%d "
          "client_cpu_us_per_msg=%s" % (
              a.conns, tot["upgraded"], tot["upgrade_failed"], tot["closed_early"], tot["wrong_echo"], tot["lost"],
              tot["messages"], seconds, rate, ms(pct(lat, 0.50)), ms(pct(lat, 0.99)), ms(pct(up, 0.50)),
              ms(up[-1] / 1000.0 if up else None),
              ",".join("%s:%d" % kv for kv in sorted(servers.items())) or "none", failed_workers,
              "%.1f" % (client_cpu * 1e6 / tot["messages"]) if tot["messages"] else "NA"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
