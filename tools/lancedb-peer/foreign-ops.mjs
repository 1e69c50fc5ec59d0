// foreign-ops.mjs {db, table, create?: {rows, dim, storageVersion?, v1Names?}, add?: {start, rows, dim},
//                  delete?: "SQL", readd?: "SQL", addColumns?: [{name, valueSql}],
//                  index?: {numPartitions, numSubVectors}, optimize?: bool, extra?: bool}
//   -> {version, countRows, indices:[name]}
// LanceDB's side of the round trips with foreign datasets: creates, appends to, deletes from,
// appends again (readd), adds computed columns to, indexes and compacts (optimize) an
// id/text/vector table, in that order for whatever is given. `readd` appends again the rows a
// filter selects, so it works on a table of any schema.
// Rows are deterministic (row i has id i, text "<word> i" or null every 10th, a vector from a fixed
// generator). With `extra`, created and added rows also have the columns n32 (int32), score
// (float64), flag (bool), day (date32), tags (list<utf8>) and meta (struct<a: int32, b: utf8>),
// each with nulls, whose values depend on the id alone (see extraValue).
import * as lancedb from '@lancedb/lancedb';
import { main, connect, required, arrow as A } from './lib/common.mjs';

const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];

const day = 86400000;

// The extra columns: [field, value of row id] (null for nulls).
const extraColumns = [
  [new A.Field('n32', new A.Int32(), true), (id) => (id % 7 === 3 ? null : id * 3 - 1000)],
  [new A.Field('score', new A.Float64(), true), (id) => (id % 5 === 1 ? null : id / 8)],
  [new A.Field('flag', new A.Bool(), true), (id) => (id % 11 === 4 ? null : id % 3 === 0)],
  [new A.Field('day', new A.DateDay(), true), (id) => (id % 9 === 2 ? null : new Date((19000 + (id % 1000)) * day))],
  [new A.Field('tags', new A.List(new A.Field('item', new A.Utf8(), true)), true),
    (id) => (id % 6 === 5 ? null : Array.from({ length: id % 3 }, (_, k) => `t${id}.${k}`))],
  [new A.Field('meta', new A.Struct([new A.Field('a', new A.Int32(), true), new A.Field('b', new A.Utf8(), true)]), true),
    (id) => (id % 8 === 7 ? null : { a: id % 100, b: `m${id}` })],
];

function rows(start, n, dim, extra = false) {
  let seed = (start * 2654435761 + 12345) >>> 0;
  const next = () => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return Math.fround(seed / 4294967296 * 2 - 1);
  };
  const schema = new A.Schema([
    new A.Field('id', new A.Int64(), false),
    new A.Field('text', new A.Utf8(), true),
    new A.Field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true)), true),
    ...(extra ? extraColumns.map(([field]) => field) : []),
  ]);
  const ids = BigInt64Array.from({ length: n }, (_, k) => BigInt(start + k));
  const texts = Array.from({ length: n }, (_, k) => ((start + k) % 10 === 9 ? null : `${words[(start + k) % 10]} ${start + k}`));
  const child = A.makeData({ type: new A.Float32(), length: n * dim, data: Float32Array.from({ length: n * dim }, next) });
  const data = A.makeData({
    type: new A.Struct(schema.fields),
    length: n,
    nullCount: 0,
    children: [
      A.vectorFromArray(ids, new A.Int64()).data[0],
      A.vectorFromArray(texts, new A.Utf8()).data[0],
      A.makeData({ type: schema.fields[2].type, length: n, nullCount: 0, child }),
      ...(extra
        ? extraColumns.map(([field, value]) => A.vectorFromArray(Array.from({ length: n }, (_, k) => value(start + k)), field.type).data[0])
        : []),
    ],
  });
  return new A.Table([new A.RecordBatch(schema, data)]);
}

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  let table;
  if (args.create) {
    const c = args.create;
    const storageOptions = {};
    if (c.storageVersion) storageOptions.new_table_data_storage_version = c.storageVersion;
    if (c.v1Names) storageOptions.new_table_enable_v2_manifest_paths = 'false';
    table = await conn.createTable(name, rows(0, c.rows, c.dim, args.extra), { mode: 'overwrite', storageOptions });
  } else {
    table = await conn.openTable(name);
  }
  if (args.add) await table.add(rows(args.add.start, args.add.rows, args.add.dim, args.extra));
  if (args.delete) await table.delete(args.delete);
  if (args.readd) await table.add(await table.query().where(args.readd).toArrow());
  if (args.addColumns) await table.addColumns(args.addColumns);
  if (args.index) {
    await table.createIndex('vector', {
      config: lancedb.Index.ivfPq({ numPartitions: args.index.numPartitions, numSubVectors: args.index.numSubVectors }),
      replace: true,
    });
  }
  if (args.optimize) await table.optimize();
  const indices = (await table.listIndices()).map((i) => i.name);
  return { version: await table.version(), countRows: await table.countRows(), indices };
});
