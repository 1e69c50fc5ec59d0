// Shared plumbing of the peer scripts: JSON arguments in, one JSON document out,
// and a lossless, JSON-safe rendering of Arrow values.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import * as lancedb from '@lancedb/lancedb';

// LanceDB is CommonJS and checks `instanceof arrow.Table`: load apache-arrow's CommonJS build too, so
// tables we read from IPC are the same class (an ESM `import` would load a second copy of arrow).
const require = createRequire(import.meta.url);
/** The apache-arrow module instance that LanceDB itself uses. */
export const arrow = require('apache-arrow');
const { Type, Precision } = arrow;

/** Reads the JSON arguments: argv[2] as JSON, `@file` for a JSON file, or stdin when absent. */
export async function readArgs() {
  const arg = process.argv[2];
  let text;
  if (arg === undefined || arg === '-') {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    text = Buffer.concat(chunks).toString('utf8');
  } else if (arg.startsWith('@')) {
    text = readFileSync(arg.slice(1), 'utf8');
  } else {
    text = arg;
  }
  if (text.trim() === '') throw new Error('no JSON arguments: pass them as the first argument or on stdin');
  const args = JSON.parse(text);
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new Error('the JSON arguments must be an object');
  }
  return args;
}

/** Runs a script body: prints its result as one JSON document, or the error on stderr with exit code 1. */
export function main(body) {
  readArgs()
    .then(body)
    .then((result) => {
      process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
    })
    .catch((err) => {
      process.stderr.write(`${err?.stack ?? err}\n`, () => process.exit(1));
    });
}

export function required(args, name, type) {
  const value = args[name];
  if (value === undefined || value === null) throw new Error(`missing argument "${name}"`);
  if (type === 'array' ? !Array.isArray(value) : typeof value !== type) {
    throw new Error(`argument "${name}" must be a ${type}`);
  }
  return value;
}

/** LanceDB needs an absolute database path; relative ones are resolved against the working directory. */
export async function connect(db) {
  return lancedb.connect(isAbsolute(db) ? db : resolve(db));
}

/** Opens a table, checked out at `version` when one is given. */
export async function openTable(args) {
  const conn = await connect(required(args, 'db', 'string'));
  const table = await conn.openTable(required(args, 'table', 'string'));
  if (args.version !== undefined && args.version !== null) await table.checkout(Number(args.version));
  return table;
}

export function fieldsJson(schema) {
  return schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
}

export function metadataJson(metadata) {
  return Object.fromEntries(metadata ?? new Map());
}

/** Rows of an Arrow table as plain JSON objects (see README: "Values"). */
export function rowsJson(table) {
  const columns = table.schema.fields.map((f, j) => [f.name, table.getChildAt(j)]);
  const rows = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row = {};
    for (const [name, vector] of columns) row[name] = valueAt(vector, i);
    rows[i] = row;
  }
  return rows;
}

function floatJson(x) {
  if (Number.isFinite(x)) return x;
  if (Number.isNaN(x)) return 'NaN';
  return x > 0 ? 'Infinity' : '-Infinity';
}

const unitsPerSecond = [1n, 1000n, 1000000n, 1000000000n]; // TimeUnit: SECOND, MILLISECOND, MICROSECOND, NANOSECOND
const fractionDigits = [0, 3, 6, 9];

/** The chunk (Data) of a vector holding row i, and the row's index in it. */
function chunkAt(vector, i) {
  for (const data of vector.data) {
    if (i < data.length) return { data, index: i };
    i -= data.length;
  }
  throw new RangeError('row index out of range');
}

/** The raw stored integer of a fixed-width value (exact, unlike Vector.get for timestamps). */
function rawAt(vector, i) {
  const { data, index } = chunkAt(vector, i);
  return data.values[data.offset + index];
}

/** A time of day as `HH:MM:SS` plus the unit's fraction digits (`.123`, `.123456`, `.123456789`). */
function timeJson(raw, type) {
  const per = unitsPerSecond[type.unit];
  const ticks = BigInt(raw);
  let seconds = ticks / per;
  let frac = ticks % per;
  if (frac < 0n) { frac += per; seconds -= 1n; }
  const pad = (x) => x.toString().padStart(2, '0');
  const text = `${pad(seconds / 3600n)}:${pad((seconds / 60n) % 60n)}:${pad(seconds % 60n)}`;
  const digits = fractionDigits[type.unit];
  return digits === 0 ? text : `${text}.${frac.toString().padStart(digits, '0')}`;
}

/** A decimal as apache-arrow gives it: its little-endian 32-bit words (4 for Decimal128, 8 for Decimal256). */
function decimalWords(vector, i, words) {
  const { data, index } = chunkAt(vector, i);
  return Array.from(data.values.subarray((data.offset + index) * words, (data.offset + index + 1) * words));
}

function timestampJson(raw, type) {
  const per = unitsPerSecond[type.unit];
  let ticks = BigInt(raw);
  let seconds = ticks / per;
  let frac = ticks % per;
  if (frac < 0n) { frac += per; seconds -= 1n; }
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const digits = fractionDigits[type.unit];
  const fraction = digits === 0 ? '' : '.' + frac.toString().padStart(digits, '0');
  return iso + fraction + (type.timezone ? 'Z' : '');
}

function base64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function listJson(sub) {
  // toArray() of a Float16 vector gives the raw half-precision bits, not numbers: read those one by one.
  if (sub.nullCount === 0 && sub.type.typeId === Type.Float && sub.type.precision !== Precision.HALF) {
    return Array.from(sub.toArray(), floatJson);
  }
  const out = new Array(sub.length);
  for (let j = 0; j < sub.length; j++) out[j] = valueAt(sub, j);
  return out;
}

/** One value of an Arrow vector, JSON-safe and lossless where JSON allows. */
export function valueAt(vector, i) {
  if (!vector.isValid(i)) return null;
  const type = vector.type;
  switch (type.typeId) {
    case Type.Null: return null;
    case Type.Bool: return vector.get(i);
    case Type.Int: {
      const v = vector.get(i);
      return typeof v === 'bigint' ? v.toString() : v;
    }
    case Type.Float: return floatJson(vector.get(i));
    case Type.Utf8:
    case Type.LargeUtf8: return vector.get(i);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary: return base64(vector.get(i));
    case Type.Timestamp: return timestampJson(rawAt(vector, i), type);
    case Type.Date: {
      // Date32 holds days, Date64 milliseconds: both from the raw stored integer.
      const ms = type.unit === 0 ? Number(rawAt(vector, i)) * 86400000 : Number(rawAt(vector, i));
      const iso = new Date(ms).toISOString();
      return type.unit === 0 ? iso.slice(0, 10) : iso;
    }
    case Type.Time: return timeJson(rawAt(vector, i), type);
    case Type.Duration: return BigInt(rawAt(vector, i)).toString();
    case Type.Decimal: return decimalWords(vector, i, type.bitWidth / 32);
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList: return listJson(vector.get(i));
    case Type.Struct: {
      const obj = {};
      type.children.forEach((f, j) => { obj[f.name] = valueAt(vector.getChildAt(j), i); });
      return obj;
    }
    case Type.Dictionary: {
      // vector.get fails for 64-bit keys (a BigInt index): look the key up by hand.
      const { data, index } = chunkAt(vector, i);
      return valueAt(data.dictionary, Number(data.values[data.offset + index]));
    }
    default: {
      const v = vector.get(i);
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number') return floatJson(v);
      if (ArrayBuffer.isView(v)) return Array.from(v, (x) => (typeof x === 'bigint' ? x.toString() : x));
      if (v !== null && typeof v === 'object' && typeof v.toJSON === 'function') return v.toJSON();
      return v === undefined ? null : String(v);
    }
  }
}
