// multi-vector.mjs: LanceDB's multi-vector query (nearestTo(q0).addQueryVector(q1)...), for the ORM's Search(vectors) tests.
//   {db, table, queries:[[...], ...], k, column?, metric?, filter?, postfilter?, offset?, nprobes?, refine?, exact?}
//     -> {schema:[{name, type}], rows:[{queryIndex, id, distance}]}
//   rows as LanceDB returns them (its union of the per-query searches does not promise an order between queries).
import { fieldsJson, main, openTable, required } from './lib/common.mjs';

main(async (args) => {
  const queries = required(args, 'queries', 'array');
  if (queries.length === 0) throw new Error('argument "queries" must hold at least one vector');
  const table = await openTable(args);
  let query = table.vectorSearch(Float32Array.from(queries[0]));
  for (const vector of queries.slice(1)) query = query.addQueryVector(Float32Array.from(vector));
  query = query.column(args.column ?? 'vector').distanceType(args.metric ?? 'l2');
  if (args.filter) query = query.where(args.filter);
  if (args.postfilter) query = query.postfilter();
  if (args.offset) query = query.offset(args.offset);
  if (args.nprobes) query = query.nprobes(args.nprobes);
  if (args.refine) query = query.refineFactor(args.refine);
  if (args.exact) query = query.bypassVectorIndex();
  const result = await query.select(['id', '_distance']).limit(required(args, 'k', 'number')).toArrow();
  const rows = result.toArray().map((r) => ({ queryIndex: r.query_index, id: Number(r.id), distance: r._distance }));
  return { schema: fieldsJson(result.schema), rows };
});
