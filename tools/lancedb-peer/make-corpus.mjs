// make-corpus.mjs {out, rows?} -> {out, tables:[{name, ...}], refused:[{table, column, type, error}]}
// Writes a corpus of datasets with LanceDB itself (the files our engine must open): every column
// type of the engine's type matrix with nulls, in storage versions 2.0, 2.1 and 2.2 (and the legacy
// 0.1 format), V1 and V2 manifest names, deletions below and above 5,000 rows (Arrow and Roaring
// deletion files, in every storage version, legacy included), a compacted table and one with an
// IVF_PQ index. Next to each table it writes `<table>.expected.json`: what LanceDB's own scan
// returns, rendered as scan.mjs renders rows.
// A column type that apache-arrow or LanceDB refuses is reported in `refused`, never dropped silently.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { main, connect, required, arrow, fieldsJson, metadataJson, rowsJson } from './lib/common.mjs';

const A = arrow;

// A small deterministic generator, so the corpus is the same on every machine.
function rng(seed) {
  let s = BigInt(seed) | 1n;
  return () => {
    s ^= s << 13n; s &= 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= s << 17n; s &= 0xffffffffffffffffn;
    return Number(s >> 11n) / 2 ** 53;
  };
}

const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];

/** The columns of the type matrix: name, Arrow type, value of row i (null for nulls). */
function typeColumns(n) {
  const r = rng(42);
  const nul = (i, every) => i % every === 3;
  const f = (name, type, gen, nullable = true) => ({ name, type, gen, nullable });
  const day = 86400000;
  return [
    f('id', new A.Int64(), (i) => BigInt(i), false),
    f('i8', new A.Int8(), (i) => (nul(i, 7) ? null : (i % 200) - 100)),
    f('i16', new A.Int16(), (i) => (nul(i, 7) ? null : (i * 37) % 30000 - 15000)),
    f('i32', new A.Int32(), (i) => (nul(i, 7) ? null : i * 1000 - 7)),
    f('i32_runs', new A.Int32(), (i) => Math.floor(i / 500)), // long runs: Rle
    f('i32_const', new A.Int32(), () => 42), // one value: constant
    f('i64', new A.Int64(), (i) => (nul(i, 7) ? null : BigInt(i) * 1000003n - 5n)),
    f('i64_big', new A.Int64(), (i) => (nul(i, 11) ? null : BigInt(Math.floor(r() * 2 ** 52)) * 4096n - 2n ** 62n)),
    f('u8', new A.Uint8(), (i) => (nul(i, 7) ? null : i % 256)),
    f('u16', new A.Uint16(), (i) => (nul(i, 7) ? null : (i * 7) % 65536)),
    f('u32', new A.Uint32(), (i) => (nul(i, 7) ? null : (i * 2654435761) % 4294967296)),
    f('u64', new A.Uint64(), (i) => (nul(i, 7) ? null : BigInt(i) * 1000000007n)),
    f('f16', new A.Float16(), (i) => (nul(i, 7) ? null : (i % 100) / 4)),
    f('f32', new A.Float32(), (i) => (nul(i, 7) ? null : Math.fround(r() * 1000 - 500))),
    f('f64', new A.Float64(), (i) => (nul(i, 7) ? null : r() * 1e6 - 5e5)),
    f('b', new A.Bool(), (i) => (nul(i, 7) ? null : i % 3 === 0)),
    f('s', new A.Utf8(), (i) => (nul(i, 7) ? null : i % 13 === 0 ? '' : `${words[i % 10]}-${i}`)),
    f('s_low', new A.Utf8(), (i) => (nul(i, 9) ? null : words[i % 4])), // few distinct: dictionary
    f('s_long', new A.Utf8(), (i) => (nul(i, 7) ? null : `${words[i % 10]} `.repeat(20 + (i % 50)) + i)), // long text: full-zip
    f('ls', new A.LargeUtf8(), (i) => (nul(i, 7) ? null : `large-${i}`)),
    f('bin', new A.Binary(), (i) => (nul(i, 7) ? null : Uint8Array.from({ length: i % 9 }, (_, j) => (i + j) % 256))),
    f('lbin', new A.LargeBinary(), (i) => (nul(i, 7) ? null : Uint8Array.from({ length: i % 5 }, (_, j) => (i * j) % 256))),
    f('fsb', new A.FixedSizeBinary(4), (i) => (nul(i, 7) ? null : Uint8Array.from([i % 256, (i >> 8) % 256, 1, 2]))),
    f('d32', new A.DateDay(), (i) => (nul(i, 7) ? null : new Date((18000 + i) * day))),
    f('ts', new A.TimestampMicrosecond(), (i) => (nul(i, 7) ? null : 1700000000000 + i * 1001)),
    f('ts_tz', new A.TimestampMicrosecond('UTC'), (i) => (nul(i, 7) ? null : 1600000000000 + i * 999)),
    f('dec', new A.Decimal(2, 18, 128), (i) => (nul(i, 7) ? null : decimal128(BigInt(i) * 12345n - 1000000n))),
    f('l_i32', new A.List(new A.Field('item', new A.Int32(), true)), (i) =>
      nul(i, 7) ? null : Array.from({ length: i % 4 }, (_, j) => (j === 1 && i % 5 === 0 ? null : i + j))),
    f('l_s', new A.List(new A.Field('item', new A.Utf8(), true)), (i) =>
      nul(i, 7) ? null : Array.from({ length: i % 3 }, (_, j) => `${words[j]}${i}`)),
    f('l_struct', new A.List(new A.Field('item', new A.Struct([new A.Field('x', new A.Int32(), true), new A.Field('y', new A.Utf8(), true)]), true)),
      (i) => (nul(i, 7) ? null : Array.from({ length: i % 3 }, (_, j) => ({ x: i * 10 + j, y: `y${j}` })))),
    f('st', new A.Struct([
      new A.Field('a', new A.Int32(), true),
      new A.Field('inner', new A.Struct([new A.Field('b', new A.Utf8(), true), new A.Field('c', new A.Float64(), true)]), true),
    ]), (i) => (nul(i, 7) ? null : { a: i, inner: i % 5 === 0 ? null : { b: `b${i}`, c: i / 2 } })),
    f('v_f32', new A.FixedSizeList(8, new A.Field('item', new A.Float32(), true)), (i) =>
      nul(i, 17) ? null : Array.from({ length: 8 }, () => Math.fround(r() * 2 - 1))),
    f('v_big', new A.FixedSizeList(96, new A.Field('item', new A.Float32(), true)), (i) =>
      Array.from({ length: 96 }, () => Math.fround(r()))), // 384 bytes: full-zip
    f('v_f16', new A.FixedSizeList(8, new A.Field('item', new A.Float16(), true)), (i) =>
      nul(i, 17) ? null : Array.from({ length: 8 }, (_, j) => ((i + j) % 64) / 8)),
    f('v_u8', new A.FixedSizeList(16, new A.Field('item', new A.Uint8(), true)), (i) =>
      nul(i, 17) ? null : Array.from({ length: 16 }, (_, j) => (i * 3 + j) % 256)),
    f('dict_s', new A.Dictionary(new A.Utf8(), new A.Int32()), (i) => (nul(i, 7) ? null : words[i % 6])),
    // Dictionaries with every key width, and over large strings and binaries.
    ...[['i8', new A.Int8()], ['i16', new A.Int16()], ['i64', new A.Int64()], ['u8', new A.Uint8()], ['u16', new A.Uint16()],
      ['u32', new A.Uint32()], ['u64', new A.Uint64()]].map(([key, type]) =>
      f(`dict_${key}`, new A.Dictionary(new A.Utf8(), type), (i) => (nul(i, 7) ? null : words[(i * 5) % 6]))),
    f('dict_ls', new A.Dictionary(new A.LargeUtf8(), new A.Int32()), (i) => (nul(i, 8) ? null : words[i % 6])),
    f('dict_bin', new A.Dictionary(new A.Binary(), new A.Uint8()), (i) => (nul(i, 8) ? null : words[(i * 7) % 6])),
    // Every time unit (raw stored integers, so nanoseconds keep every digit), with and without a zone.
    f('ts_s', new A.TimestampSecond(), (i) => (nul(i, 7) ? null : BigInt(i * 86413 - 100000000))),
    f('ts_ms', new A.TimestampMillisecond(), (i) => (nul(i, 7) ? null : BigInt(i) * 3600001n + 1700000000123n - (i % 5 === 0 ? 2000000000000n : 0n))),
    f('ts_ns', new A.TimestampNanosecond(), (i) => (nul(i, 7) ? null : BigInt(i) * 1000000007n + 1700000000123456789n - (i % 5 === 0 ? 1800000000000000000n : 0n))),
    f('ts_ms_utc', new A.TimestampMillisecond('UTC'), (i) => (nul(i, 9) ? null : BigInt(i) * 999n + 1600000000000n)),
    f('ts_ns_ny', new A.TimestampNanosecond('America/New_York'), (i) => (nul(i, 9) ? null : BigInt(i) * 123456789n + 1650000000000000000n)),
    f('d64', new A.DateMillisecond(), (i) => (nul(i, 7) ? null : BigInt((i % 40000) - 10000) * BigInt(day))),
    f('t32_s', new A.TimeSecond(), (i) => (nul(i, 7) ? null : (i * 37) % 86400)),
    f('t32_ms', new A.TimeMillisecond(), (i) => (nul(i, 7) ? null : (i * 1237) % 86400000)),
    f('t64_us', new A.TimeMicrosecond(), (i) => (nul(i, 7) ? null : (BigInt(i) * 1000003n) % 86400000000n)),
    f('t64_ns', new A.TimeNanosecond(), (i) => (nul(i, 7) ? null : (BigInt(i) * 1000000007n) % 86400000000000n)),
    ...[['s', new A.DurationSecond()], ['ms', new A.DurationMillisecond()], ['us', new A.DurationMicrosecond()], ['ns', new A.DurationNanosecond()]].map(([unit, type]) =>
      f(`dur_${unit}`, type, (i) => (nul(i, 7) ? null : BigInt(i) * 1000003n - 1500000n))),
    f('dec256', new A.Decimal(4, 50, 256), (i) => (nul(i, 7) ? null : decimalWords(BigInt(i) * 10n ** 40n + 12345n - 10n ** 44n, 8))),
  ];
}

function decimal128(v) {
  return decimalWords(v, 4);
}

// A decimal's two's complement integer as little-endian 32-bit words (4 for 128 bits, 8 for 256).
function decimalWords(v, count) {
  const out = new Uint32Array(count);
  let x = BigInt.asUintN(32 * count, v);
  for (let k = 0; k < count; k++) { out[k] = Number(x & 0xffffffffn); x >>= 32n; }
  return out;
}

/** Builds one vector, or returns the error text when apache-arrow cannot. */
function buildVector(col, start, n) {
  const values = Array.from({ length: n }, (_, k) => col.gen(start + k));
  if (col.type.typeId === A.Type.FixedSizeList) return fixedSizeList(values, col.type);
  if (col.type.typeId === A.Type.Dictionary) return dictionary(values, col.type);
  if (values.some((v) => typeof v === 'bigint') || col.type.typeId === A.Type.Time
    || (col.type.typeId === A.Type.Decimal && col.type.bitWidth === 256)) return fixedWidth(values, col.type);
  return A.vectorFromArray(values, col.type);
}

// Values given as raw stored integers (or decimal words), laid out by hand: apache-arrow's builders
// take timestamps as milliseconds in a double, which loses nanoseconds.
function fixedWidth(values, type) {
  const stride = type.typeId === A.Type.Decimal ? type.bitWidth / 32 : 1;
  const data = new type.ArrayType(values.length * stride);
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null) { nulls++; return; }
    bitmap[i >> 3] |= 1 << (i & 7);
    if (stride > 1) data.set(v, i * stride);
    else data[i] = typeof data[0] === 'bigint' ? BigInt(v) : Number(v);
  });
  return A.makeVector(A.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls ? bitmap : null, data }));
}

// One fixed dictionary (the first six words) for every batch: LanceDB refuses an append whose
// dictionary differs from the table's.
function dictionary(values, type) {
  const binary = type.dictionary.typeId === A.Type.Binary || type.dictionary.typeId === A.Type.LargeBinary;
  const entries = words.slice(0, 6).map((w) => (binary ? new TextEncoder().encode(w) : w));
  const dict = A.vectorFromArray(entries, type.dictionary);
  const Keys = type.indices.ArrayType;
  const wide = type.indices.bitWidth === 64;
  const indices = Keys.from(values, (v) => { const k = v === null ? 0 : words.indexOf(v); return wide ? BigInt(k) : k; });
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => { if (v === null) nulls++; else bitmap[i >> 3] |= 1 << (i & 7); });
  return A.makeVector(A.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls ? bitmap : null, data: indices, dictionary: dict }));
}

// apache-arrow 18's builder leaves a null vector's items out of the child array (an invalid
// array); lay the items out by hand, zeros under null vectors.
function fixedSizeList(values, type) {
  const dim = type.listSize;
  const flat = values.flatMap((v) => v ?? new Array(dim).fill(0));
  const child = A.vectorFromArray(flat, type.children[0].type).data[0];
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => { if (v === null) nulls++; else bitmap[i >> 3] |= 1 << (i & 7); });
  return A.makeVector(A.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls ? bitmap : null, child }));
}

/** Builds an Arrow table of rows [start, start+n) of the given columns (one record batch). */
function buildTable(columns, start, n) {
  const fields = columns.map((col) => new A.Field(col.name, col.type, col.nullable));
  const children = columns.map((col) => buildVector(col, start, n).data[0]);
  const schema = new A.Schema(fields);
  const data = A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children });
  return new A.Table([new A.RecordBatch(schema, data)]);
}

async function describe(conn, dir, name, extra) {
  const table = await conn.openTable(name);
  const schema = await table.schema();
  const result = await table.query().toArrow();
  const expected = {
    table: name,
    ...extra,
    version: await table.version(),
    rowCount: result.numRows,
    countRows: await table.countRows(),
    schema: fieldsJson(schema),
    metadata: metadataJson(schema.metadata),
    rows: rowsJson(result),
  };
  writeFileSync(join(dir, `${name}.expected.json`), JSON.stringify(expected));
  return { table: name, ...extra, version: expected.version, rows: expected.rowCount };
}

function simpleTable(start, n, dim = 16, seed = 7) {
  const r = rng(seed + start);
  const ids = BigInt64Array.from({ length: n }, (_, k) => BigInt(start + k));
  const texts = Array.from({ length: n }, (_, k) => ((start + k) % 10 === 9 ? null : `${words[(start + k) % 10]} ${start + k}`));
  const vecs = Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.fround(r() * 2 - 1)));
  const schema = new A.Schema([
    new A.Field('id', new A.Int64(), false),
    new A.Field('text', new A.Utf8(), true),
    new A.Field('vector', new A.FixedSizeList(dim, new A.Field('item', new A.Float32(), true)), true),
  ]);
  return new A.Table(schema, {
    id: A.vectorFromArray(ids, new A.Int64()).data[0],
    text: A.vectorFromArray(texts, new A.Utf8()).data[0],
    vector: A.vectorFromArray(vecs, schema.fields[2].type).data[0],
  });
}

main(async (args) => {
  const out = required(args, 'out', 'string');
  const n = args.rows ?? 3000;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const conn = await connect(out);
  const tables = [];
  const refused = [];

  // Type matrix: one table per column (id + that column), so each type passes or fails on its own,
  // then one table with every column LanceDB accepted.
  const all = typeColumns(n);
  const half = Math.floor(n / 2);
  const storageVersions = ['2.0', '2.1', '2.2', 'legacy'];
  for (const sv of storageVersions) {
    const suffix = sv.replace('.', '_');
    const options = { mode: 'overwrite', storageOptions: { new_table_data_storage_version: sv } };
    const accepted = [all[0]];
    for (const col of all.slice(1)) {
      const name = `col_${suffix}_${col.name}`;
      try {
        // Two appends so the table has two fragments.
        const tb = await conn.createTable(name, buildTable([all[0], col], 0, half), options);
        await tb.add(buildTable([all[0], col], half, n - half));
        tables.push(await describe(conn, out, name, { kind: 'column', storageVersion: sv, column: col.name }));
        accepted.push(col);
      } catch (e) {
        refused.push({ storageVersion: sv, column: col.name, type: String(col.type), error: String(e?.message ?? e).split('\n')[0] });
      }
    }
    const name = `types_${suffix}`;
    const tb = await conn.createTable(name, buildTable(accepted, 0, half), options);
    await tb.add(buildTable(accepted, half, n - half));
    tables.push(await describe(conn, out, name, { kind: 'types', storageVersion: sv }));
  }

  // Deletions, manifests names, compaction, index: on the id/text/vector shape.
  for (const sv of ['2.0', '2.1', '2.2', 'legacy']) {
    const suffix = sv.replace('.', '_');
    const options = { mode: 'overwrite', storageOptions: { new_table_data_storage_version: sv } };
    let name = `del_small_${suffix}`;
    let tb = await conn.createTable(name, simpleTable(0, 2000), options);
    await tb.delete('id % 7 = 3 OR id < 5');
    tables.push(await describe(conn, out, name, { kind: 'deletions-arrow', storageVersion: sv }));

    name = `del_large_${suffix}`;
    tb = await conn.createTable(name, simpleTable(0, 12000), options);
    await tb.delete('id % 2 = 0 OR id > 11990');
    tables.push(await describe(conn, out, name, { kind: 'deletions-bitmap', storageVersion: sv }));
  }

  let name = 'v1_names';
  let tb = await conn.createTable(name, simpleTable(0, 500),
    { mode: 'overwrite', storageOptions: { new_table_enable_v2_manifest_paths: 'false' } });
  await tb.add(simpleTable(500, 300));
  await tb.delete('id % 11 = 0');
  tables.push(await describe(conn, out, name, { kind: 'v1-manifest-names', storageVersion: 'default' }));

  name = 'compacted';
  tb = await conn.createTable(name, simpleTable(0, 400), { mode: 'overwrite' });
  for (let k = 1; k < 6; k++) await tb.add(simpleTable(k * 400, 400));
  await tb.delete('id % 5 = 1');
  await tb.optimize();
  tables.push(await describe(conn, out, name, { kind: 'compacted', storageVersion: 'default' }));

  name = 'ivf_pq';
  tb = await conn.createTable(name, simpleTable(0, 3000, 32), { mode: 'overwrite' });
  await tb.createIndex('vector', { config: lancedb.Index.ivfPq({ numPartitions: 4, numSubVectors: 4 }) });
  await tb.add(simpleTable(3000, 200, 32));
  tables.push(await describe(conn, out, name, { kind: 'ivf-pq-index', storageVersion: 'default' }));

  writeFileSync(join(out, 'corpus.json'), JSON.stringify({ tables, refused }, null, 1));
  return { out, tables, refused };
});
