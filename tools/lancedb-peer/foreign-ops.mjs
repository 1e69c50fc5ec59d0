// foreign-ops.mjs {db, table, create?: {rows, dim, storageVersion?, v1Names?}, add?: {start, rows, dim},
//                  delete?: "SQL", readd?: "SQL", addColumns?: [{name, valueSql}], index?: {numPartitions, numSubVectors}}
//   -> {version, countRows, dataFormat, indices:[name]}
// LanceDB's side of the round trips with foreign datasets: creates, appends to, deletes from, adds
// computed columns to and indexes an id/text/vector table, in that order for whatever is given;
// `readd` appends again the rows a filter selects (works on a table of any schema).
// Rows are deterministic (row i has id i, text "<word> i" or null every 10th, a vector from a fixed
// generator).
import * as lancedb from '@lancedb/lancedb';
import { main, connect, required, arrow as A } from './lib/common.mjs';

const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];

function rows(start, n, dim) {
  let seed = (start * 2654435761 + 12345) >>> 0;
  const next = () => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return Math.fround(seed / 4294967296 * 2 - 1);
  };
  const schema = new A.Schema([
    new A.Field('id', new A.Int64(), false),
    new A.Field('text', new A.Utf8(), true),
    new A.Field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true)), true),
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
    table = await conn.createTable(name, rows(0, c.rows, c.dim), { mode: 'overwrite', storageOptions });
  } else {
    table = await conn.openTable(name);
  }
  if (args.add) await table.add(rows(args.add.start, args.add.rows, args.add.dim));
  if (args.delete) await table.delete(args.delete);
  if (args.readd) await table.add(await table.query().where(args.readd).toArrow());
  if (args.addColumns) await table.addColumns(args.addColumns);
  if (args.index) {
    await table.createIndex('vector', {
      config: lancedb.Index.ivfPq({ numPartitions: args.index.numPartitions, numSubVectors: args.index.numSubVectors }),
      replace: true,
    });
  }
  const indices = (await table.listIndices()).map((i) => i.name);
  return { version: await table.version(), countRows: await table.countRows(), indices };
});
