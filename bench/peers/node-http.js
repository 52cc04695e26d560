#!/usr/bin/env node
// HTTP server on Node's http module (llhttp over libuv), a peer in gouv's
// HTTP benchmark (bench/bench-http.sh).
//
//   node node-http.js -addr 127.0.0.1:PORT
//
// Routes: /plaintext (200 "Hello, World!", text/plain), /json
// ({"message":"Hello, World!"}), /bytes/N (N bytes of 'x'); anything else
// is 404. Prints "listening on HOST:PORT" once listening; exits 0 on SIGINT
// or SIGTERM.
'use strict';
const http = require('http');

let addr = '127.0.0.1:0';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i].replace(/^--/, '-');
  if (a === '-addr' && i + 1 < args.length) {
    addr = args[++i];
  } else {
    process.stderr.write('usage: node node-http.js -addr HOST:PORT\n');
    process.exit(2);
  }
}
const colon = addr.lastIndexOf(':');
const host = addr.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
const port = Number(addr.slice(colon + 1));

const MAX_BYTES = 16 << 20;
const hello = Buffer.from('Hello, World!');
const json = Buffer.from('{"message":"Hello, World!"}');
const filler = Buffer.alloc(MAX_BYTES, 'x');

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(body);
}

const server = http.createServer({ noDelay: true }, (req, res) => {
  const u = req.url;
  if (u === '/plaintext') {
    send(res, 200, 'text/plain', hello);
  } else if (u === '/json') {
    send(res, 200, 'application/json', json);
  } else if (u.startsWith('/bytes/')) {
    const s = u.slice(7);
    const n = Number(s);
    if (!/^[0-9]+$/.test(s) || n > MAX_BYTES) {
      send(res, 400, 'text/plain', Buffer.alloc(0));
    } else {
      send(res, 200, 'application/octet-stream', filler.subarray(0, n));
    }
  } else {
    send(res, 404, 'text/plain', Buffer.alloc(0));
  }
});
const sockets = new Set();
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
server.on('error', (err) => {
  process.stderr.write(`node-http: ${err.message}\n`);
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
