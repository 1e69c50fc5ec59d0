// fuzz-tables.mjs {out, seed, tables?, rows?, ops?, versions?, types?, replay?, twin?}
//   -> {out, seed, tables: [name], typesRefused: [...]}   (the details are in <out>/manifest.json)
// The LanceDB side of the generative differential harness (tests/Lance.Interop.Tests/Generative):
// seeded random tables over every Arrow type LanceDB accepts, a random sequence of LanceDB
// operations on each, and LanceDB's own scan of every version, count and ids of random filters and
// an exact vector search, for our engine to match value by value. Everything is a function of the
// seed; a table's spec (schema, rows, op list with their data) replays exactly (`replay`), which is
// what the C# shrinker uses. `twin` applies our engine's writes to a copy of a table with LanceDB.
import { mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, connect, required, arrow, fieldsJson, rowsJson } from './lib/common.mjs';

const A = arrow;
const T = A.Type;

// ---------------------------------------------------------------------------------------------
// Seeded randomness (xorshift64, as make-corpus.mjs).
function rng(seed) {
  let s = (BigInt(seed) * 0x9e3779b97f4a7c15n + 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  if (s === 0n) s = 1n;
  const next = () => {
    s ^= s << 13n; s &= 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= s << 17n; s &= 0xffffffffffffffffn;
    return Number(s >> 11n) / 2 ** 53;
  };
  const r = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // inclusive
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    big: (bits) => { // uniform unsigned BigInt of `bits` bits
      let v = 0n;
      for (let b = 0; b < bits; b += 32) v = (v << 32n) | BigInt(Math.floor(next() * 2 ** 32));
      return v & ((1n << BigInt(bits)) - 1n);
    },
  };
  return r;
}

// ---------------------------------------------------------------------------------------------
// Type specs: plain JSON so that a table's schema travels in its replay spec.
//   {k: 'int8'|...|'uint64'|'float16'|'float32'|'float64'|'bool'|'utf8'|'large_utf8'|'binary'|
//       'large_binary'|'date32'|'date64'}
//   {k: 'fixed_size_binary', width}  {k: 'decimal128'|'decimal256', precision, scale}
//   {k: 'time32', unit: 's'|'ms'}  {k: 'time64', unit: 'us'|'ns'}  {k: 'timestamp', unit, tz}
//   {k: 'duration', unit}  {k: 'dictionary', key: int kind}  {k: 'vector', item, dim}
//   {k: 'list', item: spec, itemNullable}  {k: 'struct', fields: [{name, type, nullable}]}
//   {k: 'null'} (Arrow's Null type: every value null; top level only, always nullable)
const INTS = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64'];
const FLOATS = ['float16', 'float32', 'float64'];
const UNITS = ['s', 'ms', 'us', 'ns'];
const UNIT_ENUM = { s: A.TimeUnit.SECOND, ms: A.TimeUnit.MILLISECOND, us: A.TimeUnit.MICROSECOND, ns: A.TimeUnit.NANOSECOND };
const UNIT_NAME = ['s', 'ms', 'us', 'ns'];
const DICT_WORDS = ['alpha', 'beta', '', 'γάμμα', '日本語', '🚀 rocket', 'delta'];

/** The kinds a random column is drawn from (the `types` argument restricts them). */
const KINDS = [...INTS, ...FLOATS, 'bool', 'utf8', 'large_utf8', 'binary', 'large_binary', 'fixed_size_binary',
  'decimal128', 'decimal256', 'date32', 'date64', 'time32', 'time64', 'timestamp', 'duration', 'dictionary', 'vector',
  'list', 'struct', 'null'];

/** What the generator never draws, and why (reported in every manifest: excluded explicitly, never silently). */
const EXCLUDED = [
  { type: 'large_list', reason: 'apache-arrow 18 (the JavaScript Arrow LanceDB Node 0.31 uses) has no LargeList type: no table with one can be sent to LanceDB' },
  { type: 'timestamp with an offset time zone (e.g. "+05:30")', reason: 'LanceDB 0.31 panics: "Unsupported timestamp type: timestamp:s:+05:30" (named zones such as "America/New_York" and "UTC" are drawn)' },
];

function intArrow(k) {
  return { int8: new A.Int8(), int16: new A.Int16(), int32: new A.Int32(), int64: new A.Int64(),
    uint8: new A.Uint8(), uint16: new A.Uint16(), uint32: new A.Uint32(), uint64: new A.Uint64() }[k];
}

function intKind(type) { return `${type.isSigned ? '' : 'u'}int${type.bitWidth}`; }

let dictionaryIds = 0;

/** The apache-arrow type of a spec (throws for what apache-arrow 18 cannot express). */
function toArrow(t) {
  switch (t.k) {
    case 'int8': case 'int16': case 'int32': case 'int64':
    case 'uint8': case 'uint16': case 'uint32': case 'uint64': return intArrow(t.k);
    case 'float16': return new A.Float16();
    case 'float32': return new A.Float32();
    case 'float64': return new A.Float64();
    case 'bool': return new A.Bool();
    case 'utf8': return new A.Utf8();
    case 'large_utf8': return new A.LargeUtf8();
    case 'binary': return new A.Binary();
    case 'large_binary': return new A.LargeBinary();
    case 'fixed_size_binary': return new A.FixedSizeBinary(t.width);
    case 'decimal128': return new A.Decimal(t.scale, t.precision, 128);
    case 'decimal256': return new A.Decimal(t.scale, t.precision, 256);
    case 'date32': return new A.DateDay();
    case 'date64': return new A.DateMillisecond();
    case 'time32': case 'time64': return new A.Time(UNIT_ENUM[t.unit], t.k === 'time32' ? 32 : 64);
    case 'timestamp': return new A.Timestamp(UNIT_ENUM[t.unit], t.tz ?? null);
    case 'duration': return new A.Duration(UNIT_ENUM[t.unit]);
    case 'dictionary': return new A.Dictionary(new A.Utf8(), intArrow(t.key), dictionaryIds++);
    case 'vector': return new A.FixedSizeList(t.dim, new A.Field('item', toArrow({ k: t.item }), true));
    case 'list': return new A.List(new A.Field('item', toArrow(t.item), t.itemNullable));
    case 'large_list': throw new Error('apache-arrow 18 has no LargeList type (it cannot build or send one to LanceDB)');
    case 'struct': return new A.Struct(t.fields.map((f) => new A.Field(f.name, toArrow(f.type), f.nullable)));
    case 'null': return new A.Null();
    default: throw new Error(`unknown type spec ${JSON.stringify(t)}`);
  }
}

/** The spec of an Arrow type LanceDB reports (after schema-changing operations). */
function fromArrow(type) {
  switch (type.typeId) {
    case T.Int: return { k: intKind(type) };
    case T.Float: return { k: FLOATS[type.precision] };
    case T.Bool: return { k: 'bool' };
    case T.Utf8: return { k: 'utf8' };
    case T.LargeUtf8: return { k: 'large_utf8' };
    case T.Binary: return { k: 'binary' };
    case T.LargeBinary: return { k: 'large_binary' };
    case T.FixedSizeBinary: return { k: 'fixed_size_binary', width: type.byteWidth };
    case T.Decimal: return { k: `decimal${type.bitWidth}`, precision: type.precision, scale: type.scale };
    case T.Date: return { k: type.unit === A.DateUnit.DAY ? 'date32' : 'date64' };
    case T.Time: return { k: `time${type.bitWidth}`, unit: UNIT_NAME[type.unit] };
    case T.Timestamp: return { k: 'timestamp', unit: UNIT_NAME[type.unit], tz: type.timezone ?? null };
    case T.Duration: return { k: 'duration', unit: UNIT_NAME[type.unit] };
    case T.Dictionary: return { k: 'dictionary', key: intKind(type.indices) };
    case T.FixedSizeList: return { k: 'vector', item: fromArrow(type.children[0].type).k, dim: type.listSize };
    case T.List: return { k: 'list', item: fromArrow(type.children[0].type), itemNullable: type.children[0].nullable };
    case T.Null: return { k: 'null' };
    case T.Struct: return { k: 'struct', fields: type.children.map((f) => ({ name: f.name, type: fromArrow(f.type), nullable: f.nullable })) };
    default: return { k: `unsupported:${String(type)}` };
  }
}

function specOfSchema(schema) {
  return schema.fields.map((f) => ({ name: f.name, type: fromArrow(f.type), nullable: f.nullable }));
}

function randomType(r, kinds, depth) {
  const allowed = depth >= 2 ? kinds.filter((k) => !['list', 'large_list', 'struct'].includes(k)) : kinds;
  const inner = depth > 0 ? allowed.filter((k) => k !== 'dictionary' && k !== 'vector') : allowed;
  const k = r.pick(inner.length ? inner : ['int32']);
  switch (k) {
    case 'fixed_size_binary': return { k, width: r.pick([1, 4, 16, 33]) };
    case 'decimal128': { const precision = r.int(1, 38); return { k, precision, scale: r.int(0, precision) }; }
    case 'decimal256': { const precision = r.int(1, 76); return { k, precision, scale: r.int(0, Math.min(precision, 20)) }; }
    case 'time32': return { k, unit: r.pick(['s', 'ms']) };
    case 'time64': return { k, unit: r.pick(['us', 'ns']) };
    case 'timestamp': return { k, unit: r.pick(UNITS), tz: r.pick([null, null, 'UTC', 'America/New_York']) };
    case 'duration': return { k, unit: r.pick(UNITS) };
    case 'dictionary': return { k, key: r.pick(INTS) };
    case 'vector': return { k, item: r.pick(['float32', 'float32', 'float16', 'float64', 'int8', 'uint8']), dim: r.pick([1, 2, 3, 8, 16, 32]) };
    case 'list': case 'large_list': return { k, item: randomType(r, kinds, depth + 1), itemNullable: r.chance(0.7) };
    case 'struct': {
      const n = r.int(1, 3);
      return { k, fields: Array.from({ length: n }, (_, j) => ({ name: `f${j}`, type: randomType(r, kinds, depth + 1), nullable: r.chance(0.7) })) };
    }
    default: return { k };
  }
}

// ---------------------------------------------------------------------------------------------
// Values, in a raw JSON form that travels in the replay spec:
// int8..uint32, float*, date32, time32: number (floats also "NaN", "Infinity", "-Infinity", "-0");
// int64, uint64, time64, timestamp, duration, date64: decimal string of the stored integer;
// decimal*: decimal string of the unscaled integer; utf8: string; binary: base64;
// dictionary: the string value; vector / list: array; struct: object. A huge string or binary is
// {"$rep": "<unit>", "n": <repeats>} (utf8: the unit repeated; binary: its UTF-8 bytes repeated).
const INT_RANGE = {
  int8: [-128n, 127n], int16: [-32768n, 32767n], int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 255n], uint16: [0n, 65535n], uint32: [0n, 2n ** 32n - 1n], uint64: [0n, 2n ** 64n - 1n],
};
const TEXTS = ['', 'a', 'hello world', 'Ünïcødé', 'žluťoučký kůň', '日本語テキスト', '🚀🎉👍🏽', 'mixed ascii и кириллица', "it's", '%_like\\', 'a\u0000b'];
const F16_EDGES = [0, -0, 1, -1, 65504, -65504, 6.103515625e-5, 5.960464477539063e-8, 0.5, 1.5, 'NaN', 'Infinity', '-Infinity'];

function randomInt(r, k) {
  const [lo, hi] = INT_RANGE[k];
  const bits = Number(k.replace(/u?int/, ''));
  const roll = r.next();
  let v;
  if (roll < 0.1) v = lo;
  else if (roll < 0.2) v = hi;
  else if (roll < 0.3) v = BigInt(r.pick([0, 1, -1, 2, 100]));
  else if (roll < 0.6) v = BigInt(r.int(-50, 50));
  else v = lo + r.big(bits) % (hi - lo + 1n);
  if (v < lo) v = lo;
  if (v > hi) v = hi;
  return bits === 64 ? v.toString() : Number(v);
}

function randomFloat(r, k) {
  if (k === 'float16') {
    if (r.chance(0.3)) return jsonFloat(r.pick(F16_EDGES));
    return r.int(-2048, 2048) / 2 ** r.int(0, 8);
  }
  const roll = r.next();
  if (roll < 0.04) return 'NaN';
  if (roll < 0.07) return r.pick(['Infinity', '-Infinity']);
  if (roll < 0.1) return '-0';
  if (roll < 0.13) return 0;
  if (roll < 0.17) return k === 'float32' ? r.pick([3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, 1.1754943508222875e-38])
    : r.pick([Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2.2250738585072014e-308]);
  const x = (r.next() * 2 - 1) * 10 ** r.int(-3, 6);
  return k === 'float32' ? Math.fround(x) : x;
}

function jsonFloat(x) {
  if (typeof x === 'string') return x;
  if (Object.is(x, -0)) return '-0';
  return x;
}

function randomText(r, huge) {
  if (huge) return { $rep: r.pick(['x', 'ab', 'é', '日本', '🚀']), n: huge };
  const roll = r.next();
  if (roll < 0.35) return r.pick(TEXTS);
  const n = r.int(1, 24);
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick(['a', 'b', 'z', 'Q', ' ', '0', '9', '_', '%', 'é', 'ß', 'Ω', '中', '🙂']);
  return s;
}

function randomBytes(r, n) {
  return Buffer.from(Array.from({ length: n }, () => r.int(0, 255))).toString('base64');
}

// A table's budget for huge values, so that it stays under ~8 MB.
function hugeSize(r, ctx) {
  if (ctx.bigBudget <= 0 || !r.chance(ctx.hugeRate)) return 0;
  const n = r.chance(0.15) ? r.int(1 << 20, (1 << 20) + 50000) : r.int(20000, 45000);
  if (n * 4 > ctx.bigBudget) return 0;
  ctx.bigBudget -= n * 4; // worst case: 4 bytes per repeat unit
  return n;
}

function randomValue(r, t, nullable, ctx) {
  if (nullable && r.chance(ctx.nullRate)) return null;
  switch (t.k) {
    case 'int8': case 'int16': case 'int32': case 'int64':
    case 'uint8': case 'uint16': case 'uint32': case 'uint64': return randomInt(r, t.k);
    case 'float16': case 'float32': case 'float64': return randomFloat(r, t.k);
    case 'bool': return r.chance(0.5);
    case 'utf8': case 'large_utf8': return randomText(r, hugeSize(r, ctx));
    case 'binary': case 'large_binary': {
      const huge = hugeSize(r, ctx);
      if (huge) return { $rep: r.pick(['\u0000', 'ab', '\u00ff\u0001']), n: huge };
      return randomBytes(r, r.chance(0.2) ? 0 : r.int(1, 40));
    }
    case 'fixed_size_binary': return randomBytes(r, t.width);
    case 'decimal128': case 'decimal256': {
      const max = 10n ** BigInt(t.precision) - 1n;
      const roll = r.next();
      const v = roll < 0.1 ? max : roll < 0.2 ? -max : roll < 0.3 ? 0n : (r.big(t.k === 'decimal128' ? 128 : 256) % (2n * max + 1n)) - max;
      return v.toString();
    }
    case 'date32': return r.pick([0, -1, 18000, 19000, -719162, 2932896, r.int(-30000, 60000)]);
    case 'date64': return (BigInt(r.pick([0, -1, 18000, 19000, -719162, 2932896, r.int(-30000, 60000)])) * 86400000n).toString();
    case 'time32': {
      const per = t.unit === 's' ? 86400 : 86400000;
      return r.pick([0, per - 1, r.int(0, per - 1)]);
    }
    case 'time64': {
      const per = t.unit === 'us' ? 86400000000n : 86400000000000n;
      return r.pick([0n, per - 1n, r.big(62) % per]).toString();
    }
    case 'timestamp': {
      const per = { s: 1n, ms: 1000n, us: 1000000n, ns: 1000000000n }[t.unit];
      const roll = r.next();
      // Years 1677..2262 fit every unit (nanoseconds bound the range); extremes stay in 0001..9999 for ISO.
      const seconds = roll < 0.1 ? 0n : roll < 0.2 ? -1n : BigInt(r.int(-9000000000, 9200000000));
      return (seconds * per + (per > 1n ? r.big(40) % per : 0n)).toString();
    }
    case 'duration': return r.pick([0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), BigInt(r.int(-1e9, 1e9))]).toString();
    case 'dictionary': return r.pick(DICT_WORDS);
    case 'vector': {
      const itemNull = r.chance(0.15);
      return Array.from({ length: t.dim }, () => (itemNull && r.chance(0.3) ? null
        : t.item.startsWith('float') ? randomFloat(r, t.item) : randomInt(r, t.item)));
    }
    case 'list': case 'large_list': {
      const n = r.chance(0.2) ? 0 : r.int(1, 5);
      return Array.from({ length: n }, () => randomValue(r, t.item, t.itemNullable, ctx));
    }
    case 'struct': return Object.fromEntries(t.fields.map((f) => [f.name, randomValue(r, f.type, f.nullable, ctx)]));
    case 'null': return null;
    default: throw new Error(`no values for ${JSON.stringify(t)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Arrow data laid out by hand from raw values (apache-arrow's builders drop or convert some of
// them: null vectors' items, int64 keys, time/duration units).
function bitmap(values) {
  const bits = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  values.forEach((v, i) => { if (v === null) nulls++; else bits[i >> 3] |= 1 << (i & 7); });
  return { nullCount: nulls, nullBitmap: nulls ? bits : null };
}

function expand(v) { return v !== null && typeof v === 'object' && '$rep' in v ? v.$rep.repeat(v.n) : v; }

function f16Bits(x) {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  x = Math.abs(x);
  if (x === Infinity) return sign | 0x7c00;
  if (x === 0) return sign;
  let e = Math.floor(Math.log2(x));
  if (e < -14) return sign | Math.round(x / 2 ** -24); // subnormal
  let m = x / 2 ** e;
  if (m >= 2) { m /= 2; e++; }
  if (m < 1) { m *= 2; e--; }
  return sign | ((e + 15) << 10) | Math.round((m - 1) * 1024);
}

function num(v) {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === '-0') return -0;
  return Number(v);
}

const TYPED = {
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
  float16: Uint16Array, float32: Float32Array, float64: Float64Array,
};

function fixedWidth(Array_, values, convert, zero) {
  return Array_.from(values, (v) => (v === null ? zero : convert(v)));
}

function decimalWords(values, words) {
  const out = new Uint32Array(values.length * words);
  values.forEach((v, i) => {
    if (v === null) return;
    let x = BigInt.asUintN(words * 32, BigInt(v));
    for (let w = 0; w < words; w++) { out[i * words + w] = Number(x & 0xffffffffn); x >>= 32n; }
  });
  return out;
}

function varBytes(values, large, text) {
  const chunks = values.map((v) => (v === null ? Buffer.alloc(0) : text ? Buffer.from(expand(v), 'utf8')
    : typeof v === 'object' ? Buffer.from(expand(v), 'latin1') : Buffer.from(v, 'base64')));
  const offsets = large ? new BigInt64Array(values.length + 1) : new Int32Array(values.length + 1);
  let at = 0;
  chunks.forEach((c, i) => { at += c.length; offsets[i + 1] = large ? BigInt(at) : at; });
  return { valueOffsets: offsets, data: new Uint8Array(Buffer.concat(chunks)) };
}

/** Arrow Data of `values` (raw form) for spec `t` with Arrow type `type`. */
function buildData(t, type, values) {
  const length = values.length;
  const base = { type, length, ...bitmap(values) };
  switch (t.k) {
    case 'int8': case 'int16': case 'int32': case 'uint8': case 'uint16': case 'uint32':
      return A.makeData({ ...base, data: fixedWidth(TYPED[t.k], values, Number, 0) });
    case 'int64': case 'uint64':
      return A.makeData({ ...base, data: fixedWidth(TYPED[t.k], values, BigInt, 0n) });
    case 'float16': return A.makeData({ ...base, data: fixedWidth(Uint16Array, values, (v) => f16Bits(num(v)), 0) });
    case 'float32': case 'float64': return A.makeData({ ...base, data: fixedWidth(TYPED[t.k], values, num, 0) });
    case 'bool': {
      const bits = new Uint8Array((length + 7) >> 3);
      values.forEach((v, i) => { if (v) bits[i >> 3] |= 1 << (i & 7); });
      return A.makeData({ ...base, data: bits });
    }
    case 'utf8': case 'large_utf8': return A.makeData({ ...base, ...varBytes(values, t.k === 'large_utf8', true) });
    case 'binary': case 'large_binary': return A.makeData({ ...base, ...varBytes(values, t.k === 'large_binary', false) });
    case 'fixed_size_binary': {
      const data = new Uint8Array(length * t.width);
      values.forEach((v, i) => { if (v !== null) data.set(Buffer.from(v, 'base64'), i * t.width); });
      return A.makeData({ ...base, data });
    }
    case 'decimal128': return A.makeData({ ...base, data: decimalWords(values, 4) });
    case 'decimal256': return A.makeData({ ...base, data: decimalWords(values, 8) });
    case 'date32': case 'time32': return A.makeData({ ...base, data: fixedWidth(Int32Array, values, Number, 0) });
    case 'date64': case 'time64': case 'timestamp': case 'duration':
      return A.makeData({ ...base, data: fixedWidth(BigInt64Array, values, BigInt, 0n) });
    case 'dictionary': {
      const dictionary = A.makeVector(buildData({ k: 'utf8' }, new A.Utf8(), DICT_WORDS));
      const data = fixedWidth(TYPED[t.key], values, (v) => (t.key.endsWith('64') ? BigInt(DICT_WORDS.indexOf(v)) : DICT_WORDS.indexOf(v)),
        t.key.endsWith('64') ? 0n : 0);
      return A.makeData({ ...base, data, dictionary });
    }
    case 'vector': {
      const flat = values.flatMap((v) => v ?? new Array(t.dim).fill(0));
      const child = buildData({ k: t.item }, type.children[0].type, flat);
      return A.makeData({ ...base, child });
    }
    case 'list': {
      const offsets = new Int32Array(length + 1);
      const flat = [];
      values.forEach((v, i) => { if (v !== null) flat.push(...v); offsets[i + 1] = flat.length; });
      const child = buildData(t.item, type.children[0].type, flat);
      return A.makeData({ ...base, valueOffsets: offsets, child });
    }
    case 'struct': {
      const children = t.fields.map((f, j) => buildData(f.type, type.children[j].type,
        values.map((v) => (v === null ? (f.nullable ? null : zeroValue(f.type)) : v[f.name] ?? (f.nullable ? null : zeroValue(f.type))))));
      return A.makeData({ ...base, children });
    }
    case 'null': return A.makeData({ type, length });
    default: throw new Error(`cannot build ${JSON.stringify(t)}`);
  }
}

// What sits under a null struct in a non-nullable child (any value is valid there).
function zeroValue(t) {
  switch (t.k) {
    case 'utf8': case 'large_utf8': case 'binary': case 'large_binary': return '';
    case 'fixed_size_binary': return Buffer.alloc(t.width).toString('base64');
    case 'bool': return false;
    case 'dictionary': return DICT_WORDS[0];
    case 'vector': return new Array(t.dim).fill(0);
    case 'list': return [];
    case 'struct': return Object.fromEntries(t.fields.map((f) => [f.name, f.nullable ? null : zeroValue(f.type)]));
    case 'null': return null;
    default: return t.k.endsWith('64') || ['timestamp', 'duration', 'time64', 'decimal128', 'decimal256'].includes(t.k) ? '0' : 0;
  }
}

/** An Arrow table of raw rows over the column specs (one record batch). */
function arrowTable(columns, rows) {
  const types = columns.map((c) => toArrow(c.type));
  const fields = columns.map((c, j) => new A.Field(c.name, types[j], c.nullable));
  const children = columns.map((c, j) => buildData(c.type, types[j], rows.map((row) => row[c.name] ?? null)));
  const schema = new A.Schema(fields);
  const data = A.makeData({ type: new A.Struct(fields), length: rows.length, nullCount: 0, children });
  return new A.Table([new A.RecordBatch(schema, data)]);
}

// ---------------------------------------------------------------------------------------------
// SQL literals and random filters over a table's columns.
function sqlString(s) { return `'${String(s).replace(/'/g, "''")}'`; }

const SCALAR_SQL = new Set([...INTS, ...FLOATS, 'bool', 'utf8', 'large_utf8', 'date32', 'date64', 'timestamp', 'decimal128', 'decimal256', 'dictionary']);

function isoOf(raw, per) {
  let ticks = BigInt(raw);
  let seconds = ticks / per;
  let frac = ticks % per;
  if (frac < 0n) { frac += per; seconds -= 1n; }
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return null;
  const digits = per.toString().length - 1;
  return date.toISOString().slice(0, 19).replace('T', ' ') + (digits ? '.' + frac.toString().padStart(digits, '0') : '');
}

/** A SQL literal for raw value `v` of spec `t` (null when the type has no literal we generate). */
function sqlLiteral(t, v) {
  if (v === null) return 'NULL';
  switch (t.k) {
    case 'int8': case 'int16': case 'int32': case 'int64': case 'uint8': case 'uint16': case 'uint32': case 'uint64':
      return String(v);
    case 'float16': case 'float32': case 'float64': {
      const x = num(v);
      if (Number.isNaN(x)) return "'NaN'";
      if (!Number.isFinite(x)) return x > 0 ? "'Infinity'" : "'-Infinity'";
      return Object.is(x, -0) ? '-0.0' : String(x).includes('e') ? x.toExponential() : String(x);
    }
    case 'bool': return v ? 'true' : 'false';
    case 'utf8': case 'large_utf8': case 'dictionary': return typeof v === 'object' ? null : sqlString(v);
    case 'date32': return `DATE '${new Date(v * 86400000).toISOString().slice(0, 10)}'`;
    case 'date64': return `DATE '${new Date(Number(v)).toISOString().slice(0, 10)}'`;
    case 'timestamp': {
      const iso = isoOf(v, { s: 1n, ms: 1000n, us: 1000000n, ns: 1000000000n }[t.unit]);
      return iso ? `TIMESTAMP '${iso}'` : null;
    }
    case 'decimal128': case 'decimal256': {
      const neg = v.startsWith('-');
      const digits = (neg ? v.slice(1) : v).padStart(t.scale + 1, '0');
      const text = (neg ? '-' : '') + (t.scale ? `${digits.slice(0, digits.length - t.scale)}.${digits.slice(digits.length - t.scale)}` : digits);
      // LanceDB reads a plain numeric literal as a float64: beyond 15 digits it must be a typed decimal.
      if (digits.replace(/^0+/, '').length <= 15) return text;
      return t.precision <= 38 ? `CAST('${text}' AS DECIMAL(${t.precision}, ${t.scale}))` : text;
    }
    default: return null;
  }
}

function randomFilter(r, columns, rows, depth = 0) {
  if (depth < 2 && r.chance(0.3)) {
    const op = r.pick(['AND', 'OR']);
    return `(${randomFilter(r, columns, rows, depth + 1)}) ${op} (${randomFilter(r, columns, rows, depth + 1)})`;
  }
  if (depth < 2 && r.chance(0.1)) return `NOT (${randomFilter(r, columns, rows, depth + 1)})`;
  const col = r.pick(columns);
  const name = quoteIdent(col.name);
  const sample = () => (rows.length ? rows[r.int(0, rows.length - 1)][col.name] ?? null : null);
  if (!SCALAR_SQL.has(col.type.k) || r.chance(0.15)) return `${name} IS ${r.chance(0.5) ? '' : 'NOT '}NULL`;
  const lit = () => {
    let v = sample();
    if (v === null || r.chance(0.2)) v = randomValue(r, col.type, false, { nullRate: 0, bigBudget: 0, hugeRate: 0 });
    return sqlLiteral(col.type, v);
  };
  const a = lit();
  if (a === null || a === 'NULL') return `${name} IS NULL`;
  const roll = r.next();
  if (roll < 0.5) return `${name} ${r.pick(['=', '!=', '<', '<=', '>', '>='])} ${a}`;
  if (roll < 0.65) {
    const list = [a, lit(), lit()].filter((x) => x !== null && x !== 'NULL');
    return `${name} ${r.chance(0.2) ? 'NOT ' : ''}IN (${list.join(', ')})`;
  }
  if (roll < 0.8) {
    const b = lit();
    if (b !== null && b !== 'NULL') return `${name} BETWEEN ${a} AND ${b}`;
  }
  if (['utf8', 'large_utf8', 'dictionary'].includes(col.type.k)) {
    const s = sample();
    const text = typeof s === 'string' ? s : 'a';
    const chars = Array.from(text); // by code point: never half an emoji (a lone surrogate)
    const cut = chars.slice(0, r.int(0, Math.min(3, chars.length))).join('');
    return `${name} ${r.chance(0.2) ? 'NOT ' : ''}LIKE ${sqlString(r.pick([cut + '%', '%' + cut + '%', cut + '_%', '%']))}`;
  }
  return `${name} = ${a}`;
}

function quoteIdent(name) { return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `\`${name}\``; }

// ---------------------------------------------------------------------------------------------
// Table generation and the operations LanceDB runs on it.
function storageOptions(spec) {
  const o = { new_table_data_storage_version: spec.storageVersion };
  if (spec.stableRowIds) o.new_table_enable_stable_row_ids = 'true';
  return o;
}

function randomRows(r, columns, count, ctx) {
  return Array.from({ length: count }, () => {
    const row = {};
    for (const c of columns) row[c.name] = c.name === 'id' ? String(ctx.nextId++) : randomValue(r, c.type, c.nullable, ctx);
    return row;
  });
}

function randomSpec(r, name, args, kinds) {
  const storageVersion = r.pick(args.versions ?? ['legacy', '2.0', '2.1', '2.2']);
  const ncols = r.int(3, 12);
  const columns = [{ name: 'id', type: { k: 'int64' }, nullable: r.chance(0.3) }];
  for (let j = 1; j < ncols; j++) {
    const type = randomType(r, kinds, 0);
    const nullable = r.chance(0.75);
    columns.push({ name: `c${j}`, type, nullable: nullable || type.k === 'null' });
  }
  // A float32 vector column in a third of the tables (when vectors are drawn at all), so searches get compared.
  if (kinds.includes('vector') && r.chance(0.35)) {
    columns.push({ name: `c${ncols}`, type: { k: 'vector', item: 'float32', dim: r.pick([2, 4, 8, 16]) }, nullable: r.chance(0.7) });
  }
  const ctx = newCtx(r, 0);
  const rows = randomRows(r, columns, r.int(0, args.rows ?? 60), ctx);
  return { table: name, storageVersion, stableRowIds: r.chance(0.3), columns, rows, ops: [], seed: r.int(0, 2 ** 30) };
}

function newCtx(r, nextId) {
  return { nextId, nullRate: r.pick([0, 0.1, 0.3, 0.9]), hugeRate: r.pick([0, 0, 0.01, 0.05]), bigBudget: 6 * 1024 * 1024 };
}

/** The next random operation for the table's current schema and rows (data drawn here, recorded in the op). */
function randomOp(r, columns, rows, ctx, version, maxRows) {
  const others = columns.filter((c) => c.name !== 'id');
  const roll = r.next();
  const filter = () => randomFilter(r, columns, rows);
  const count = () => r.int(1, Math.max(1, Math.floor(maxRows / 2)));
  if (roll < 0.22) return { op: 'add', rows: randomRows(r, columns, count(), ctx) };
  if (roll < 0.32) return { op: 'delete', where: filter() };
  if (roll < 0.42 && others.length) {
    const c = r.pick(others.filter((x) => SCALAR_SQL.has(x.type.k)).concat(others).slice(0, 8));
    const v = rows.length ? rows[r.int(0, rows.length - 1)][c.name] ?? null : null;
    const lit = r.chance(0.2) && c.nullable ? 'NULL' : sqlLiteral(c.type, v ?? randomValue(r, c.type, false, { ...ctx, bigBudget: 0 }));
    if (lit === null) return { op: 'delete', where: filter() };
    return { op: 'update', where: r.chance(0.2) ? null : filter(), valuesSql: { [c.name]: lit } };
  }
  if (roll < 0.48 && others.length) {
    const numeric = others.filter((c) => INTS.includes(c.type.k) || ['float32', 'float64'].includes(c.type.k));
    const strings = others.filter((c) => c.type.k === 'utf8');
    if (numeric.length && r.chance(0.6)) {
      const c = r.pick(numeric);
      return { op: 'update', where: r.chance(0.3) ? null : filter(), valuesSql: { [c.name]: `${quoteIdent(c.name)} ${r.pick(['+', '-', '*'])} ${r.int(0, 3)}` } };
    }
    if (strings.length) {
      const c = r.pick(strings);
      return { op: 'update', where: filter(), valuesSql: { [c.name]: `concat(${quoteIdent(c.name)}, ${sqlString(r.pick(TEXTS))})` } };
    }
    return { op: 'delete', where: filter() };
  }
  if (roll < 0.58) {
    // Upsert: some existing ids changed, some new.
    const src = randomRows(r, columns, count(), ctx);
    const existing = rows.map((x) => x.id).filter((x) => x !== null);
    for (const row of src) if (existing.length && r.chance(0.5)) row.id = r.pick(existing);
    const unique = [...new Map(src.map((x) => [x.id, x])).values()];
    return { op: 'mergeInsert', matched: r.chance(0.8), notMatched: r.chance(0.8), rows: unique };
  }
  if (roll < 0.64) {
    const ints = columns.filter((c) => INTS.includes(c.type.k));
    const base = r.pick(ints.length ? ints : columns);
    const exprs = [`id * 2`, `CAST(id AS STRING)`, `id > 5`, `CAST(${quoteIdent(base.name)} AS DOUBLE) / 3`, `'const'`, `NULL`, `concat('x', CAST(id AS STRING))`];
    return { op: 'addColumns', name: `a${version}_${r.int(0, 999)}`, expr: r.pick(exprs) };
  }
  if (roll < 0.69 && others.length) {
    const c = r.pick(others);
    return r.chance(0.6) ? { op: 'alterColumns', path: c.name, rename: `${c.name}_r` } : { op: 'alterColumns', path: c.name, nullable: true };
  }
  if (roll < 0.73 && others.length > 1) return { op: 'dropColumns', names: [r.pick(others).name] };
  if (roll < 0.81) return { op: 'optimize' };
  if (roll < 0.86 && version > 1) return { op: 'restore', version: r.int(1, version - 1) };
  if (roll < 0.9) return { op: 'overwrite', rows: randomRows(r, columns, count(), ctx) };
  if (roll < 0.95) return { op: 'tag', name: `t${version}_${r.int(0, 999)}`, version: r.int(1, version) };
  return { op: 'add', rows: randomRows(r, columns, count(), ctx) };
}

async function applyOp(conn, tb, spec, op, columns) {
  switch (op.op) {
    case 'add': await tb.add(arrowTable(columns, op.rows)); return tb;
    case 'delete': await tb.delete(op.where); return tb;
    case 'update': await tb.update(op.where ? { where: op.where, valuesSql: op.valuesSql } : { valuesSql: op.valuesSql }); return tb;
    case 'mergeInsert': {
      let b = tb.mergeInsert('id');
      if (op.matched) b = b.whenMatchedUpdateAll();
      if (op.notMatched) b = b.whenNotMatchedInsertAll();
      await b.execute(arrowTable(columns, op.rows));
      return tb;
    }
    case 'addColumns': await tb.addColumns([{ name: op.name, valueSql: op.expr }]); return tb;
    case 'alterColumns': await tb.alterColumns([op.rename ? { path: op.path, rename: op.rename } : { path: op.path, nullable: op.nullable }]); return tb;
    case 'dropColumns': await tb.dropColumns(op.names); return tb;
    case 'optimize': await tb.optimize({ cleanupOlderThan: undefined }); return tb;
    case 'restore': await tb.checkout(op.version); await tb.restore(); return tb;
    case 'overwrite': await tb.add(arrowTable(columns, op.rows), { mode: 'overwrite' }); return tb;
    case 'tag': await (await tb.tags()).create(op.name, op.version); return tb;
    default: throw new Error(`unknown op ${op.op}`);
  }
}

function firstLine(e) { return String(e?.message ?? e).split('\n')[0].slice(0, 500); }

/** LanceDB's rows sorted by id (ids are int64 decimal strings; null ids last). */
function byId(rows) {
  const key = (x) => (x.id === null || x.id === undefined ? null : BigInt(x.id));
  return rows.slice().sort((a, b) => {
    const x = key(a), y = key(b);
    if (x === null) return y === null ? 0 : 1;
    if (y === null) return -1;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Creates the table, isolating any column type LanceDB refuses (listed, then left out of the table). */
async function createTable(conn, spec, typesRefused) {
  try {
    return await conn.createTable(spec.table, arrowTable(spec.columns, spec.rows), { mode: 'overwrite', storageOptions: storageOptions(spec) });
  } catch (e) {
    const error = firstLine(e);
    const keep = [];
    for (const c of spec.columns) {
      if (c.name === 'id') { keep.push(c); continue; }
      try {
        const probe = `${spec.table}__probe`;
        await conn.createTable(probe, arrowTable([spec.columns[0], c], spec.rows.slice(0, 3)), { mode: 'overwrite', storageOptions: storageOptions(spec) });
        await conn.dropTable(probe);
        keep.push(c);
      } catch (e2) {
        typesRefused.push({ table: spec.table, storageVersion: spec.storageVersion, column: c.name, type: c.type, error: firstLine(e2) });
      }
    }
    if (keep.length === spec.columns.length) throw new Error(`LanceDB refused table ${spec.table} but every column alone: ${error}`);
    spec.columns = keep;
    spec.rows = spec.rows.map((row) => Object.fromEntries(keep.map((c) => [c.name, row[c.name] ?? null])));
    return conn.createTable(spec.table, arrowTable(spec.columns, spec.rows), { mode: 'overwrite', storageOptions: storageOptions(spec) });
  }
}

/** Runs a table spec: creates it, applies its ops (generating them when `gen`), writes every version's scan. */
async function runTable(conn, out, spec, gen, typesRefused) {
  const r = rng(spec.seed);
  let tb = await createTable(conn, spec, typesRefused);
  const applied = [];
  const refused = [];
  const ops = gen ? [] : spec.ops;
  const ctx = newCtx(r, 1000000 + spec.rows.length);
  for (let i = 0; gen ? i < gen.ops : i < ops.length; i++) {
    const columns = specOfSchema(await tb.schema());
    const version = await tb.version();
    let op;
    if (gen) {
      const rows = rowsJson(await tb.query().toArrow());
      op = randomOp(r, columns, rows.map(rawRow(columns)), ctx, version, gen.rows);
      ops.push(op);
    } else {
      op = ops[i];
    }
    try {
      tb = await applyOp(conn, tb, spec, op, columns);
      applied.push(i);
    } catch (e) {
      refused.push({ index: i, op: op.op, error: firstLine(e) });
      try { await tb.checkoutLatest(); } catch { /* a failed restore leaves it checked out */ }
    }
  }
  spec.ops = ops;
  const versions = [];
  for (const v of await tb.listVersions()) {
    await tb.checkout(v.version);
    const schema = await tb.schema();
    const result = await tb.query().toArrow();
    const rows = byId(rowsJson(result));
    writeFileSync(join(out, `${spec.table}.v${v.version}.json`), JSON.stringify({ version: v.version, schema: fieldsJson(schema), rows }));
    versions.push(v.version);
  }
  await tb.checkoutLatest();
  return { tb, versions, applied, refused };
}

// Converts a rendered row (common.mjs) back to raw values, close enough to draw literals from.
function rawRow(columns) {
  const kinds = Object.fromEntries(columns.map((c) => [c.name, c.type]));
  return (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, rawValue(kinds[k], v)]));
}

function rawValue(t, v) {
  if (v === null || t === undefined) return null;
  switch (t.k) {
    case 'date32': return Math.round(Date.parse(v) / 86400000);
    case 'date64': return String(Date.parse(v));
    case 'timestamp': case 'decimal128': case 'decimal256': case 'time32': case 'time64': case 'duration': return null; // rendered forms: drawn afresh
    default: return typeof v === 'object' ? null : v;
  }
}

async function filtersOf(r, tb, columns, count) {
  const rows = rowsJson(await tb.query().toArrow()).map(rawRow(columns));
  const filters = [];
  for (let i = 0; i < count; i++) {
    const filter = randomFilter(r, columns, rows);
    try {
      const n = await tb.countRows(filter);
      const ids = rowsJson(await tb.query().where(filter).select(['id']).toArrow()).map((x) => x.id);
      filters.push({ filter, count: n, ids: sortIds(ids) });
    } catch (e) {
      filters.push({ filter, error: firstLine(e) });
    }
  }
  return filters;
}

function sortIds(ids) {
  return ids.slice().sort((a, b) => (a === null ? 1 : b === null ? -1 : BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

async function searchOf(r, tb, columns) {
  // Float vectors of every width by l2, uint8 vectors by hamming (the metrics LanceDB allows them).
  const vectors = columns.filter((c) => c.type.k === 'vector' && ['float32', 'float16', 'float64', 'uint8'].includes(c.type.item));
  if (!vectors.length) return null;
  const col = r.pick(vectors);
  const metric = col.type.item === 'uint8' ? 'hamming' : 'l2';
  const query = Array.from({ length: col.type.dim }, () => (metric === 'hamming' ? r.int(0, 255) : Math.fround(r.next() * 2 - 1)));
  const k = r.int(1, 10);
  try {
    const res = await tb.vectorSearch(query).column(col.name).distanceType(metric).bypassVectorIndex().select(['id']).limit(k).toArrow();
    const rows = rowsJson(res);
    return { column: col.name, metric, query, k, ids: rows.map((x) => x.id), distances: rows.map((x) => x._distance) };
  } catch (e) {
    return { column: col.name, metric, query, k, error: firstLine(e) };
  }
}

/** Random rows for our engine to append (same schema as the latest version), as an Arrow IPC file. */
function appendFile(r, out, spec, columns, maxRows) {
  const ctx = newCtx(r, 2000000);
  const buildable = columns.every((c) => !c.type.k.startsWith('unsupported'));
  if (!buildable) return null;
  const rows = randomRows(r, columns, r.int(1, Math.max(1, maxRows)), ctx);
  const path = join(out, `${spec.table}.append.arrow`);
  writeFileSync(path, A.tableToIPC(arrowTable(columns, rows), 'file'));
  return path;
}

/** Our engine's writes, made again by LanceDB on a twin copy: append the IPC rows, update (or several `updates`), delete. */
async function twin(args) {
  const conn = await connect(required(args, 'db', 'string'));
  const tb = await conn.openTable(required(args, 'table', 'string'));
  const done = [];
  const refused = [];
  const step = async (name, body) => {
    try { await body(); done.push(name); } catch (e) { refused.push({ op: name, error: firstLine(e) }); }
  };
  if (args.ipc) await step('add', () => tb.add(A.tableFromIPC(readFileSync(args.ipc))));
  if (args.update) {
    await step('update', () => tb.update(args.update.where ? { where: args.update.where, valuesSql: args.update.valuesSql } : { valuesSql: args.update.valuesSql }));
  }
  // Several updates, one after another (`update0`, `update1`, ... in `done` or `refused`).
  for (const [i, u] of (args.updates ?? []).entries()) {
    await step(`update${i}`, () => tb.update(u.where ? { where: u.where, valuesSql: u.valuesSql } : { valuesSql: u.valuesSql }));
  }
  if (args.delete) await step('delete', () => tb.delete(args.delete));
  return { version: await tb.version(), done, refused };
}

main(async (args) => {
  if (args.twin) return twin(args.twin);
  const out = required(args, 'out', 'string');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const conn = await connect(out);
  const seed = args.seed ?? 1;
  const kinds = args.types ?? KINDS;
  const unknown = kinds.filter((k) => !KINDS.includes(k));
  if (unknown.length) throw new Error(`unknown types ${unknown.join(', ')}; known: ${KINDS.join(', ')}`);
  const master = rng(seed);
  const typesRefused = [];
  const tables = [];
  const specs = args.replay ? [structuredClone(args.replay)] : Array.from({ length: args.tables ?? 3 },
    (_, k) => randomSpec(master, `t${seed}_${k}`, args, kinds));
  for (const spec of specs) {
    const initial = structuredClone(spec);
    const gen = args.replay ? null : { ops: master.int(0, args.ops ?? 8), rows: args.rows ?? 60 };
    const entry = { table: spec.table, storageVersion: spec.storageVersion, stableRowIds: spec.stableRowIds };
    try {
      const { tb, versions, applied, refused } = await runTable(conn, out, spec, gen, typesRefused);
      const schema = await tb.schema();
      const columns = specOfSchema(schema);
      const r = rng(spec.seed + 1);
      Object.assign(entry, {
        versions,
        schema: fieldsJson(schema),
        opsApplied: applied.map((i) => spec.ops[i].op),
        opsRefused: refused,
        filters: await filtersOf(r, tb, columns, args.filters ?? 20),
        search: await searchOf(r, tb, columns),
        append: appendFile(r, out, spec, columns, Math.min(20, args.rows ?? 60)),
        write: writePlan(r, columns, spec),
      });
    } catch (e) {
      entry.error = firstLine(e);
      if (process.env.FUZZ_DEBUG) process.stderr.write(`${e.stack}\n`);
    }
    // The replay spec: the table as first created (refused columns already left out) and every op.
    entry.spec = { ...initial, columns: spec.columns, rows: spec.rows.map((row) => Object.fromEntries(spec.columns.map((c) => [c.name, row[c.name] ?? null]))), ops: spec.ops };
    tables.push(entry);
  }
  const manifest = { seed, kinds, excluded: EXCLUDED, tables, typesRefused };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest));
  return { out, seed, tables: tables.map((t) => t.table), typesRefused, excluded: EXCLUDED };
});

/** What our engine writes after reading: an update (SQL literal on a scalar column) and a delete. */
function writePlan(r, columns, spec) {
  const scalar = columns.filter((c) => c.name !== 'id' && SCALAR_SQL.has(c.type.k));
  let update = null;
  if (scalar.length) {
    const c = r.pick(scalar);
    const lit = c.nullable && r.chance(0.2) ? 'NULL' : sqlLiteral(c.type, randomValue(r, c.type, false, { nullRate: 0, bigBudget: 0, hugeRate: 0 }));
    if (lit !== null) update = { where: `id % ${r.int(2, 5)} = ${r.int(0, 1)}`, valuesSql: { [c.name]: lit } };
  }
  return { update, delete: `id % ${r.int(3, 7)} = ${r.int(0, 2)}` };
}
