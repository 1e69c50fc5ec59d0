// bench-filter.mjs: LanceDB's side of the filter benchmarks, on an existing table (e.g. one our engine wrote).
//   {db, table, queries: "<json file of vectors>", filters: ["SQL", ...], searchFilter: "SQL", k?: 10,
//    scanRepeats?: 5, warmup?: 3}
//   -> {rows, scans: [{filter, rows, secondsMedian, rowsScannedPerSecond}],
//       search: {unfilteredSecondsMedian, prefilterSecondsMedian, postfilterSecondsMedian, queries,
//                firstPrefilterIds: [string]}}
// Scans: query().where(filter).select(["id"]).toArrow(), timed whole (median of scanRepeats).
// Searches: vectorSearch(q).bypassVectorIndex().select(["id"]).limit(k) without a filter, with
// .where(searchFilter) (prefilter, LanceDB's default) and with .where(searchFilter).postfilter().
import { readFileSync } from 'node:fs';
import { main, openTable, required } from './lib/common.mjs';

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

main(async (args) => {
  const table = await openTable(args);
  const rows = await table.countRows();
  const k = args.k ?? 10;
  const repeats = args.scanRepeats ?? 5;
  const queries = JSON.parse(readFileSync(required(args, 'queries', 'string'), 'utf8')).map((q) => Float32Array.from(q));

  const scans = [];
  for (const filter of required(args, 'filters', 'array')) {
    let count = 0;
    const times = [];
    for (let r = 0; r < repeats + 1; r++) {
      const start = process.hrtime.bigint();
      const result = await table.query().where(filter).select(['id']).toArrow();
      const t = seconds(start);
      count = result.numRows;
      if (r > 0) times.push(t); // the first run warms up
    }
    const m = median(times);
    scans.push({ filter, rows: count, secondsMedian: m, rowsScannedPerSecond: rows / m });
  }

  const searchFilter = required(args, 'searchFilter', 'string');
  const search = (q, mode) => {
    let query = table.vectorSearch(q).bypassVectorIndex().select(['id', '_distance']);
    if (mode !== 'none') query = query.where(searchFilter);
    if (mode === 'post') query = query.postfilter();
    return query.limit(k).toArrow();
  };
  const timed = async (mode) => {
    for (let i = 0; i < Math.min(args.warmup ?? 3, queries.length); i++) await search(queries[i], mode);
    const times = [];
    for (const q of queries) {
      const start = process.hrtime.bigint();
      await search(q, mode);
      times.push(seconds(start));
    }
    return median(times);
  };
  const first = await search(queries[0], 'pre');
  return {
    rows,
    scans,
    search: {
      queries: queries.length,
      unfilteredSecondsMedian: await timed('none'),
      prefilterSecondsMedian: await timed('pre'),
      postfilterSecondsMedian: await timed('post'),
      firstPrefilterIds: Array.from(first.getChild('id').toArray(), (x) => x.toString()),
    },
  };
});
