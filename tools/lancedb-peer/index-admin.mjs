// index-admin.mjs: LanceDB's index management (listIndices, indexStats, dropIndex, optimize), for the two-way tests.
//   {op:"create"|"append", db, table, rows, dim, seed?, firstId?}   -> {rows}
//       an id int64 / label utf8 ('l' + id % 9) / vector fixed_size_list<float32>[dim] table of clustered vectors
//   {op:"index", db, table, column, kind:"btree"|"bitmap"|"labelList"|"fts"|"ivf_pq", metric?, partitions?, subVectors?, replace?, name?}
//       -> {indices}   (replace=false on a taken name -> {error})
//   {op:"describe", db, table}   -> {indices:[{name, indexType, columns, stats:{numIndexedRows, numUnindexedRows, indexType, distanceType, numIndices}}]}
//   {op:"drop", db, table, name} -> {indices} or {error}
//   {op:"optimize", db, table}   -> {indices}   (LanceDB's optimize: compaction, cleanup and index update)
//   {op:"delete", db, table, where} -> {rows}
//   {op:"query", db, table, filters:[sql...]} -> {results:[{filter, ids (sorted)}]}
import * as lancedb from '@lancedb/lancedb';
import { connect, main, openTable, required, arrow as A } from './lib/common.mjs';

function generator(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function rowsTable(rows, dim, seed, firstId) {
  const next = generator(seed);
  const centers = Array.from({ length: 16 }, () => Float32Array.from({ length: dim }, () => next() * 2 - 1));
  const flat = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const c = centers[Math.floor(next() * centers.length)];
    for (let d = 0; d < dim; d++) flat[r * dim + d] = c[d] + (next() - 0.5) * 0.6;
  }
  const fields = [
    new A.Field('id', new A.Int64(), false),
    new A.Field('label', new A.Utf8(), true),
    new A.Field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true)), true),
  ];
  const ids = BigInt64Array.from({ length: rows }, (_, k) => BigInt(firstId + k));
  const labels = A.vectorFromArray(Array.from({ length: rows }, (_, k) => 'l' + ((firstId + k) % 9)), new A.Utf8());
  const child = A.makeData({ type: new A.Float32(), length: rows * dim, data: flat });
  const vectors = A.makeData({ type: fields[2].type, length: rows, nullCount: 0, child });
  const data = A.makeData({
    type: new A.Struct(fields), length: rows, nullCount: 0,
    children: [A.makeData({ type: new A.Int64(), length: rows, data: ids }), labels.data[0], vectors],
  });
  return new A.Table(new A.Schema(fields), new A.RecordBatch(new A.Schema(fields), data));
}

function indexConfig(args) {
  switch (args.kind) {
    case 'btree': return lancedb.Index.btree();
    case 'bitmap': return lancedb.Index.bitmap();
    case 'labelList': return lancedb.Index.labelList();
    case 'fts': return lancedb.Index.fts();
    case 'ivf_pq': {
      const options = { distanceType: args.metric ?? 'l2' };
      if (args.partitions) options.numPartitions = args.partitions;
      if (args.subVectors) options.numSubVectors = args.subVectors;
      return lancedb.Index.ivfPq(options);
    }
    default: throw new Error(`unknown index kind '${args.kind}'`);
  }
}

async function describe(table) {
  const out = [];
  for (const i of await table.listIndices()) {
    const s = await table.indexStats(i.name);
    out.push({
      name: i.name, indexType: i.indexType, columns: i.columns,
      stats: { numIndexedRows: s.numIndexedRows, numUnindexedRows: s.numUnindexedRows, indexType: s.indexType, distanceType: s.distanceType ?? null, numIndices: s.numIndices ?? null },
    });
  }
  return out;
}

main(async (args) => {
  const op = required(args, 'op', 'string');
  if (op === 'create' || op === 'append') {
    const conn = await connect(required(args, 'db', 'string'));
    const data = rowsTable(required(args, 'rows', 'number'), required(args, 'dim', 'number'), args.seed ?? 7, args.firstId ?? 0);
    if (op === 'create') await conn.createTable(required(args, 'table', 'string'), data, { mode: 'overwrite' });
    else await (await conn.openTable(required(args, 'table', 'string'))).add(data);
    return { rows: data.numRows };
  }
  const table = await openTable(args);
  if (op === 'index') {
    try {
      await table.createIndex(required(args, 'column', 'string'), { config: indexConfig(args), replace: args.replace ?? true, name: args.name ?? undefined });
    } catch (err) {
      return { error: String(err?.message ?? err) };
    }
    return { indices: await describe(table) };
  }
  if (op === 'describe') return { indices: await describe(table) };
  if (op === 'drop') {
    try {
      await table.dropIndex(required(args, 'name', 'string'));
    } catch (err) {
      return { error: String(err?.message ?? err) };
    }
    return { indices: await describe(table) };
  }
  if (op === 'optimize') {
    await table.optimize();
    return { indices: await describe(table) };
  }
  if (op === 'delete') {
    await table.delete(required(args, 'where', 'string'));
    return { rows: await table.countRows() };
  }
  if (op === 'query') {
    const results = [];
    for (const filter of required(args, 'filters', 'array')) {
      const rows = await table.query().where(filter).select(['id']).toArray();
      results.push({ filter, ids: rows.map((row) => Number(row.id)).sort((a, b) => a - b) });
    }
    return { results };
  }
  throw new Error(`unknown op '${op}'`);
});
