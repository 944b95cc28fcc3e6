// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-h2-server.js: an HTTP/2-over-TLS front for the test server, for the tests of
// multiplexing. Node's own http2 module speaks the protocol; every stream is passed to the
// test server (--backend, HTTP/1.1), which makes the images and the faults, and its answer
// comes back as a real HTTP/2 server would give it: headers (Location pointed at the
// front), the body piece by piece as it comes, and a body the backend breaks off as a reset
// stream. It counts TLS sessions (connections), streams, the most streams open at once on
// one session, the streams the client reset (cancelled), those it cut and the streams open
// now, and writes them as JSON to --stats after every change. Prints "port N" once
// listening; exits when its stdin closes.
'use strict';

const fs = require('fs');
const http = require('http');
const http2 = require('http2');

function option(name) {
  const at = process.argv.indexOf('--' + name);
  if (at < 0 || at + 1 >= process.argv.length) throw new Error('missing --' + name);
  return process.argv[at + 1];
}

const backend = new URL(option('backend'));
const statsPath = option('stats');
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const stats = {
  sessions: 0, streams: 0, most_streams_at_once: 0, reset_streams: 0, cut_streams: 0,
  open_streams: 0,
};
// Headers that belong to one HTTP/1.1 connection and are forbidden in HTTP/2.
const hopByHop = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];

function writeStats() {
  fs.writeFileSync(statsPath + '.tmp', JSON.stringify(stats));
  fs.renameSync(statsPath + '.tmp', statsPath);
}

const server = http2.createSecureServer({
  key: fs.readFileSync(option('key')),
  cert: fs.readFileSync(option('cert')),
});

server.on('session', (session) => {
  let open = 0;
  stats.sessions++;
  writeStats();
  session.on('stream', (stream) => {
    open++;
    stats.streams++;
    stats.open_streams++;
    stats.most_streams_at_once = Math.max(stats.most_streams_at_once, open);
    writeStats();
    stream.on('close', () => {
      open--;
      stats.open_streams--;
      // Reset before its end: by the front, as its backend broke off (cut), or else by the
      // client, a transfer it gave up (cancelled), on a session that goes on (libcurl 7.88
      // resets with STREAM_CLOSED).
      if (stream.cutByFront) stats.cut_streams++;
      else if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) stats.reset_streams++;
      writeStats();
    });
  });
});

// A Location on the backend (absolute) points at the front instead, so redirects stay on
// HTTP/2; a relative one, or one to anywhere else, passes as it is.
function frontLocation(location) {
  let target;
  try {
    target = new URL(location);
  } catch {
    return location;
  }
  if (target.origin !== backend.origin) return location;
  return 'https://127.0.0.1:' + server.address().port + target.pathname + target.search +
    target.hash;
}

function requestHeaders(headers) {
  const forwarded = {};
  for (const [name, value] of Object.entries(headers))
    if (!name.startsWith(':') && !hopByHop.includes(name)) forwarded[name] = value;
  return forwarded;
}

// Resets @stream as a server does whose source broke off (RST_STREAM with INTERNAL_ERROR),
// so the client sees a stream cut short, never a clean end. Not stream.close(code): Node
// ends the stream (END_STREAM) before it resets it, a clean end to a client that has no
// Content-Length to check.
function cut(stream) {
  if (stream.closed) return;
  stream.cutByFront = true;
  stream.destroy(new Error('the backend broke off'));
}

server.on('stream', (stream, headers) => {
  const request = http.request({
    agent, host: backend.hostname, port: backend.port, method: headers[':method'],
    path: headers[':path'], headers: requestHeaders(headers),
  }, (response) => {
    const answer = { ':status': response.statusCode };
    for (const [name, value] of Object.entries(response.headers))
      if (!hopByHop.includes(name)) answer[name] = value;
    if (answer.location !== undefined) answer.location = frontLocation(answer.location);
    if (stream.destroyed) return response.destroy();
    // A backend that hangs up before its body's end: the stream is cut, not ended.
    response.on('close', () => {
      if (!response.complete) cut(stream);
    });
    stream.respond(answer);
    // Each piece goes on as it comes, so a trickle trickles and a hang stays a hang.
    response.pipe(stream);
  });
  // A stream the client resets (a cancelled transfer) ends its backend request too.
  stream.on('close', () => request.destroy());
  stream.on('error', () => request.destroy());
  request.on('error', () => cut(stream));
  request.end();
});

// Ends with the test that started it, however the test ends: its end of stdin closes.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

writeStats();
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('port ' + server.address().port + '\n');
});
