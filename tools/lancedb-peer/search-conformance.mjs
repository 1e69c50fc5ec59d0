// search-conformance.mjs: many exact vector searches through LanceDB in one process, for the random search harness.
//   {db, table, column, searches: [{vector, metric, k, offset?, filter?, postfilter?, lower?, upper?}]}
//   -> {results: [{ids: [...], distances: [...]} | {error}]}
// Each search: vectorSearch(vector).column(column).distanceType(metric).bypassVectorIndex()
//   [.where(filter)][.postfilter()][.distanceRange(lower, upper)][.offset(offset)].limit(k)
//   .select(['id', '_distance']), nearest first. ids are strings; a NaN distance is null.
// An error is LanceDB's message, first line only.
import { main, openTable, required } from './lib/common.mjs';

const firstLine = (err) => String(err?.message ?? err).split('\n')[0];

main(async (args) => {
  const table = await openTable(args);
  const column = required(args, 'column', 'string');
  const results = [];
  for (const s of required(args, 'searches', 'array')) {
    try {
      let q = table.vectorSearch(Float32Array.from(s.vector, (x) => (x === null ? NaN : x)))
        .column(column).distanceType(s.metric).bypassVectorIndex();
      if (s.filter) q = q.where(s.filter);
      if (s.postfilter) q = q.postfilter();
      if (s.lower != null || s.upper != null) q = q.distanceRange(s.lower ?? undefined, s.upper ?? undefined);
      if (s.offset) q = q.offset(s.offset);
      const result = await q.limit(s.k).select(['id', '_distance']).toArrow();
      if (result.numRows === 0) {
        results.push({ ids: [], distances: [] });
        continue;
      }
      const ids = Array.from(result.getChild('id').toArray(), (x) => String(x));
      const distances = Array.from(result.getChild('_distance').toArray(), (x) => (Number.isNaN(x) ? null : x));
      results.push({ ids, distances });
    } catch (err) {
      results.push({ error: firstLine(err) });
    }
  }
  return { results };
});
