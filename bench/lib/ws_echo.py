#!/usr/bin/env python3
"""A WebSocket echo server for bench/run's scenario ws (RFC 6455, standard library only).

One process, one asyncio event loop, one listening port. It answers an HTTP/1.1 handshake
(GET with Upgrade: websocket, Connection: upgrade, Sec-WebSocket-Key, Sec-WebSocket-Version: 13)
with 101 and the Sec-WebSocket-Accept the key calls for, plus "X-WS-Echo: <port>" so that a
client can see which server a proxy chose. Anything else gets 400 and the connection is closed:
a proxy that drops the Upgrade or Connection field shows as a failed upgrade, never as a good
number. After the handshake every text or binary frame (and continuation) comes back unmasked
with the same opcode and FIN bit, a ping gets a pong, a close gets a close and the connection
ends. An unmasked client frame is a protocol error (close 1002).

Built on asyncio.Protocol (no streams): one data_received call handles every frame the read
brought, and one write answers them all. Unmasking XORs the payload as one integer.

    ws_echo.py --port 17081 [--address 127.0.0.1] [--max-seconds 7200]

It stops on SIGTERM or SIGINT, or after --max-seconds in any case.
"""
import argparse
import asyncio
import base64
import hashlib
import signal
import socket

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEAD = 16384
MAX_FRAME = 1 << 20


def accept_key(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def unmask(payload, mask):
    n = len(payload)
    if n == 0:
        return b""
    k = (mask * ((n >> 2) + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(k, "little")).to_bytes(n, "little")


def frame_head(b0, n):
    if n < 126:
        return bytes((b0, n))
    if n < 65536:
        return bytes((b0, 126)) + n.to_bytes(2, "big")
    return bytes((b0, 127)) + n.to_bytes(8, "big")


class Echo(asyncio.Protocol):
    def __init__(self, port_tag):
        self.port_tag = port_tag
        self.transport = None
        self.buf = bytearray()
        self.upgraded = False
        self.closing = False

    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def refuse(self, why):
        body = ("not a WebSocket handshake: %s\n" % why).encode()
        self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n%s" % (len(body), body))
        self.closing = True
        self.transport.close()

    def handshake(self):
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buf) > MAX_HEAD:
                self.refuse("request head over %d bytes" % MAX_HEAD)
            return
        head = bytes(self.buf[:end]).decode("latin-1").split("\r\n")
        del self.buf[:end + 4]
        parts = head[0].split(" ")
        fields = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if len(parts) != 3 or parts[0] != "GET" or parts[2] != "HTTP/1.1":
            return self.refuse("request line %r" % head[0])
        if fields.get("upgrade", "").lower() != "websocket":
            return self.refuse("Upgrade: %r" % fields.get("upgrade"))
        if "upgrade" not in [t.strip().lower() for t in fields.get("connection", "").split(",")]:
            return self.refuse("Connection: %r" % fields.get("connection"))
        if fields.get("sec-websocket-version") != "13":
            return self.refuse("Sec-WebSocket-Version: %r" % fields.get("sec-websocket-version"))
        key = fields.get("sec-websocket-key", "").encode("latin-1")
        if len(key) != 24:
            return self.refuse("Sec-WebSocket-Key: %r" % key)
        self.transport.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             b"Sec-WebSocket-Accept: " + accept_key(key) + b"\r\nX-WS-Echo: " + self.port_tag +
                             b"\r\n\r\n")
        self.upgraded = True

    def close_with(self, code):
        self.transport.write(b"\x88\x02" + code.to_bytes(2, "big"))
        self.closing = True
        self.transport.close()

    def data_received(self, data):
        if self.closing:
            return
        self.buf += data
        if not self.upgraded:
            self.handshake()
            if not self.upgraded or self.closing:
                return
        buf = self.buf
        size = len(buf)
        pos = 0
        out = []
        while size - pos >= 2:
            b0 = buf[pos]
            b1 = buf[pos + 1]
            n = b1 & 0x7F
            h = pos + 2
            if n == 126:
                if size - h < 2:
                    break
                n = int.from_bytes(buf[h:h + 2], "big")
                h += 2
            elif n == 127:
                if size - h < 8:
                    break
                n = int.from_bytes(buf[h:h + 8], "big")
                h += 8
            if not b1 & 0x80:
                return self.close_with(1002)     # a client must mask
            if n > MAX_FRAME:
                return self.close_with(1009)
            if size - h < 4 + n:
                break
            payload = unmask(bytes(buf[h + 4:h + 4 + n]), bytes(buf[h:h + 4]))
            pos = h + 4 + n
            op = b0 & 0x0F
            if op <= 2:                          # continuation, text, binary: echo as it came
                out.append(frame_head(b0, n))
                out.append(payload)
            elif op == 9:                        # ping -> pong
                out.append(frame_head(0x8A, n))
                out.append(payload)
            elif op == 8:                        # close -> close back, then end
                out.append(frame_head(0x88, n))
                out.append(payload)
                self.transport.write(b"".join(out))
                self.closing = True
                self.transport.close()
                return
            elif op != 10:                       # pong is ignored; anything else is an error
                self.transport.write(b"".join(out))
                return self.close_with(1002)
        del buf[:pos]
        if out:
            self.transport.write(b"".join(out))


async def serve(a):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    tag = str(a.port).encode()
    server = await loop.create_server(lambda: Echo(tag), a.address, a.port, backlog=4096, reuse_address=True)
    print("ws_echo listening on %s:%d" % (a.address, a.port), flush=True)
    try:
        await asyncio.wait_for(stop, a.max_seconds)
    except asyncio.TimeoutError:
        print("ws_echo: --max-seconds reached", flush=True)
    server.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--address", default="127.0.0.1")
    ap.add_argument("--max-seconds", type=float, default=7200.0, help="stop by itself after this long")
    asyncio.run(serve(ap.parse_args()))


if __name__ == "__main__":
    main()
