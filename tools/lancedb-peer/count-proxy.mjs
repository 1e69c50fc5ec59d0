// count-proxy.mjs {upstream: "http://127.0.0.1:PORT"}
// A counting HTTP proxy in front of an object-store emulator, for the object-store benchmark: it
// forwards every request unchanged (Host header included, so S3 signatures still verify) and counts
// requests by method and the body bytes each way. Prints {"endpoint": "http://127.0.0.1:P"} once it
// listens, then runs until its stdin closes or it is killed.
// GET /__lance_bench/counts answers the counts so far (not forwarded, not counted):
//   {requests, byMethod: {GET: n, ...}, bytesRead (response bodies), bytesWritten (request bodies)}.
import http from 'node:http';
import { readArgs } from './lib/common.mjs';

const args = await readArgs();
const upstream = new URL(args.upstream);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const counts = { requests: 0, byMethod: {}, bytesRead: 0, bytesWritten: 0 };

const server = http.createServer((req, res) => {
  if (req.url === '/__lance_bench/counts') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(counts));
    return;
  }
  counts.requests++;
  counts.byMethod[req.method] = (counts.byMethod[req.method] ?? 0) + 1;
  req.on('data', (chunk) => { counts.bytesWritten += chunk.length; });
  const forward = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode, answer.statusMessage, answer.rawHeaders);
      answer.on('data', (chunk) => { counts.bytesRead += chunk.length; });
      answer.pipe(res);
    });
  forward.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502);
    res.end(String(err));
  });
  req.pipe(forward);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ endpoint: `http://127.0.0.1:${server.address().port}` }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
