// make-bench-data.mjs {db, table?, rows?, dim?, batch?, storageVersion?, single?} -> {db, table, rows, dim, version, seconds}
// Writes a large id/text/vector table with LanceDB's default settings (what a Python or Node
// pipeline would have written), for the foreign-dataset benchmarks. Deterministic values.
// storageVersion ("2.0", "2.1", "2.2", "legacy") overrides LanceDB's default file format.
// single: true passes every batch to ONE createTable call (one fragment, one data file of all the
// rows, its column pages interleaved as LanceDB's writer flushes them); otherwise the first batch
// creates the table and each further batch is an add (a fragment per batch).
import { connect, main, required, arrow as A } from './lib/common.mjs';

main(async (args) => {
  const db = required(args, 'db', 'string');
  const name = args.table ?? 'big';
  const rows = args.rows ?? 1_000_000;
  const dim = args.dim ?? 384;
  const batch = args.batch ?? 50_000;
  const conn = await connect(db);
  const schema = new A.Schema([
    new A.Field('id', new A.Int64(), false),
    new A.Field('text', new A.Utf8(), true),
    new A.Field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true)), true),
  ]);
  let seed = 12345 >>> 0;
  const next = () => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed / 4294967296 * 2 - 1;
  };
  const start = process.hrtime.bigint();
  const storageOptions = args.storageVersion ? { new_table_data_storage_version: args.storageVersion } : undefined;
  const batches = [];
  let table;
  for (let first = 0; first < rows; first += batch) {
    const n = Math.min(batch, rows - first);
    const ids = BigInt64Array.from({ length: n }, (_, k) => BigInt(first + k));
    const texts = Array.from({ length: n }, (_, k) => `row ${first + k}`);
    const flat = Float32Array.from({ length: n * dim }, next);
    const child = A.makeData({ type: new A.Float32(), length: n * dim, data: flat });
    const vectors = A.makeData({ type: schema.fields[2].type, length: n, nullCount: 0, child });
    const data = A.makeData({
      type: new A.Struct(schema.fields),
      length: n,
      nullCount: 0,
      children: [A.vectorFromArray(ids, new A.Int64()).data[0], A.vectorFromArray(texts, new A.Utf8()).data[0], vectors],
    });
    if (args.single) {
      batches.push(new A.RecordBatch(schema, data));
      continue;
    }
    const t = new A.Table([new A.RecordBatch(schema, data)]);
    if (table === undefined) table = await conn.createTable(name, t, { mode: 'overwrite', storageOptions });
    else await table.add(t);
  }
  if (args.single) table = await conn.createTable(name, new A.Table(batches), { mode: 'overwrite', storageOptions });
  return { db, table: name, rows: await table.countRows(), dim, version: await table.version(), seconds: Number(process.hrtime.bigint() - start) / 1e9 };
});
