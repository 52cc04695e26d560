#!/usr/bin/env node
// TCP echo server on Node's net module (libuv underneath), a peer in gouv's
// echo benchmark (bench/run.sh).
//
//   node node-echo.js -addr 127.0.0.1:PORT
//
// Prints "listening on HOST:PORT" (the bound port) once listening; exits 0 on
// SIGINT or SIGTERM. pipe() gives back-pressure (pauses reading while the
// socket's write buffer is over its high-water mark) and, with
// allowHalfOpen, a half-close: after the peer's FIN it ends its own side once
// everything read has been written.
'use strict';
const net = require('net');

let addr = '127.0.0.1:0';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i].replace(/^--/, '-');
  if (a === '-addr' && i + 1 < args.length) {
    addr = args[++i];
  } else if (a.startsWith('-addr=')) {
    addr = a.slice(6);
  } else {
    process.stderr.write('usage: node node-echo.js -addr HOST:PORT\n');
    process.exit(2);
  }
}
const colon = addr.lastIndexOf(':');
if (colon < 0) {
  process.stderr.write(`node-echo: bad -addr ${addr}\n`);
  process.exit(2);
}
const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
const port = Number(addr.slice(colon + 1));

const sockets = new Set();
const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (sock) => {
  sockets.add(sock);
  sock.on('error', () => sock.destroy()); // resets: drop quietly
  sock.on('close', () => sockets.delete(sock));
  sock.pipe(sock);
});
server.on('error', (err) => {
  process.stderr.write(`node-echo: ${err.message}\n`);
  process.exit(1);
});
server.listen({ host, port, backlog: 1024 }, () => {
  const a = server.address();
  const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  process.stdout.write(`listening on ${h}:${a.port}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  for (const s of sockets) s.destroy();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
