// make-nested.mjs {db, table, storageVersion, rows?: 2500, scanOnly?: bool}
//   -> {table, storageVersion, version, countRows, schema, rows}
// A table LanceDB writes (two appends, so two fragments; in the legacy format several batches per
// file) with every nesting of lists and structs: lists of structs (with null and empty lists, null
// structs, and lists inside), structs of lists, lists of lists, then a large list and a large string
// column LanceDB adds, and LanceDB's own scan of it (rows rendered as scan.mjs renders them; the large
// list cast to a list, which apache-arrow reads). Row i's values depend on i alone. With `scanOnly`,
// the table is not made: only scanned the same way (e.g. after our own append to it).
import { main, connect, required, arrow as A, fieldsJson, rowsJson } from './lib/common.mjs';

const f = (name, type, nullable = true) => new A.Field(name, type, nullable);
const list = (type) => new A.List(f('item', type));
const struct = (...fields) => new A.Struct(fields);

/** The columns: name, Arrow type, value of row i (null for nulls). */
const columns = [
  ['id', new A.Int64(), (i) => BigInt(i)],
  ['l_st', list(struct(f('x', new A.Int32()), f('y', new A.Utf8()))),
    (i) => (i % 7 === 3 ? null : Array.from({ length: i % 4 }, (_, j) => (j === 2 && i % 5 === 0 ? null : { x: i * 10 + j, y: j === 1 ? null : `y${i}.${j}` })))],
  ['l_st_l', list(struct(f('a', new A.Int32()), f('tags', list(new A.Utf8())))),
    (i) => (i % 9 === 4 ? null : Array.from({ length: i % 3 }, (_, j) => ({ a: i + j, tags: j === 1 && i % 2 ? null : Array.from({ length: (i + j) % 3 }, (_, k) => `t${i}.${j}.${k}`) })))],
  ['st_l', struct(f('name', new A.Utf8()), f('nums', list(new A.Int64()))),
    (i) => (i % 8 === 5 ? null : { name: i % 6 === 0 ? null : `n${i}`, nums: i % 4 === 1 ? null : Array.from({ length: i % 5 }, (_, k) => BigInt(i * 100 + k)) })],
  ['l_l', list(list(new A.Int32())),
    (i) => (i % 10 === 7 ? null : Array.from({ length: i % 3 }, (_, j) => (j === 1 && i % 4 === 0 ? null : Array.from({ length: (i + j) % 4 }, (_, k) => i + j + k))))],
  ['st_st_l', struct(f('inner', struct(f('l', list(new A.Utf8())), f('k', new A.Int32())))),
    (i) => (i % 13 === 1 ? null : { inner: i % 3 === 2 ? null : { l: Array.from({ length: i % 3 }, (_, k) => `w${i}.${k}`), k: i } })],
  ['l_st_all', list(struct(f('b', new A.Bool()), f('i8', new A.Int8()), f('u16', new A.Uint16()), f('h', new A.Float16()), f('d', new A.DateDay()),
    f('ts', new A.TimestampMicrosecond('UTC')), f('bin', new A.Binary()), f('fsb', new A.FixedSizeBinary(3)),
    f('v', new A.FixedSizeList(2, f('item', new A.Float32()))))),
    (i) => (i % 7 === 2 ? null : Array.from({ length: (i * 3) % 4 }, (_, j) => ({
      b: (i + j) % 3 === 0, i8: ((i + j) % 200) - 100, u16: (i * 31 + j) % 65536, h: ((i + j) % 64) / 4, d: new Date((18000 + i + j) * 86400000),
      ts: 1700000000000 + i * 7 + j, bin: Uint8Array.from({ length: (i + j) % 4 }, (_, k) => (i + k) % 256), fsb: Uint8Array.from([i % 256, j, 7]),
      v: [Math.fround(i / 3), Math.fround(j / 7)],
    })))],
  ['l_b', list(new A.Bool()), (i) => (i % 5 === 4 ? null : Array.from({ length: i % 4 }, (_, j) => (j === 2 ? null : (i + j) % 2 === 0)))],
  ['st_bh', struct(f('b', new A.Bool()), f('h', new A.Float16())),
    (i) => (i % 9 === 8 ? null : { b: i % 4 === 0 ? null : i % 3 === 0, h: (i % 40) / 8 })],
  ['l_st_st', list(struct(f('s', struct(f('a', new A.Int32()))))),
    (i) => (i % 6 === 1 ? null : Array.from({ length: i % 3 }, (_, j) => ({ s: (i + j) % 4 === 0 ? null : { a: i - j } })))],
  // Null or empty in every row of the first 1,100 (whole legacy batches), long lists after.
  ['l_st_sparse', list(struct(f('x', new A.Int64()), f('y', new A.Utf8()))),
    (i) => (i < 1100 ? (i % 2 ? null : []) : Array.from({ length: i % 40 }, (_, j) => ({ x: BigInt(i * 1000 + j), y: `${j}` })))],
];

function table(start, n) {
  const fields = columns.map(([name, type]) => f(name, type, name !== 'id'));
  const children = columns.map(([, type, gen]) => A.vectorFromArray(Array.from({ length: n }, (_, k) => gen(start + k)), type).data[0]);
  const schema = new A.Schema(fields);
  return new A.Table([new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children }))]);
}

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  const storageVersion = required(args, 'storageVersion', 'string');
  const n = args.rows ?? 2500;
  const half = Math.floor(n / 2);
  let tb;
  if (args.scanOnly) {
    tb = await conn.openTable(name);
  } else {
    tb = await conn.createTable(name, table(0, half), { mode: 'overwrite', storageOptions: { new_table_data_storage_version: storageVersion } });
    await tb.add(table(half, n - half));
    // Large lists and large strings: apache-arrow (JS) has no large list, so LanceDB makes the column
    // from SQL, and its scan casts it to a list for us (the values are what is compared).
    await tb.addColumns([
      { name: 'll_i', valueSql: "arrow_cast(make_array(id, id * 2, id % 7), 'LargeList(Int64)')" },
      { name: 'ls', valueSql: "arrow_cast(concat('large-', id), 'LargeUtf8')" },
    ]);
  }
  const select = Object.fromEntries(columns.map(([c]) => [c, c]));
  select.ll_i = "arrow_cast(ll_i, 'List(Int64)')";
  select.ls = 'ls';
  const result = await tb.query().select(select).toArrow();
  return {
    table: name,
    storageVersion,
    version: await tb.version(),
    countRows: await tb.countRows(),
    schema: fieldsJson(result.schema),
    rows: rowsJson(result),
  };
});
