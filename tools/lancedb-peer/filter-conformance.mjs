// filter-conformance.mjs: many SQL filters through LanceDB in one process, for the conformance table.
//   {db, table, filters: ["SQL", ...], vector?: [number], k?: 10, column?: "id"}
//   -> {results: [{filter, scan: {ids} | {error}, count: {count} | {error},
//                  pre?: {ids} | {error}, post?: {ids} | {error}}]}
// scan: query().where(filter).select([column]) in scan order; count: countRows(filter);
// pre / post (when vector is given): vectorSearch(vector).where(filter)[.postfilter()].limit(k), nearest first.
// ids are the `column` values as strings. An error is LanceDB's message, first line only.
import { main, openTable, required } from './lib/common.mjs';

const firstLine = (err) => String(err?.message ?? err).split('\n')[0];

async function attempt(fn) {
  try {
    return await fn();
  } catch (err) {
    return { error: firstLine(err) };
  }
}

main(async (args) => {
  const table = await openTable(args);
  const column = args.column ?? 'id';
  const k = args.k ?? 10;
  // An empty search result may come back without any columns.
  const ids = (result) => ({ ids: result.numRows === 0 ? [] : Array.from(result.getChild(column).toArray(), (x) => String(x)) });
  const results = [];
  for (const filter of required(args, 'filters', 'array')) {
    const entry = { filter };
    entry.scan = await attempt(async () => ids(await table.query().where(filter).select([column]).toArrow()));
    entry.count = await attempt(async () => ({ count: await table.countRows(filter) }));
    if (args.vector) {
      const search = () => table.vectorSearch(Float32Array.from(args.vector)).where(filter).select([column, '_distance']);
      entry.pre = await attempt(async () => ids(await search().limit(k).toArrow()));
      entry.post = await attempt(async () => ids(await search().postfilter().limit(k).toArrow()));
    }
    results.push(entry);
  }
  return { results };
});
