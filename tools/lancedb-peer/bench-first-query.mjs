// bench-first-query.mjs: LanceDB's side of the first-query benchmark, run in a fresh process each time.
//   {db, table, queries: [[...]], k?}
//   -> {openSeconds, firstSeconds, searchSeconds:[...], firstIds:[...], rssBytes, rssAnonBytes, rssFileBytes, peakRssBytes}
// Times connect + openTable + the first exact (bypassVectorIndex) L2 search as one figure (what a
// new process pays before its first answer), then each further query one by one. Memory is read
// from /proc/self/status after the last query (Linux only; zeros elsewhere).
import { readFileSync } from 'node:fs';
import { main, connect, required } from './lib/common.mjs';

function seconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

function memory() {
  const kb = (text, key) => Number((new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text) ?? [0, 0])[1]) * 1024;
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux
  }
  return { rssBytes: kb(status, 'VmRSS'), rssAnonBytes: kb(status, 'RssAnon'), rssFileBytes: kb(status, 'RssFile'), peakRssBytes: kb(status, 'VmHWM') };
}

main(async (args) => {
  const queries = required(args, 'queries', 'array').map((q) => Float32Array.from(q));
  const k = args.k ?? 10;
  const search = (table, q) => table.vectorSearch(q).distanceType('l2').bypassVectorIndex().select(['id', '_distance']).limit(k).toArray();
  const start = process.hrtime.bigint();
  const conn = await connect(required(args, 'db', 'string'));
  const table = await conn.openTable(required(args, 'table', 'string'));
  const openSeconds = seconds(start);
  const first = await search(table, queries[0]);
  const firstSeconds = seconds(start);
  const searchSeconds = [];
  for (const q of queries.slice(1)) {
    const t = process.hrtime.bigint();
    await search(table, q);
    searchSeconds.push(seconds(t));
  }
  return { openSeconds, firstSeconds, searchSeconds, firstIds: first.map((r) => String(r.id)), ...memory() };
});
