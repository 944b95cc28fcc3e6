// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-bench-server.mjs: the benchmark's image server, HTTP/1.1 or HTTP/2 over TLS, for every client alike
//
//   node bench/tessera-bench-server.mjs --root DIR --latency MS [--cert FILE --key FILE]
//
// Serves the pictures the driver wrote beforehand (made by the project's test server), so
// serving costs the same whatever the client: /img/NAME.jpg?...&seed=S[&cc=VALUE] answers
// ROOT/img/S.jpg (with "Cache-Control: VALUE" when cc is given, as the test server does) and
// /page/NAME.html answers ROOT/page/NAME.html; anything else is a 404. Every answer waits
// --latency milliseconds first, each request on its own: an HTTP/1.1 connection carries one
// request at a time, an HTTP/2 one as many as it has streams open.
//
// With --cert and --key it speaks TLS with ALPN: HTTP/2 to clients that offer it (at most
// MAX_STREAMS streams at once on a connection, nginx's default), HTTP/1.1 to the others.
//
// The first line on stdout is the base URL. Then it answers one line per command on stdin:
// "stats" (a JSON object, below) and "reset" (counters to zero; answers "ok"). It ends when
// stdin closes. Times are CLOCK_MONOTONIC in µs (process.hrtime), the clock the driver
// and the app's --stats count on, so the server's clock times every client the same way.
//
//   connections          TCP connections accepted
//   requests             requests answered or under way
//   image_requests       of them for /img/
//   image_responses      /img/ responses sent in full
//   first_image_us       when the first /img/ request arrived
//   last_image_us        when the last /img/ response was handed to the kernel
//   in_flight_max        most requests under way at once
//   per_connection_max   most requests under way at once on one connection (HTTP/2 streams)
//   protocols            requests by HTTP version
//
// Node's standard library only (Debian 12's nodejs 18 or later).

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const MAX_STREAMS = 128; // nginx's http2_max_concurrent_streams
const KEEP_ALIVE_MS = 60000; // longer than any run, so no client has to reconnect
const SEED = /^\d{1,9}$/;
const PAGE = /^\/page\/[\w-]+\.html$/;

const { values: options } = parseArgs({
  options: {
    root: { type: 'string' },
    latency: { type: 'string', default: '0' },
    cert: { type: 'string' },
    key: { type: 'string' },
  },
});
const latencyMs = Number.parseInt(options.latency, 10);
if (!options.root || !(latencyMs >= 0) || Boolean(options.cert) !== Boolean(options.key)) {
  process.stderr.write('usage: tessera-bench-server.mjs --root DIR --latency MS [--cert FILE --key FILE]\n');
  process.exit(2);
}

const files = new Map(); // path under root -> Buffer, or null when missing
let counters;
let inFlight;

function nowUs() {
  return Number(process.hrtime.bigint() / 1000n);
}

function reset() {
  counters = {
    connections: 0,
    requests: 0,
    image_requests: 0,
    image_responses: 0,
    first_image_us: null,
    last_image_us: null,
    in_flight_max: 0,
    per_connection_max: 0,
    protocols: {},
  };
  inFlight = 0;
}

function file(path) {
  if (!files.has(path)) {
    try {
      files.set(path, readFileSync(join(options.root, path)));
    } catch {
      files.set(path, null);
    }
  }
  return files.get(path);
}

// What to answer: [status, headers, body].
function route(url) {
  const parsed = new URL(url, 'http://127.0.0.1');
  if (parsed.pathname.startsWith('/img/')) {
    const seed = parsed.searchParams.get('seed') ?? '';
    const body = SEED.test(seed) ? file(`img/${seed}.jpg`) : null;
    if (body === null) return [404, { 'content-type': 'text/plain' }, 'No such picture\n'];
    const headers = { 'content-type': 'image/jpeg' };
    const control = parsed.searchParams.get('cc');
    if (control !== null) headers['cache-control'] = control;
    return [200, headers, body];
  }
  const page = PAGE.test(parsed.pathname) ? file(parsed.pathname.slice(1)) : null;
  if (page !== null) return [200, { 'content-type': 'text/html; charset=utf-8' }, page];
  return [404, { 'content-type': 'text/plain' }, 'Not found\n'];
}

// Requests under way per connection: the HTTP/2 session, or the socket for HTTP/1.1.
const underWay = new WeakMap();

function answer(req, res) {
  const isImage = req.url.startsWith('/img/');
  const connection = req.stream?.session ?? req.socket;
  const onConnection = (underWay.get(connection) ?? 0) + 1;

  underWay.set(connection, onConnection);
  counters.requests++;
  counters.protocols[req.httpVersion] = (counters.protocols[req.httpVersion] ?? 0) + 1;
  inFlight++;
  counters.in_flight_max = Math.max(counters.in_flight_max, inFlight);
  counters.per_connection_max = Math.max(counters.per_connection_max, onConnection);
  if (isImage) {
    counters.image_requests++;
    counters.first_image_us ??= nowUs();
  }
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    inFlight--;
    underWay.set(connection, underWay.get(connection) - 1);
  };
  res.on('finish', () => {
    if (isImage) {
      counters.image_responses++;
      counters.last_image_us = nowUs();
    }
    done();
  });
  res.on('close', done);
  setTimeout(() => {
    const [status, headers, body] = route(req.url);
    if (res.destroyed) return;
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }, latencyMs);
}

reset();
const server = options.cert
  ? createSecureServer({
      cert: readFileSync(options.cert),
      key: readFileSync(options.key),
      allowHTTP1: true,
      settings: { maxConcurrentStreams: MAX_STREAMS },
    }, answer)
  : createHttpServer({ keepAliveTimeout: KEEP_ALIVE_MS }, answer);
server.on('connection', () => counters.connections++);
if (options.cert) server.setTimeout(KEEP_ALIVE_MS);

server.listen(0, '127.0.0.1', () => {
  const scheme = options.cert ? 'https' : 'http';
  process.stdout.write(`${scheme}://127.0.0.1:${server.address().port}\n`);
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') process.stdout.write(`${JSON.stringify(counters)}\n`);
  else if (command === 'reset') {
    reset();
    process.stdout.write('ok\n');
  } else process.stdout.write(`${JSON.stringify({ error: `unknown command ${command}` })}\n`);
}).on('close', () => {
  server.close();
  process.exit(0);
});
