// search.mjs {db, table, vector:[...], k, metric?:"l2"|"cosine"|"dot"|"hamming", column?, columns?, filter?, version?, exact?}
//   -> {rowCount, rows:[{col:value, ..., _distance}]}  (ordered by _distance, as LanceDB returns them)
import { main, openTable, required, rowsJson } from './lib/common.mjs';

main(async (args) => {
  const vector = required(args, 'vector', 'array');
  const k = required(args, 'k', 'number');
  const table = await openTable(args);
  // A hamming search takes the uint8 query as it is; the float metrics take float32.
  let query = table.vectorSearch(args.metric === 'hamming' ? vector : Float32Array.from(vector));
  if (args.column) query = query.column(args.column);
  query = query.distanceType(args.metric ?? 'l2');
  if (args.filter) query = query.where(args.filter);
  // Naming _distance keeps it in the output (LanceDB warns when a projection leaves it implicit).
  if (args.columns) query = query.select(args.columns.includes('_distance') ? args.columns : [...args.columns, '_distance']);
  if (args.exact) query = query.bypassVectorIndex();
  const result = await query.limit(k).toArrow();
  return { rowCount: result.numRows, rows: rowsJson(result) };
});
