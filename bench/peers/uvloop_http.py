#!/usr/bin/env python3
"""HTTP server on asyncio with uvloop and httptools (libuv and the
http-parser family underneath), a peer in gouv's HTTP benchmark
(bench/bench-http.sh), shaped as uvloop's vmbench httptools server.

    /usr/bin/python3 uvloop_http.py -addr 127.0.0.1:PORT

Needs Debian's python3-uvloop and python3-httptools (for /usr/bin/python3).
Routes: /plaintext (200 "Hello, World!", text/plain), /json
({"message":"Hello, World!"}), /bytes/N (N bytes of 'x'); anything else is
404. The responses of the requests parsed from one read go out in one
write. Prints "listening on HOST:PORT" once listening; exits 0 on SIGINT or
SIGTERM.
"""
import argparse
import asyncio
import email.utils
import signal
import socket
import sys
import time

import httptools
import uvloop

MAX_BYTES = 16 << 20
FILLER = b"x" * MAX_BYTES
_date = [0, b""]


def date_header():
    now = int(time.time())
    if now != _date[0]:
        _date[0] = now
        _date[1] = email.utils.formatdate(now, usegmt=True).encode()
    return _date[1]


def response(status, ctype, body, close):
    head = b"HTTP/1.1 %s\r\nServer: uvloop\r\nContent-Type: %s\r\nContent-Length: %d\r\n%sDate: %s\r\n\r\n" % (
        status, ctype, len(body), b"Connection: close\r\n" if close else b"", date_header())
    return [head, body]


class HTTP(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.out = []
        self.closing = False
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def on_message_begin(self):
        self.url = b""

    def on_url(self, url):
        self.url += url

    def on_message_complete(self):
        if self.closing:
            return  # pipelined past a request that closes
        close = not self.parser.should_keep_alive()
        u = self.url
        if u == b"/plaintext":
            r = response(b"200 OK", b"text/plain", b"Hello, World!", close)
        elif u == b"/json":
            r = response(b"200 OK", b"application/json", b'{"message":"Hello, World!"}', close)
        elif u.startswith(b"/bytes/") and u[7:].isdigit() and int(u[7:]) <= MAX_BYTES:
            r = response(b"200 OK", b"application/octet-stream", FILLER[: int(u[7:])], close)
        else:
            r = response(b"404 Not Found", b"text/plain", b"", close)
        self.out.extend(r)
        if close:
            self.closing = True

    def data_received(self, data):
        if self.closing:
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.out.extend(response(b"400 Bad Request", b"text/plain", b"", True))
            self.closing = True
        if self.out:
            self.transport.writelines(self.out)
            self.out = []
        if self.closing:
            self.transport.close()

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


async def main(addr):
    host, _, port = addr.rpartition(":")
    host = host.strip("[]")
    loop = asyncio.get_running_loop()
    server = await loop.create_server(HTTP, host, int(port), backlog=1024)
    sockname = server.sockets[0].getsockname()
    shown = f"[{sockname[0]}]" if ":" in sockname[0] else sockname[0]
    print(f"listening on {shown}:{sockname[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-addr", "--addr", default="127.0.0.1:0")
    a = p.parse_args()
    uvloop.install()
    asyncio.run(main(a.addr))
    sys.exit(0)
