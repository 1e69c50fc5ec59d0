// bench-scalar.mjs: LanceDB's side of the scalar index benchmark, on an existing table (one our engine wrote).
//   {db, table, queries: "<json file of vectors>", filters: ["SQL", ...], indexes: [{column, kind:"btree"|"bitmap"}], k?: 10, warmup?: 3}
//   -> {rows, plain: [{filter, secondsMedian, ids}], build: [{column, kind, seconds, sizeBytes}], indexed: [{filter, secondsMedian, ids}],
//       rssBeforeIndexedMiB, rssAfterIndexedMiB, plans: [string]}
// Times exact prefiltered searches (bypassVectorIndex, LanceDB's default prefilter) for each filter without
// a scalar index, builds the indexes, times them again, then drops the indexes it built.
import { readFileSync } from 'node:fs';
import * as lancedb from '@lancedb/lancedb';
import { main, openTable, required } from './lib/common.mjs';

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mib = () => process.memoryUsage().rss / 1048576;

main(async (args) => {
  const table = await openTable(args);
  const rows = await table.countRows();
  const k = args.k ?? 10;
  const queries = JSON.parse(readFileSync(required(args, 'queries', 'string'), 'utf8')).map((q) => Float32Array.from(q));
  const filters = required(args, 'filters', 'array');
  const search = (q, filter) => table.vectorSearch(q).bypassVectorIndex().where(filter).select(['id']).limit(k).toArray();
  const timed = async (filter) => {
    for (let i = 0; i < Math.min(args.warmup ?? 3, queries.length); i++) await search(queries[i], filter);
    const times = [];
    for (const q of queries) {
      const start = process.hrtime.bigint();
      await search(q, filter);
      times.push(seconds(start));
    }
    const ids = (await search(queries[0], filter)).map((r) => Number(r.id));
    return { filter, secondsMedian: median(times), ids };
  };
  const plain = [];
  for (const filter of filters) plain.push(await timed(filter));
  const build = [];
  for (const { column, kind } of required(args, 'indexes', 'array')) {
    const start = process.hrtime.bigint();
    await table.createIndex(column, { config: kind === 'bitmap' ? lancedb.Index.bitmap() : lancedb.Index.btree(), replace: true });
    build.push({ column, kind, seconds: seconds(start) });
  }
  const listed = await table.listIndices();
  for (const b of build) b.sizeBytes = listed.find((i) => i.columns[0] === b.column)?.sizeBytes ?? null;
  const rssBeforeIndexedMiB = mib();
  const indexed = [];
  for (const filter of filters) indexed.push(await timed(filter));
  const rssAfterIndexedMiB = mib();
  const plans = [];
  for (const filter of filters) plans.push(await table.vectorSearch(queries[0]).bypassVectorIndex().where(filter).limit(k).explainPlan(true));
  for (const b of build) await table.dropIndex(`${b.column}_idx`);
  return { rows, plain, build, indexed, rssBeforeIndexedMiB, rssAfterIndexedMiB, plans };
});
