// bench.mjs: LanceDB's side of the benchmarks.
//   {mode?:"ingest+search"|"search", ipc?, queries, db, table, k?, repeats?, metric?, column?,
//    columns?, warmup?, exact?}
//   -> {mode, rows, ingestSeconds, rowsPerSecond, k, metric, repeats, searchQueries,
//       searchSecondsMedian, searchSecondsP95, searchSecondsMean, searchSecondsTotal,
//       queriesPerSecond, firstQueryDistances}
// "ingest+search" times createTable(table, <rows of ipc>, {mode:"overwrite"}) and then the searches;
// "search" only searches an existing table (e.g. one written by our C# engine).
import { readFileSync } from 'node:fs';
import { main, connect, required, arrow } from './lib/common.mjs';

const { tableFromIPC, Type } = arrow;

/** Query vectors from an Arrow IPC file (the named or first list column) or a JSON file. */
function loadQueries(path, column) {
  if (path.toLowerCase().endsWith('.json')) {
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const list = Array.isArray(json) ? json : json.vectors;
    if (!Array.isArray(list)) throw new Error('a JSON query file holds an array of vectors or {"vectors": [...]}');
    return list.map((v) => Float32Array.from(v));
  }
  const table = tableFromIPC(readFileSync(path));
  const isList = (f) => f.type.typeId === Type.FixedSizeList || f.type.typeId === Type.List;
  const field = column ? table.schema.fields.find((f) => f.name === column && isList(f)) : undefined;
  const chosen = field ?? table.schema.fields.find(isList);
  if (!chosen) throw new Error(`no vector column in ${path}`);
  const vector = table.getChild(chosen.name);
  const out = [];
  for (let i = 0; i < vector.length; i++) out.push(Float32Array.from(vector.get(i).toArray()));
  return out;
}

function seconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

main(async (args) => {
  const mode = args.mode ?? (args.ipc ? 'ingest+search' : 'search');
  if (mode !== 'ingest+search' && mode !== 'search') throw new Error(`unknown mode "${mode}"`);
  const name = required(args, 'table', 'string');
  const k = args.k ?? 10;
  const repeats = args.repeats ?? 1;
  const metric = args.metric ?? 'l2';
  const exact = args.exact ?? true;
  const queries = loadQueries(required(args, 'queries', 'string'), args.column);
  const conn = await connect(required(args, 'db', 'string'));

  let table;
  let ingestSeconds = null;
  if (mode === 'ingest+search') {
    const data = tableFromIPC(readFileSync(required(args, 'ipc', 'string')));
    const start = process.hrtime.bigint();
    table = await conn.createTable(name, data, { mode: 'overwrite' });
    ingestSeconds = seconds(start);
  } else {
    table = await conn.openTable(name);
  }
  const rows = await table.countRows();

  const search = (q) => {
    let query = table.vectorSearch(q);
    if (args.column) query = query.column(args.column);
    query = query.distanceType(metric);
    if (args.columns) query = query.select(args.columns.includes('_distance') ? args.columns : [...args.columns, '_distance']);
    if (exact) query = query.bypassVectorIndex();
    return query.limit(k).toArrow();
  };

  const first = queries.length > 0 ? await search(queries[0]) : null;
  const firstQueryDistances = first ? Array.from(first.getChild('_distance').toArray()) : [];
  const warmup = Math.min(args.warmup ?? 10, queries.length);
  for (let i = 0; i < warmup; i++) await search(queries[i]);

  const latencies = [];
  const all = process.hrtime.bigint();
  for (let r = 0; r < repeats; r++) {
    for (const q of queries) {
      const start = process.hrtime.bigint();
      await search(q);
      latencies.push(seconds(start));
    }
  }
  const total = seconds(all);
  latencies.sort((a, b) => a - b);
  const sum = latencies.reduce((a, b) => a + b, 0);

  return {
    mode,
    rows,
    ingestSeconds,
    rowsPerSecond: ingestSeconds ? rows / ingestSeconds : null,
    k,
    metric,
    exact,
    repeats,
    searchQueries: latencies.length,
    searchSecondsMedian: quantile(latencies, 0.5),
    searchSecondsP95: quantile(latencies, 0.95),
    searchSecondsMean: latencies.length ? sum / latencies.length : 0,
    searchSecondsTotal: total,
    queriesPerSecond: total > 0 ? latencies.length / total : 0,
    firstQueryDistances,
  };
});
