#!/usr/bin/env python3
"""TCP echo server on asyncio with uvloop (libuv underneath), a peer in
gouv's echo benchmark (bench/run.sh).

    python3 uvloop_echo.py -addr 127.0.0.1:PORT

Needs the uvloop module (Debian: apt-get install python3-uvloop, which is for
/usr/bin/python3). Prints "listening on HOST:PORT" (the bound port) once
listening; exits 0 on SIGINT or SIGTERM. Uses the Protocol API (no streams):
data_received writes straight back; reading pauses while the transport's
write buffer is over its high-water mark; on the peer's FIN the transport
closes after flushing what is buffered.
"""
import argparse
import asyncio
import signal
import socket
import sys

import uvloop


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data):
        self.transport.write(data)

    def eof_received(self):
        return False  # close once the write buffer is flushed

    def pause_writing(self):
        self.transport.pause_reading()

    def resume_writing(self):
        self.transport.resume_reading()


async def main(addr):
    host, _, port = addr.rpartition(":")
    host = host.strip("[]")
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, host, int(port), backlog=1024)
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
