// bench-index.mjs: LanceDB's side of the IVF-PQ index benchmark.
//   {ipc, queries, truth, db, table, partitions, subVectors, metric?, k?, nprobes?:[..], refine?:[..],
//    warmup?, sampleRate?, maxIterations?, existing?, kind?: "ivf_pq"|"ivf_flat"|"ivf_hnsw_sq", ef?:[..]}
//   -> {rows, ingestSeconds, buildSeconds, buildCpuSeconds (all threads), indexBytes, configs:[{nprobes, refine, latencyMedianMs,
//       latencyP95Ms, recall, ef}], memory: {startMiB, beforeSearchMiB, peakMiB, privateStartMiB, privateBeforeSearchMiB,
//       privatePeakMiB}}
// memory: the process's resident set (VmRSS) and private resident memory (RssAnon) from /proc/self/status: at start
// (after connecting, before the table is opened or created), before the first search, and the highest seen after
// any search (read between queries, outside the timed part).
// Ingests the rows of an Arrow IPC file, times createIndex(IVF_PQ), then for each (nprobes, refine)
// runs every query (after a warm-up) and scores recall@k against the given exact ids (JSON array of
// arrays of the "id" column's values). existing: true skips ingest and build and searches the index the
// table already has (e.g. one Lance.Engine built), reporting buildSeconds 0.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { main, connect, required, arrow } from './lib/common.mjs';

const { tableFromIPC } = arrow;

function seconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * q))];
}

function folderBytes(path) {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : statSync(full).size;
  }
  return total;
}

function statusMiB(name) {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(name + ':'));
  return line ? Number(line.slice(name.length + 1).trim().split(/\s+/)[0]) / 1024 : null;
}

main(async (args) => {
  const name = required(args, 'table', 'string');
  const dbPath = required(args, 'db', 'string');
  const k = args.k ?? 10;
  const metric = args.metric ?? 'l2';
  const queryTable = tableFromIPC(readFileSync(required(args, 'queries', 'string')));
  const qcol = queryTable.getChild(queryTable.schema.fields[0].name);
  const queries = [];
  for (let i = 0; i < qcol.length; i++) queries.push(Float32Array.from(qcol.get(i).toArray()));
  const truth = JSON.parse(readFileSync(required(args, 'truth', 'string'), 'utf8'));

  const conn = await connect(dbPath);
  const memory = { startMiB: statusMiB('VmRSS'), privateStartMiB: statusMiB('RssAnon') };
  let start = process.hrtime.bigint();
  const table = args.existing
    ? await conn.openTable(name)
    : await conn.createTable(name, tableFromIPC(readFileSync(required(args, 'ipc', 'string'))), { mode: 'overwrite' });
  const ingestSeconds = seconds(start);
  const rows = await table.countRows();

  const options = { numPartitions: args.partitions, numSubVectors: args.subVectors, distanceType: metric };
  if (args.sampleRate) options.sampleRate = args.sampleRate;
  if (args.maxIterations) options.maxIterations = args.maxIterations;
  start = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const kind = args.kind ?? 'ivf_pq';
  const config = kind === 'ivf_flat' ? lancedb.Index.ivfFlat({ numPartitions: args.partitions, distanceType: metric })
    : kind === 'ivf_hnsw_sq' ? lancedb.Index.hnswSq({ numPartitions: args.partitions, distanceType: metric })
    : lancedb.Index.ivfPq(options);
  if (!args.existing) await table.createIndex('vector', { config });
  const buildSeconds = seconds(start);
  const cpu = process.cpuUsage(cpuBefore);
  const buildCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const indexBytes = folderBytes(join(dbPath, `${name}.lance`, '_indices'));

  const search = (q, nprobes, refine, ef) => {
    let query = table.vectorSearch(q).column('vector').distanceType(metric).nprobes(nprobes).select(['id']).limit(k);
    if (refine) query = query.refineFactor(refine);
    if (ef) query = query.ef(ef);
    return query.toArray();
  };

  memory.beforeSearchMiB = statusMiB('VmRSS');
  memory.privateBeforeSearchMiB = statusMiB('RssAnon');
  memory.peakMiB = memory.beforeSearchMiB;
  memory.privatePeakMiB = memory.privateBeforeSearchMiB;
  const configs = [];
  for (const nprobes of args.nprobes ?? [10, 20, 50]) {
    for (const refine of args.refine ?? [0, 10]) {
     for (const ef of args.ef ?? [0]) {
      const warmup = Math.min(args.warmup ?? 5, queries.length);
      for (let i = 0; i < warmup; i++) await search(queries[i], nprobes, refine, ef);
      const latencies = [];
      let found = 0;
      for (let i = 0; i < queries.length; i++) {
        const t = process.hrtime.bigint();
        const hits = await search(queries[i], nprobes, refine, ef);
        latencies.push(seconds(t) * 1000);
        memory.peakMiB = Math.max(memory.peakMiB, statusMiB('VmRSS'));
        memory.privatePeakMiB = Math.max(memory.privatePeakMiB, statusMiB('RssAnon'));
        const expected = new Set(truth[i].map(Number));
        for (const hit of hits) if (expected.has(Number(hit.id))) found++;
      }
      configs.push({
        nprobes,
        refine,
        latencyMedianMs: median(latencies),
        latencyP95Ms: quantile(latencies, 0.95),
        recall: found / (queries.length * k),
        ef,
      });
     }
    }
  }

  return { rows, ingestSeconds, buildSeconds, buildCpuSeconds, indexBytes, configs, memory };
});
