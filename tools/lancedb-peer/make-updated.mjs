// make-updated.mjs {db, table, storageVersion, rows?: 600, stableRowIds?: bool}
//   -> {table, storageVersion, versions: [{version, op, countRows, schema, rows}]}
// A table LanceDB creates in one storage version and then changes the way users do: an append,
// `update` with values and with SQL (booleans, numbers, strings, lists, structs, vectors; one value
// or null for all rewritten rows), deletes, an upsert (`mergeInsert`), `addColumns`, `dropColumns`
// (top-level and nested fields), renames, and updates after each. After
// each step the table's version, the operation and LanceDB's own scan of that version (rows
// rendered as scan.mjs renders them) are recorded, so every version can be compared value by value.
// The rows are deterministic: row i's values depend on i alone (see columns), nulls included.
import { main, connect, required, arrow as A, fieldsJson, rowsJson } from './lib/common.mjs';

const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
const day = 86400000;

/** The columns: name, Arrow type, nullable, value of row i (null for nulls). */
function columns() {
  const c = (name, type, gen, nullable = true) => ({ name, type, gen, nullable });
  const nul = (i, every) => i % every === 3;
  const fsl = (dim) => new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true));
  return [
    c('id', new A.Int64(), (i) => BigInt(i), false),
    c('i32', new A.Int32(), (i) => (nul(i, 7) ? null : i * 3 - 500)),
    c('i32_nn', new A.Int32(), (i) => i % 100, false),
    c('i64', new A.Int64(), (i) => (nul(i, 9) ? null : BigInt(i) * 1000003n)),
    c('u8', new A.Uint8(), (i) => (nul(i, 7) ? null : i % 256)),
    c('f32', new A.Float32(), (i) => (nul(i, 7) ? null : Math.fround(i / 3))),
    c('f64', new A.Float64(), (i) => (nul(i, 5) ? null : i * 0.25 - 10)),
    c('b', new A.Bool(), (i) => (nul(i, 7) ? null : i % 3 === 0)),
    c('b_nn', new A.Bool(), (i) => i % 2 === 0, false),
    c('s', new A.Utf8(), (i) => (nul(i, 7) ? null : `${words[i % 10]}-${i}`)),
    c('s_low', new A.Utf8(), (i) => (nul(i, 8) ? null : words[i % 3])),
    c('s_long', new A.Utf8(), (i) => (nul(i, 7) ? null : `${words[i % 10]} `.repeat(20 + (i % 30)) + i)),
    c('d32', new A.DateDay(), (i) => (nul(i, 7) ? null : new Date((18000 + i) * day))),
    c('ts', new A.TimestampMicrosecond('UTC'), (i) => (nul(i, 7) ? null : 1700000000000 + i * 1001)),
    c('l_i32', new A.List(new A.Field('item', new A.Int32(), true)), (i) =>
      nul(i, 7) ? null : Array.from({ length: i % 4 }, (_, j) => (j === 1 && i % 5 === 0 ? null : i + j))),
    c('l_s', new A.List(new A.Field('item', new A.Utf8(), true)), (i) =>
      nul(i, 6) ? null : Array.from({ length: i % 3 }, (_, j) => `${words[j]}${i}`)),
    c('st', new A.Struct([new A.Field('a', new A.Int32(), true), new A.Field('b', new A.Utf8(), true),
      new A.Field('f', new A.Bool(), true)]),
    (i) => (nul(i, 7) ? null : { a: i, b: i % 5 === 0 ? null : `b${i}`, f: i % 4 === 0 })),
    c('l_st', new A.List(new A.Field('item', new A.Struct([new A.Field('x', new A.Int32(), true), new A.Field('y', new A.Utf8(), true)]), true)),
      (i) => (nul(i, 7) ? null : Array.from({ length: i % 3 }, (_, j) => ({ x: i * 10 + j, y: `y${j}` })))),
    c('v', fsl(8), (i) => Array.from({ length: 8 }, (_, j) => Math.fround((i + j) / 7))),
    c('v_big', fsl(96), (i) => Array.from({ length: 96 }, (_, j) => Math.fround(((i * 31 + j) % 97) / 13))),
  ];
}

function vector(col, values) {
  if (col.type.typeId === A.Type.FixedSizeList) {
    const dim = col.type.listSize;
    const child = A.vectorFromArray(values.flatMap((v) => v ?? new Array(dim).fill(0)), col.type.children[0].type).data[0];
    return A.makeData({ type: col.type, length: values.length, nullCount: 0, child });
  }
  return A.vectorFromArray(values, col.type).data[0];
}

/** An Arrow table of the rows with the given ids; `shift` changes every value (an upsert's new values). */
function rowsOf(cols, ids, shift = 0) {
  const fields = cols.map((col) => new A.Field(col.name, col.type, col.nullable));
  const children = cols.map((col) => vector(col, ids.map((i) => (col.name === 'id' ? BigInt(i) : col.gen(i + shift)))));
  const schema = new A.Schema(fields);
  const data = A.makeData({ type: new A.Struct(fields), length: ids.length, nullCount: 0, children });
  return new A.Table([new A.RecordBatch(schema, data)]);
}

const range = (start, n) => Array.from({ length: n }, (_, k) => start + k);

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  const storageVersion = required(args, 'storageVersion', 'string');
  const n = args.rows ?? 600;
  const cols = columns();
  const storageOptions = { new_table_data_storage_version: storageVersion };
  if (args.stableRowIds) storageOptions.new_table_enable_stable_row_ids = 'true';
  const half = Math.floor(n / 2);

  const versions = [];
  let table;
  const record = async (op) => {
    const result = await table.query().toArrow();
    versions.push({
      version: await table.version(),
      op,
      countRows: await table.countRows(),
      schema: fieldsJson(await table.schema()),
      rows: rowsJson(result),
    });
  };

  table = await conn.createTable(name, rowsOf(cols, range(0, half)), { mode: 'overwrite', storageOptions });
  await record('create');
  await table.add(rowsOf(cols, range(half, n - half)));
  await record('add');
  await table.update({ where: 'id % 5 = 0', values: { i32: 7, b: true, b_nn: false, s: 'updated', f64: 1.5, u8: 200 } });
  await record('update values (every 5th row)');
  await table.update({ where: 'id % 7 = 1', valuesSql: { i64: 'i64 + 1', b: 'NOT b', b_nn: 'NOT b_nn', s: "concat(s, '!')", i32_nn: 'i32_nn * 2' } });
  await record('update valuesSql (every 7th row)');
  await table.update({ where: 'id < 40', values: { l_i32: [1, 2, 3], v: [1, 2, 3, 4, 5, 6, 7, 8], d32: new Date(19000 * day) } });
  await record('update list, vector, date values (first 40 rows)');
  await table.update({ where: 'id % 9 = 4', valuesSql: { st: "named_struct('a', -1, 'b', 'new', 'f', true)" } });
  await record('update struct (every 9th row)');
  // One value or null per column in the rewritten rows: constant pages with definition levels.
  await table.update({
    where: 'id % 6 = 1',
    valuesSql: {
      // Rows id % 6 = 1 have id % 4 of 1 or 3: null for 1, the value for 3 (the SQL has no CASE).
      i64: 'nullif(5, id % 4 + 4)',
      s: "nullif('same', substr('samex', 1, 3 + id % 4))",
      b: 'nullif(true, id % 4 = 1)',
      st: "named_struct('a', nullif(9, id % 4 + 8), 'b', 'nine', 'f', false)",
      l_s: "make_array(nullif('k', substr('kx', 1, id % 4)), 'k')",
    },
  });
  await record('update to one value or null (every 6th row)');
  await table.delete('id % 11 = 2');
  await record('delete (every 11th row)');
  await table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll()
    .execute(rowsOf(cols, range(n - 50, 100), 1000));
  await record('mergeInsert (50 matched, 50 new)');
  await table.addColumns([{ name: 'extra', valueSql: 'id * 2' }, { name: 'flag', valueSql: 'id % 2 = 1' }]);
  await record('addColumns');
  await table.update({ where: 'id % 3 = 0', valuesSql: { extra: 'extra + 1', flag: 'NOT flag' } });
  await record('update added columns (every 3rd row)');
  await table.dropColumns(['f32', 'l_s']);
  await record('dropColumns');
  await table.update({ where: 'id % 4 = 2', values: { b: false, b_nn: true, s_long: 'short now', ts: new Date(1800000000000) } });
  await record('update after drop (every 4th row)');
  await table.update({ where: 'id % 13 = 0', valuesSql: { i32: 'NULL', b: 'NULL', s: 'NULL' } });
  await record('update to null (every 13th row)');
  await table.dropColumns(['st.f', 'l_st.item.y']);
  await record('drop nested fields');
  await table.alterColumns([{ path: 'st.a', rename: 'aa' }, { path: 's_low', rename: 'word' }]);
  await record('rename columns');
  await table.update({ where: 'id % 5 = 3', valuesSql: { i32: 'i32 + 1', word: "concat(word, '?')" } });
  await record('update after renames (every 5th row)');
  return { table: name, storageVersion, versions };
});
