// scalar-index.mjs: LanceDB's side of the scalar index tests (BTREE, BITMAP, LABEL_LIST).
//   {op:"make", db, table, rows, seed?, indexes:[{column, kind:"btree"|"bitmap"|"labelList"}], append?, deleteWhere?}
//     -> {rows, version, indices:[{name, indexType, columns, indexUuid, typeUrl}]}
//     Writes a table of `rows` seeded random rows (id, age int32?, name utf8?, flag bool?, score double?,
//     day date32?, ts timestamp(us)?, tags list<utf8>?, vec fixed_size_list<float,4>), builds the indexes,
//     then appends `append` more rows (an unindexed fragment) and deletes `deleteWhere`.
//   {op:"index", db, table, indexes:[...]} -> {indices:[...]}   (builds indexes on an existing table)
//   {op:"append", db, table, rows, start, seed?, deleteWhere?} -> {rows, version}
//   {op:"query", db, table, filters:[sql...], explain?:bool, useIndex?:bool}
//     -> {results:[{filter, ids:[...] (sorted), plan?, error?}]}
//   {op:"search", db, table, vector, k, filter, column?} -> {ids:[...], plan}
//   {op:"stats", db, table} -> {indices:[{name, indexType, numIndexedRows, numUnindexedRows, sizeBytes}]}
import * as lancedb from '@lancedb/lancedb';
import { main, connect, required, arrow } from './lib/common.mjs';

const { Schema, Field, Int64, Int32, Utf8, Bool, Float64, Float32, DateDay, TimestampMicrosecond, List, FixedSizeList } = arrow;

function schema() {
  return new Schema([
    new Field('id', new Int64(), false),
    new Field('age', new Int32(), true),
    new Field('name', new Utf8(), true),
    new Field('flag', new Bool(), true),
    new Field('score', new Float64(), true),
    new Field('day', new DateDay(), true),
    new Field('ts', new TimestampMicrosecond(), true),
    new Field('tags', new List(new Field('item', new Utf8(), true)), true),
    new Field('vec', new FixedSizeList(4, new Field('item', new Float32(), true)), true),
  ]);
}

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function makeRows(n, start, seed) {
  const r = rng(seed);
  const rows = [];
  const day0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = start + i;
    const maybe = (p, v) => (r() < p ? null : v);
    const tagCount = Math.floor(r() * 4);
    const tags = [];
    for (let t = 0; t < tagCount; t++) tags.push('t' + Math.floor(r() * 8));
    rows.push({
      id,
      age: maybe(0.1, Math.floor(r() * 100) - 10),
      name: maybe(0.1, 'n' + Math.floor(r() * 12)),
      flag: maybe(0.1, r() < 0.3),
      score: maybe(0.1, Math.round(r() * 2000 - 1000) / 4),
      day: maybe(0.1, new Date(day0 + Math.floor(r() * 60) * 86400000)),
      ts: maybe(0.1, new Date(day0 + Math.floor(r() * 1000) * 3600000)),
      tags: r() < 0.1 ? null : tags,
      vec: [r(), r(), r(), r()],
    });
  }
  return rows;
}

async function build(table, indexes) {
  for (const { column, kind } of indexes) {
    const config = kind === 'bitmap' ? lancedb.Index.bitmap() : kind === 'labelList' ? lancedb.Index.labelList() : lancedb.Index.btree();
    await table.createIndex(column, { config, replace: true });
  }
}

async function indices(table) {
  return (await table.listIndices()).map((i) => ({ name: i.name, indexType: i.indexType, columns: i.columns, indexUuid: i.indexUuid, typeUrl: i.typeUrl }));
}

main(async (args) => {
  const op = required(args, 'op', 'string');
  const db = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  if (op === 'make') {
    const n = required(args, 'rows', 'number');
    const seed = args.seed ?? 1;
    const table = await db.createTable(name, makeRows(n, 0, seed), { schema: schema(), mode: 'overwrite' });
    await build(table, args.indexes ?? []);
    if (args.append) await table.add(makeRows(args.append, n, seed + 7));
    if (args.deleteWhere) await table.delete(args.deleteWhere);
    return { rows: await table.countRows(), version: await table.version(), indices: await indices(table) };
  }
  const table = await db.openTable(name);
  if (op === 'append') {
    await table.add(makeRows(required(args, 'rows', 'number'), required(args, 'start', 'number'), args.seed ?? 5));
    if (args.deleteWhere) await table.delete(args.deleteWhere);
    return { rows: await table.countRows(), version: await table.version() };
  }
  if (op === 'index') {
    await build(table, required(args, 'indexes', 'array'));
    return { indices: await indices(table) };
  }
  if (op === 'query') {
    const results = [];
    for (const filter of required(args, 'filters', 'array')) {
      try {
        let q = table.query().where(filter).select(['id']);
        const rows = await q.toArray();
        const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
        const result = { filter, ids };
        if (args.explain) result.plan = await table.query().where(filter).explainPlan(true);
        results.push(result);
      } catch (err) {
        results.push({ filter, error: String(err?.message ?? err) });
      }
    }
    return { results };
  }
  if (op === 'search') {
    const q = table.search(Float32Array.from(required(args, 'vector', 'array'))).column(args.column ?? 'vec')
      .where(required(args, 'filter', 'string')).select(['id']).limit(required(args, 'k', 'number'));
    const rows = await q.toArray();
    const plan = await table.search(Float32Array.from(args.vector)).column(args.column ?? 'vec').where(args.filter).limit(args.k).explainPlan(true);
    return { ids: rows.map((row) => Number(row.id)), plan };
  }
  if (op === 'stats') {
    const out = [];
    for (const i of await table.listIndices()) {
      const s = await table.indexStats(i.name);
      out.push({ name: i.name, indexType: i.indexType, numIndexedRows: s?.numIndexedRows, numUnindexedRows: s?.numUnindexedRows });
    }
    return { indices: out };
  }
  throw new Error(`unknown op "${op}"`);
});
