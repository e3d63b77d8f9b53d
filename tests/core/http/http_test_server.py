#!/usr/bin/env python3
# A small HTTP/1.1 server on 127.0.0.1 for the http::client tests: fixed routes that
# answer, redirect, stream, stall, hang, drop or send too much. It is not a model fake
# (that is tests/fakes/fake_model.py). Usage: http_test_server.py --port-file PATH
import argparse
import email.utils
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


BARRIER = threading.Condition()
ARRIVED = [0]
COUNTED = [0]  # requests that reached /count


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _query(self):
        q = parse_qs(urlparse(self.path).query)
        return {k: v[0] for k, v in q.items()}

    def _send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _wait_for_client_to_leave(self, limit_s=30):
        self.connection.settimeout(limit_s)
        try:
            while self.connection.recv(4096):
                pass
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self):
        self._route()

    def do_POST(self):
        self._route()

    def do_PUT(self):
        self._route()

    def do_DELETE(self):
        self._route()

    def do_HEAD(self):
        self._route()

    def _route(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlparse(self.path).path
        q = self._query()
        if path == "/ok":
            self._send(200, b"hello", [("Content-Type", "text/plain")])
        elif path == "/echo":
            auth = "yes" if self.headers.get("Authorization") else "no"
            self._send(201, body, [("X-Method", self.command), ("X-Auth", auth),
                                   ("X-Expect", self.headers.get("Expect") or "none")])
        elif path == "/retry-seconds":
            self._send(429, b'{"error":"slow down"}',
                       [("Retry-After", "7"), ("X-Custom-Header", "Some Value")])
        elif path == "/retry-date":
            when = email.utils.formatdate(time.time() + 30, usegmt=True)
            self._send(503, b"busy", [("Retry-After", when)])
        elif path == "/big":
            self._send(200, b"x" * int(q.get("n", "1000")))
        elif path == "/big-chunked":
            # No Content-Length: only the write callback can stop it.
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            left = int(q.get("n", "100000"))
            try:
                while left > 0:
                    n = min(left, 8192)
                    self._chunk(b"y" * n)
                    left -= n
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                self.close_connection = True
        elif path == "/stream":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(int(q.get("n", "4"))):
                self._chunk(b"part%d;" % i)
                time.sleep(int(q.get("ms", "60")) / 1000)
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/redirect":
            self._send(302, b"", [("Location", "/ok")])
        elif path == "/redirect-to":
            self._send(302, b"", [("Location", q.get("url", "/ok"))])
        elif path == "/count":
            with BARRIER:
                COUNTED[0] += 1
            self._send(200, b"counted", [("Content-Type", "text/plain")])
        elif path == "/counted":
            self._send(200, str(COUNTED[0]).encode(), [("Content-Type", "text/plain")])
        elif path == "/redirect-loop":
            self._send(302, b"", [("Location", "/redirect-loop")])
        elif path == "/hang":
            self._wait_for_client_to_leave()
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._chunk(b"first")
            self._wait_for_client_to_leave()
        elif path == "/drop":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"only ten..")
            self.wfile.flush()
            self.close_connection = True
        elif path == "/barrier":
            # Answers 200 only once n requests are waiting here at the same time.
            with BARRIER:
                ARRIVED[0] += 1
                BARRIER.notify_all()
                met = BARRIER.wait_for(lambda: ARRIVED[0] >= int(q.get("n", "2")), timeout=5)
            self._send(200 if met else 504, b"together" if met else b"alone")
        elif path == "/slow":
            time.sleep(int(q.get("ms", "200")) / 1000)
            self._send(200, b"slow")
        else:
            self._send(404, b"no such route")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
