// scan-types.mjs {db, table, columns?, select?: {name: "SQL expression"}, filter?, limit?, version?}
//   -> {version, rowCount, schema:[{name,type,nullable}], schemaError?, metadata:{k:v}, rows:[{col:value}]}
// Like scan.mjs, but renders every type of the type matrix unambiguously, nested or not:
// Decimal (128 and 256) values become exact decimal strings ("-123.4500", the scale's digits kept) and
// Float16 values numbers; everything else as lib/common.mjs renders it (see README "Values").
// apache-arrow 18 (JS) cannot decode LargeList at all, so such columns are read through `select`
// with a cast LanceDB (DataFusion) evaluates, e.g. {"words": "arrow_cast(words, 'List(Utf8)')"}:
// LanceDB still decodes the stored large_list; only the hand-over to JS uses 32-bit offsets.
// `schema` is then the result's schema; `schemaError` says why the table's could not be read.
import { main, openTable, fieldsJson, metadataJson, arrow, valueAt as commonValueAt } from './lib/common.mjs';

const { Type } = arrow;

function decimalJson(vector, i, type) {
  // The raw 128- or 256-bit little-endian two's complement integer, from the chunk holding row i.
  const count = type.bitWidth / 32;
  const bits = BigInt(type.bitWidth);
  for (const data of vector.data) {
    if (i < data.length) {
      const words = data.values; // Uint32Array, 4 (or 8) words per value
      const base = (data.offset + i) * count;
      let raw = 0n;
      for (let w = count - 1; w >= 0; w--) raw = (raw << 32n) | BigInt(words[base + w]);
      if (raw >= 1n << (bits - 1n)) raw -= 1n << bits;
      const negative = raw < 0n;
      let digits = (negative ? -raw : raw).toString().padStart(type.scale + 1, '0');
      if (type.scale > 0) digits = digits.slice(0, -type.scale) + '.' + digits.slice(-type.scale);
      return (negative ? '-' : '') + digits;
    }
    i -= data.length;
  }
  throw new RangeError('row index out of range');
}

function valueAt(vector, i) {
  if (!vector.isValid(i)) return null;
  const type = vector.type;
  switch (type.typeId) {
    case Type.Decimal: return decimalJson(vector, i, type);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: {
      const sub = vector.get(i);
      const out = new Array(sub.length);
      for (let j = 0; j < sub.length; j++) out[j] = valueAt(sub, j);
      return out;
    }
    case Type.Struct: {
      const obj = {};
      type.children.forEach((f, j) => { obj[f.name] = valueAt(vector.getChildAt(j), i); });
      return obj;
    }
    default: return commonValueAt(vector, i);
  }
}

main(async (args) => {
  const table = await openTable(args);
  let schema = null;
  let schemaError;
  try {
    schema = await table.schema();
  } catch (err) {
    schemaError = String(err?.message ?? err);
  }
  let query = table.query();
  if (args.filter) query = query.where(args.filter);
  if (args.select) query = query.select(new Map(Object.entries(args.select)));
  else if (args.columns) query = query.select(args.columns);
  if (args.limit !== undefined && args.limit !== null) query = query.limit(args.limit);
  const result = await query.toArrow();
  const columns = result.schema.fields.map((f, j) => [f.name, result.getChildAt(j)]);
  const rows = new Array(result.numRows);
  for (let r = 0; r < result.numRows; r++) {
    const row = {};
    for (const [name, vector] of columns) row[name] = valueAt(vector, r);
    rows[r] = row;
  }
  return {
    version: await table.version(),
    rowCount: result.numRows,
    schema: fieldsJson(schema ?? result.schema),
    ...(schemaError === undefined ? {} : { schemaError }),
    metadata: metadataJson((schema ?? result.schema).metadata),
    rows,
  };
});
