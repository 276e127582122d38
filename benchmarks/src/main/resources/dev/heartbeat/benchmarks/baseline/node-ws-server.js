// Baseline (d): Node's ws server with the isAlive sweep from the ws README, the heartbeat most
// Node servers run: one setInterval for all connections pings each of them and terminates
// those that stayed silent. The README's boolean flag becomes a last-seen time so that the
// timeout (HB_TIMEOUT_MS) is independent of the interval, as in the other servers.
// Same contract as the demo server: PORT, HB_INTERVAL_MS, HB_TIMEOUT_MS, HB_FORMAT=ping-frame,
// echo on /ws, GET /stats, exits on SIGTERM. Run with --expose-gc so that /stats?gc=1 can
// collect garbage before it reports the heap.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

function number(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d+$/.test(value.trim())) throw new Error(`${name}: not a whole number: ${value}`);
  return parseInt(value, 10);
}

const port = number('PORT', 8080);
const interval = number('HB_INTERVAL_MS', 1000);
const timeout = number('HB_TIMEOUT_MS', 3000);
const format = process.env.HB_FORMAT || 'ping-frame';
if (format !== 'ping-frame') throw new Error(`HB_FORMAT: the baselines speak ping-frame only, got ${format}`);
if (timeout <= interval) throw new Error(`HB_TIMEOUT_MS: must be greater than HB_INTERVAL_MS (${interval}), got ${timeout}`);

const stats = { active: 0, total: 0, closedByTimeout: 0 };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname !== '/stats') {
    res.writeHead(404).end();
    return;
  }
  if (url.searchParams.get('gc') === '1' && typeof global.gc === 'function') global.gc();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({
    server: 'node-ws', active: stats.active, total: stats.total, closedByTimeout: stats.closedByTimeout,
    pid: process.pid, heapUsedBytes: process.memoryUsage().heapUsed, io: 'libuv',
  }));
});

const wss = new WebSocketServer({ noServer: true, maxPayload: 65536 });
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url, 'http://localhost').pathname !== '/ws') {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, ws => wss.emit('connection', ws, req));
});

wss.on('connection', ws => {
  stats.active++;
  stats.total++;
  ws.lastSeen = Date.now();
  ws.on('pong', () => { ws.lastSeen = Date.now(); });
  ws.on('message', (data, isBinary) => {
    ws.lastSeen = Date.now();
    ws.send(data, { binary: isBinary });
  });
  ws.on('close', () => { stats.active--; });
  ws.on('error', () => {});
});

setInterval(() => {
  const now = Date.now();
  for (const ws of wss.clients) {
    if (now - ws.lastSeen > timeout) {
      stats.closedByTimeout++;
      ws.terminate();
    } else {
      ws.ping();
    }
  }
}, interval);

process.on('SIGTERM', () => process.exit(0));
server.listen(port, '127.0.0.1', () => {
  console.log(`node-ws listening on ${port}, interval ${interval} ms, timeout ${timeout} ms, ws ${require('ws/package.json').version}`);
});
