// The yardstick: a bare node:http server that reads the body and answers 202 — what the same
// machine does with no framework, no validation and no storage.
import http from 'node:http';

const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (d: Buffer) => (size += d.length));
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, size }));
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.send?.('ready'));
