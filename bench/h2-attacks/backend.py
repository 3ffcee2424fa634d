#!/usr/bin/env python3
"""A small HTTP/1.1 back end for the h2 attack bench: answers 200, /delay?ms=N after N ms, and appends one
line per request it sees to LOG. Usage: backend.py PORT LOG"""
import sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle(self):
        try:
            super().handle()
        except ConnectionError:
            pass  # HAProxy closes connections it gave up on: no traceback for that

    def answer(self):
        with open(sys.argv[2], "a") as f:
            f.write("%s %s\n" % (self.command, self.path))
        n = int(self.headers.get("content-length") or 0)
        if n:
            self.rfile.read(n)
        q = urllib.parse.urlparse(self.path)
        if q.path == "/delay":
            time.sleep(int(urllib.parse.parse_qs(q.query).get("ms", ["0"])[0]) / 1000)
        body = b"ok\n"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = answer

    def log_message(self, *a):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 256  # a hundred streams at once become a hundred connections at once
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
