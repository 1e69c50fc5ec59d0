// vector-index.mjs: LanceDB's vector indexes, for the two-way index tests.
//   {op:"create", db, table, rows, dim, seed?, clusters?}                      -> {rows}
//       writes an id/vector table of clustered float32 vectors (deterministic)
//   {op:"index", db, table, kind:"ivf_pq"|"ivf_flat"|"ivf_sq"|"ivf_hnsw_sq", column?, metric?,
//       partitions?, subVectors?, replace?}                                      -> {indices:[{name, type, columns}], seconds}
//   {op:"search", db, table, queries:[[...]], k, column?, metric?, nprobes?, refine?, ef?, exact?}
//                                                                               -> {ids:[[...]], distances:[[...]]}
//   {op:"explain", db, table, vector:[...], column?, metric?, nprobes?}          -> {plan}
//   {op:"stats", db, table, name}                                               -> {stats}
import * as lancedb from '@lancedb/lancedb';
import { connect, main, openTable, required, arrow as A } from './lib/common.mjs';

function generator(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function vectorTable(rows, dim, seed, clusters, firstId) {
  const next = generator(seed);
  const centers = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => next() * 2 - 1));
  const flat = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = centers[Math.floor(next() * clusters)];
    for (let d = 0; d < dim; d++) flat[r * dim + d] = c[d] + (next() - 0.5) * 0.6;
  }
  const fields = [
    new A.Field('id', new A.Int64(), false),
    new A.Field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true)), true),
  ];
  const ids = BigInt64Array.from({ length: rows }, (_, k) => BigInt(firstId + k));
  const child = A.makeData({ type: new A.Float32(), length: rows * dim, data: flat });
  const vectors = A.makeData({ type: fields[1].type, length: rows, nullCount: 0, child });
  const data = A.makeData({
    type: new A.Struct(fields), length: rows, nullCount: 0,
    children: [A.makeData({ type: new A.Int64(), length: rows, data: ids }), vectors],
  });
  return new A.Table(new A.Schema(fields), new A.RecordBatch(new A.Schema(fields), data));
}

function indexConfig(args) {
  const options = { distanceType: args.metric ?? 'l2' };
  if (args.partitions) options.numPartitions = args.partitions;
  if (args.subVectors) options.numSubVectors = args.subVectors;
  switch (args.kind) {
    case 'ivf_pq': return lancedb.Index.ivfPq(options);
    case 'ivf_flat': return lancedb.Index.ivfFlat(options);
    case 'ivf_sq': return lancedb.Index.ivfSq ? lancedb.Index.ivfSq(options) : (() => { throw new Error('this LanceDB has no ivfSq'); })();
    case 'ivf_hnsw_sq': return lancedb.Index.hnswSq(options);
    default: throw new Error(`unknown index kind '${args.kind}'`);
  }
}

function searchQuery(table, vector, args) {
  // A hamming search takes the uint8 query as plain numbers; the float metrics take float32.
  let query = table.vectorSearch(args.metric === 'hamming' ? vector : Float32Array.from(vector)).column(args.column ?? 'vector').distanceType(args.metric ?? 'l2');
  if (args.nprobes) query = query.nprobes(args.nprobes);
  if (args.refine) query = query.refineFactor(args.refine);
  if (args.ef) query = query.ef(args.ef);
  if (args.exact) query = query.bypassVectorIndex();
  return query.select(['id', '_distance']).limit(args.k ?? 10);
}

main(async (args) => {
  const op = required(args, 'op', 'string');
  if (op === 'create' || op === 'append') {
    const conn = await connect(required(args, 'db', 'string'));
    const data = vectorTable(required(args, 'rows', 'number'), required(args, 'dim', 'number'), args.seed ?? 7, args.clusters ?? 16, args.firstId ?? 0);
    if (op === 'create') await conn.createTable(required(args, 'table', 'string'), data, { mode: 'overwrite' });
    else await (await conn.openTable(required(args, 'table', 'string'))).add(data);
    return { rows: data.numRows };
  }
  const table = await openTable(args);
  if (op === 'index') {
    const start = process.hrtime.bigint();
    await table.createIndex(args.column ?? 'vector', { config: indexConfig(args), replace: args.replace ?? true });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const indices = (await table.listIndices()).map((i) => ({ name: i.name, type: i.indexType, columns: i.columns }));
    return { indices, seconds };
  }
  if (op === 'search') {
    const ids = [];
    const distances = [];
    for (const vector of required(args, 'queries', 'array')) {
      const rows = (await searchQuery(table, vector, args).toArray());
      ids.push(rows.map((r) => Number(r.id)));
      distances.push(rows.map((r) => r._distance));
    }
    return { ids, distances };
  }
  if (op === 'explain') {
    return { plan: await searchQuery(table, required(args, 'vector', 'array'), args).explainPlan(true) };
  }
  if (op === 'stats') {
    return { stats: await table.indexStats(required(args, 'name', 'string')) };
  }
  if (op === 'delete') {
    await table.delete(required(args, 'where', 'string'));
    return { rows: await table.countRows() };
  }
  if (op === 'optimize') {
    await table.optimize();
    return { rows: await table.countRows() };
  }
  throw new Error(`unknown op '${op}'`);
});
