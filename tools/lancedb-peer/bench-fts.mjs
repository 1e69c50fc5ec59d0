// bench-fts.mjs: LanceDB's side of the full-text benchmark, on two copies of one table.
//   {db, own, other, column, options, queries: {kind: [text]}, limit?: 10, warmup?: 5}
//   -> {buildSeconds, buildCpuSeconds (the process's CPU time during the build), own: {kind: {secondsMedian, results: [[{id, score}]]}}, other: {...}, rssMiB}
// Builds LanceDB's full-text index (Index.fts(options)) on table `own` and times it, then runs every query
// (kind "phrase": PhraseQuery; any other: MatchQuery with OR) on `own` and on `other` (indexed by another
// library), after `warmup` untimed queries of each kind, selecting id and _score.
import { Index, MatchQuery, PhraseQuery, Operator } from '@lancedb/lancedb';
import { connect, main, required } from './lib/common.mjs';

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const column = required(args, 'column', 'string');
  const limit = args.limit ?? 10;
  const queries = required(args, 'queries', 'object');
  const own = await conn.openTable(required(args, 'own', 'string'));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await own.createIndex(column, { config: Index.fts(args.options ?? {}), replace: true });
  const buildSeconds = seconds(start);
  const cpu = process.cpuUsage(cpuStart);
  const buildCpuSeconds = (cpu.user + cpu.system) / 1e6;

  const toQuery = (kind, text) => (kind === 'phrase'
    ? new PhraseQuery(text, column, { slop: 0 })
    : new MatchQuery(text, column, { operator: Operator.Or }));
  const search = async (table, kind, text) => {
    const rows = await table.search(toQuery(kind, text), 'fts').select(['id', '_score']).limit(limit).toArray();
    return rows.map((r) => ({ id: Number(r.id), score: r._score }));
  };
  const timeAll = async (table) => {
    const out = {};
    for (const [kind, texts] of Object.entries(queries)) {
      for (const text of texts.slice(0, args.warmup ?? 5)) await search(table, kind, text);
      const times = [];
      const results = [];
      for (const text of texts) {
        const t = process.hrtime.bigint();
        results.push(await search(table, kind, text));
        times.push(seconds(t));
      }
      out[kind] = { secondsMedian: median(times), results };
    }
    return out;
  };
  const ownResults = await timeAll(own);
  const otherResults = await timeAll(await conn.openTable(required(args, 'other', 'string')));
  return { buildSeconds, buildCpuSeconds, own: ownResults, other: otherResults, rssMiB: process.memoryUsage().rss / 1048576 };
});
