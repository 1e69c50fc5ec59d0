// bench-object-store.mjs: LanceDB's side of the object-store benchmark (bench/Lance.Bench object-store).
//   op "ingest" {uri, storageOptions, table, ipc}
//     -> {rows, ingestSeconds}: createTable(table, <rows of the Arrow IPC file>) into the bucket, timed.
//   op "query" {uri, storageOptions, table, queries: "<json file of vectors>", k?, scans?, countUrl?}
//     -> {openSeconds, firstSeconds, firstCpuSeconds, searchSeconds:[...], firstIds, firstDistances, scanSeconds:[...],
//         scanRows, reconnectSeconds, counts?: {open, first, later:[...], scans:[...], reconnect}}
//     Run in a fresh process: connect + openTable + the first exact L2 search (bypassVectorIndex) timed
//     as one figure, then every further query alone, then full scans of every column
//     (query().toArrow()), then a second connection in the same (now warm) process: connect + openTable
//     + the first query again (reconnectSeconds). With countUrl (tools/lancedb-peer/count-proxy.mjs in front of the emulator)
//     the proxy's requests and bytes are read around each step.
import { readFileSync } from 'node:fs';
import * as lancedb from '@lancedb/lancedb';
import { main, required, arrow } from './lib/common.mjs';

function seconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

async function counts(url) {
  if (!url) return null;
  const response = await fetch(url);
  return response.json();
}

function delta(after, before) {
  if (!after || !before) return null;
  return { requests: after.requests - before.requests, bytesRead: after.bytesRead - before.bytesRead, bytesWritten: after.bytesWritten - before.bytesWritten };
}

main(async (args) => {
  const uri = required(args, 'uri', 'string');
  const storageOptions = args.storageOptions ?? {};
  const name = required(args, 'table', 'string');
  const op = required(args, 'op', 'string');
  if (op === 'ingest') {
    const data = arrow.tableFromIPC(readFileSync(required(args, 'ipc', 'string')));
    const conn = await lancedb.connect(uri, { storageOptions });
    const start = process.hrtime.bigint();
    const table = await conn.createTable(name, data, { mode: 'create' });
    const ingestSeconds = seconds(start);
    return { rows: await table.countRows(), ingestSeconds };
  }
  if (op !== 'query') throw new Error(`unknown op "${op}"`);

  const queries = JSON.parse(readFileSync(required(args, 'queries', 'string'), 'utf8')).map((q) => Float32Array.from(q));
  const k = args.k ?? 10;
  const scans = args.scans ?? 3;
  const countUrl = args.countUrl;
  const search = (table, q) => table.vectorSearch(q).distanceType('l2').bypassVectorIndex().limit(k).toArrow();

  const c0 = await counts(countUrl);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  const conn = await lancedb.connect(uri, { storageOptions });
  const table = await conn.openTable(name);
  const openSeconds = seconds(start);
  const c1 = await counts(countUrl);
  const resumed = process.hrtime.bigint();
  const first = await search(table, queries[0]);
  // The counts request is not part of the timed work: the time spent on it is taken out.
  const firstSeconds = openSeconds + seconds(resumed);
  // CPU of every thread of the process (LanceDB's native ones too) over connect + open + first search.
  const cpu = process.cpuUsage(cpuBefore);
  const firstCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const c2 = await counts(countUrl);

  const searchSeconds = [];
  const later = [];
  for (const q of queries.slice(1)) {
    const before = await counts(countUrl);
    const t = process.hrtime.bigint();
    await search(table, q);
    searchSeconds.push(seconds(t));
    later.push(delta(await counts(countUrl), before));
  }

  const scanSeconds = [];
  const scanCounts = [];
  let scanRows = 0;
  for (let i = 0; i < scans; i++) {
    const before = await counts(countUrl);
    const t = process.hrtime.bigint();
    const all = await table.query().toArrow();
    scanSeconds.push(seconds(t));
    scanCounts.push(delta(await counts(countUrl), before));
    scanRows = all.numRows;
  }

  // A fresh connection in this now warm process: the first query again, nothing of the table cached.
  const w0 = await counts(countUrl);
  const again = process.hrtime.bigint();
  const conn2 = await lancedb.connect(uri, { storageOptions });
  const table2 = await conn2.openTable(name);
  await search(table2, queries[0]);
  const reconnectSeconds = seconds(again);
  const w1 = await counts(countUrl);

  return {
    openSeconds,
    reconnectSeconds,
    firstSeconds,
    firstCpuSeconds,
    searchSeconds,
    firstIds: Array.from(first.getChild('id').toArray(), (v) => String(v)),
    firstDistances: Array.from(first.getChild('_distance').toArray()),
    scanSeconds,
    scanRows,
    counts: countUrl ? { open: delta(c1, c0), first: delta(c2, c1), later, scans: scanCounts, reconnect: delta(w1, w0) } : null,
  };
});
