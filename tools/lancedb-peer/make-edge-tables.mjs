// make-edge-tables.mjs {out, storageVersions?: ["2.0", ...], groups?: ["vectors", "wide_vectors", "big", "lists"]}
//   -> {out, tables: [{table, group, storageVersion, version, rows}], refused: [{table, column, type, error}]}
// Writes, with LanceDB itself, the shapes whose encodings the type-matrix corpus (make-corpus.mjs)
// does not reach, one table per group and storage version (two fragments each):
//  - vectors: fixed-size lists of float16/32/64, int8 and uint8, narrow (mini-block) and wide
//    (full-zip), with null rows, with null items inside valid rows, and entirely null;
//  - big: strings and binaries (utf8, large_utf8, binary, large_binary) of tens of KiB and one over
//    1 MiB, mixed with small values and nulls in one page, and a page of only big values;
//  - lists: list pages that are entirely null, empty or constant, for lists, lists of strings and of
//    structs, structs and structs of lists; and columns of one value or null (constant pages).
//    (apache-arrow 18 has no LargeList, so large lists are not made here.)
// Next to each table, `<table>.expected.json` holds LanceDB's scan (as make-corpus.mjs writes it).
// A column LanceDB refuses is reported in `refused` (and left out of its table), never dropped silently.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { main, connect, required, arrow, fieldsJson, metadataJson, rowsJson } from './lib/common.mjs';

const A = arrow;

// A small deterministic generator (xorshift), so the tables are the same on every machine.
function rng(seed) {
  let s = BigInt(seed) | 1n;
  return () => {
    s ^= s << 13n; s &= 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= s << 17n; s &= 0xffffffffffffffffn;
    return Number(s >> 11n) / 2 ** 53;
  };
}

const narrowRows = 1000;
const wideRows = 50;
const bigRows = 24;
const listRows = 200;

/** Item types of the vector group: name, Arrow type, value of item j of row i. */
const itemTypes = [
  ['f16', () => new A.Float16(), (r) => Math.round(r() * 64 - 32) / 8],
  ['f32', () => new A.Float32(), (r) => Math.fround(r() * 2 - 1)],
  ['f64', () => new A.Float64(), (r) => r() * 2 - 1],
  ['i8', () => new A.Int8(), (r) => Math.floor(r() * 256) - 128],
  ['u8', () => new A.Uint8(), (r) => Math.floor(r() * 256)],
];

// Narrow dimensions are mini-block; 64 is full-zip for the 4- and 8-byte items and mini-block for
// the others; 256 is full-zip for all (Lance switches to full-zip at 256 bytes per value).
function vectorColumns(dimensions, rows) {
  const cols = [];
  for (const [name, type, item] of itemTypes) {
    for (const dim of dimensions) {
      const fsl = () => new A.FixedSizeList(dim, new A.Field('item', type(), true));
      const r = rng(dim * 31 + name.length);
      // Null rows: every 7th, and a run of a tenth of the rows in the first fragment.
      const nullRow = (i) => i % 7 === 3 || (i >= rows / 5 && i < rows * 3 / 10);
      cols.push({ name: `v_${name}_${dim}`, type: fsl, gen: (i) => (nullRow(i) ? null : Array.from({ length: dim }, () => item(r))) });
      const q = rng(dim * 17 + name.length);
      cols.push({
        name: `v_${name}_${dim}_items`, type: fsl,
        gen: (i) => (i % 5 === 2 ? null : Array.from({ length: dim }, (_, j) => ((i + j) % 3 === 1 ? null : item(q)))),
      });
    }
  }
  return cols;
}

function narrowVectorColumns() {
  const cols = vectorColumns([2, 8], narrowRows);
  cols.push({ name: 'v_f32_8_all_null', type: () => new A.FixedSizeList(8, new A.Field('item', new A.Float32(), true)), gen: () => null });
  // Valid vectors whose every item is null, and some null vectors.
  cols.push({ name: 'v_f32_4_items_all_null', type: () => new A.FixedSizeList(4, new A.Field('item', new A.Float32(), true)), gen: (i) => (i % 6 === 1 ? null : [null, null, null, null]) });
  return cols;
}

function wideVectorColumns() {
  const cols = vectorColumns([64, 256], wideRows);
  const r = rng(5);
  cols.push({ name: 'v_f32_64_all_null', type: () => new A.FixedSizeList(64, new A.Field('item', new A.Float32(), true)), gen: () => null });
  // Valid vectors whose every item is null, and some null vectors.
  cols.push({
    name: 'v_f64_64_items_all_null', type: () => new A.FixedSizeList(64, new A.Field('item', new A.Float64(), true)),
    gen: (i) => (i % 6 === 1 ? null : new Array(64).fill(null)),
  });
  // Null only in the second fragment: the first fragment's pages have no nulls at all.
  cols.push({
    name: 'v_f32_128_late_nulls', type: () => new A.FixedSizeList(128, new A.Field('item', new A.Float32(), true)),
    gen: (i) => (i >= wideRows / 2 && i % 3 === 0 ? null : Array.from({ length: 128 }, () => Math.fround(r()))),
  });
  return cols;
}

function text(r, length) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 éλ';
  let s = '';
  while (s.length < length) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function bytes(r, length) {
  return Uint8Array.from({ length }, () => Math.floor(r() * 256));
}

function bigColumns() {
  // Row i: null, small, tens of KiB, and one value over 1 MiB, all in one page.
  const size = (i) => (i === 17 ? (1 << 20) + 4321 : i % 6 === 0 ? 40000 + i * 97 : i % 4 === 2 ? (i % 3) * 5 : 30 + i);
  const cols = [];
  for (const [name, type, make] of [
    ['s', () => new A.Utf8(), text], ['ls', () => new A.LargeUtf8(), text],
    ['bin', () => new A.Binary(), bytes], ['lbin', () => new A.LargeBinary(), bytes],
  ]) {
    const r = rng(name.length * 101);
    cols.push({ name: `${name}_mixed`, type, gen: (i) => (i % 5 === 1 ? null : make(r, size(i))) });
  }
  // Every value big and none null; and big values repeated (compressible): one page each.
  const r = rng(77);
  cols.push({ name: 's_all_big', type: () => new A.Utf8(), gen: (i) => text(r, 20000 + i * 100), nullable: false });
  cols.push({ name: 's_repeated_big', type: () => new A.Utf8(), gen: (i) => (i % 3 === 0 ? null : 'lance '.repeat(12000 + (i % 4))) });
  cols.push({ name: 'bin_all_big_nullable', type: () => new A.Binary(), gen: (i) => (i % 9 === 4 ? null : bytes(r, 30000)) });
  // Big strings as list items: the same per-value compression under repetition levels.
  cols.push({
    name: 'l_s_big', type: () => new A.List(new A.Field('item', new A.Utf8(), true)),
    gen: (i) => (i % 7 === 2 ? null : Array.from({ length: i % 3 }, (_, j) => (j === 1 ? null : text(r, i % 2 ? 36000 : 10)))),
  });
  return cols;
}

function listColumns() {
  const half = listRows / 2;
  const int = () => new A.Int32();
  const list = (t) => new A.List(new A.Field('item', t, true));
  const st = () => new A.Struct([new A.Field('x', new A.Int32(), true), new A.Field('y', new A.Utf8(), true)]);
  return [
    { name: 'l_all_null', type: () => list(int()), gen: () => null },
    { name: 'l_s_all_null', type: () => list(new A.Utf8()), gen: () => null },
    { name: 'l_struct_all_null', type: () => list(st()), gen: () => null },
    { name: 'st_all_null', type: st, gen: () => null },
    { name: 'st_l_all_null', type: () => new A.Struct([new A.Field('l', list(int()), true), new A.Field('z', int(), true)]),
      gen: (i) => (i % 2 === 0 ? null : { l: null, z: null }) },
    { name: 'l_all_empty', type: () => list(int()), gen: () => [] },
    { name: 'l_null_or_empty', type: () => list(int()), gen: (i) => (i % 3 === 0 ? null : []) },
    { name: 'l_items_all_null', type: () => list(int()), gen: (i) => (i % 4 === 0 ? null : [null, null]) },
    { name: 'l_const', type: () => list(int()), gen: () => [1, 2, 3] },
    { name: 'l_s_const', type: () => list(new A.Utf8()), gen: () => ['same', 'list'] },
    { name: 'l_struct_const', type: () => list(st()), gen: () => [{ x: 7, y: 'seven' }] },
    { name: 'l_struct_items_null', type: () => list(st()), gen: (i) => (i % 3 === 0 ? [] : [null, { x: null, y: null }]) },
    // The first fragment entirely null, the second with values: a null page in a column that has data.
    { name: 'l_first_file_null', type: () => list(int()), gen: (i) => (i < half ? null : Array.from({ length: i % 4 }, (_, j) => i * 10 + j)) },
    { name: 'l_struct_first_file_null', type: () => list(st()),
      gen: (i) => (i < half ? null : Array.from({ length: i % 3 }, (_, j) => ({ x: i + j, y: `y${i}` }))) },
    { name: 'l_s_first_file_null', type: () => list(new A.Utf8()),
      gen: (i) => (i < half ? null : i % 5 === 0 ? null : [`a${i}`, null]) },
    { name: 'st_first_file_null', type: st, gen: (i) => (i < half ? null : { x: i, y: i % 2 ? null : `s${i}` }) },
    // One value or null in every row: format 2.2's constant pages, with definition levels.
    { name: 'i32_const_or_null', type: int, gen: (i) => (i % 5 === 0 ? null : 5) },
    { name: 's_const_or_null', type: () => new A.Utf8(), gen: (i) => (i % 5 === 0 ? null : 'same') },
    { name: 's_const', type: () => new A.Utf8(), gen: () => 'always the same' },
    { name: 'b_const_or_null', type: () => new A.Bool(), gen: (i) => (i % 5 === 0 ? null : true) },
    { name: 'f64_const_or_null', type: () => new A.Float64(), gen: (i) => (i % 3 === 0 ? null : -0.5) },
  ];
}

// apache-arrow 18's builder leaves a null vector's items out of the child array (an invalid
// array); lay the items out by hand, zeros under null vectors, null items where asked.
function fixedSizeList(values, type) {
  const dim = type.listSize;
  const flat = values.flatMap((v) => v ?? new Array(dim).fill(0));
  const child = A.vectorFromArray(flat, type.children[0].type).data[0];
  return A.makeVector(A.makeData({ type, length: values.length, ...validity(values), child }));
}

function validity(values) {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => { if (v === null) nulls++; else bitmap[i >> 3] |= 1 << (i & 7); });
  return { nullCount: nulls, nullBitmap: nulls ? bitmap : null };
}

function buildVector(col, type, start, n) {
  const values = Array.from({ length: n }, (_, k) => col.gen(start + k));
  if (type.typeId === A.Type.FixedSizeList) return fixedSizeList(values, type);
  return A.vectorFromArray(values, type);
}

/** Rows [start, start+n) of the id column and the given columns, as one record batch. */
function buildTable(columns, start, n) {
  const fields = [new A.Field('id', new A.Int64(), false), ...columns.map((c) => new A.Field(c.name, c.type(), c.nullable ?? true))];
  const ids = A.vectorFromArray(BigInt64Array.from({ length: n }, (_, k) => BigInt(start + k)), new A.Int64());
  const children = [ids.data[0], ...columns.map((c, j) => buildVector(c, fields[j + 1].type, start, n).data[0])];
  const schema = new A.Schema(fields);
  return new A.Table([new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: n, nullCount: 0, children }))]);
}

async function writeTable(conn, name, columns, rows, sv) {
  const options = { mode: 'overwrite', storageOptions: { new_table_data_storage_version: sv } };
  const half = Math.floor(rows / 2);
  const tb = await conn.createTable(name, buildTable(columns, 0, half), options);
  await tb.add(buildTable(columns, half, rows - half));
  return tb;
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

// Group: its columns, rows, and the storage versions it is made in by default (the big values are a
// 2.1/2.2 concern: 2.0 has no chunked layout to overflow).
const groups = {
  vectors: [narrowVectorColumns, narrowRows, ['2.0', '2.1', '2.2']],
  wide_vectors: [wideVectorColumns, wideRows, ['2.0', '2.1', '2.2']],
  big: [bigColumns, bigRows, ['2.1', '2.2']],
  lists: [listColumns, listRows, ['2.0', '2.1', '2.2']],
};

main(async (args) => {
  const out = required(args, 'out', 'string');
  const wanted = args.groups ?? Object.keys(groups);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const conn = await connect(out);
  const tables = [];
  const refused = [];
  for (const group of wanted) {
    const [columnsOf, rows, defaultVersions] = groups[group];
    for (const sv of args.storageVersions ?? defaultVersions) {
      const name = `${group}_${sv.replace('.', '_')}`;
      // Each column alone first, so a refused one is named and the others still make the table.
      const accepted = [];
      for (const col of columnsOf()) {
        try {
          await writeTable(conn, `probe_${name}`, [col], rows, sv);
          accepted.push(col);
        } catch (e) {
          refused.push({ table: name, column: col.name, type: String(col.type()), error: String(e?.message ?? e).split('\n')[0] });
        }
      }
      await conn.dropTable(`probe_${name}`).catch(() => {});
      await writeTable(conn, name, accepted.map((c) => ({ ...c })), rows, sv);
      tables.push(await describe(conn, out, name, { group, storageVersion: sv }));
    }
  }
  writeFileSync(join(out, 'edge-tables.json'), JSON.stringify({ tables, refused }, null, 1));
  return { out, tables, refused };
});
