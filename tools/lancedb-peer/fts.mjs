// fts.mjs {db, table, rows?, schema?: "id-text", index?: [{column, options}], add?: [rows], delete?: sql, optimize?: bool,
//          queries: [{query, filter?, limit?, offset?}], limit?}
//   -> {results: [[{id, score}], ...], indices: [...]}
// Builds (or opens) a table, creates LanceDB full-text indexes, appends/deletes rows, optimizes, then runs full-text
// queries. A query is {type:"match", text, column, operator?, fuzziness?, prefixLength?, maxExpansions?, boost?},
// {type:"phrase", text, column, slop?}, {type:"multi", text, columns, boosts?, operator?},
// {type:"boolean", clauses:[["must"|"should"|"must_not", query]]} or {type:"boost", positive, negative, negativeBoost?}
// (lib/fts-query.mjs).
import { Index } from '@lancedb/lancedb';
import { connect, main, required } from './lib/common.mjs';
import { toQuery } from './lib/fts-query.mjs';

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  const table = args.rows ? await conn.createTable(name, args.rows, { mode: 'overwrite' }) : await conn.openTable(name);
  for (const spec of args.index ?? []) {
    await table.createIndex(spec.column, { config: Index.fts(spec.options ?? {}), replace: spec.replace ?? true });
  }
  if (args.add) await table.add(args.add);
  if (args.delete) await table.delete(args.delete);
  if (args.optimize) await table.optimize();
  const results = [];
  for (const q of args.queries ?? []) {
    let query = table.search(toQuery(q.query));
    if (q.filter) query = query.where(q.filter);
    query = query.select(['id', '_score']).limit(q.limit ?? args.limit ?? 10);
    if (q.offset) query = query.offset(q.offset);
    try {
      const rows = await query.toArray();
      results.push(rows.map((r) => ({ id: Number(r.id), score: r._score })));
    } catch (err) {
      results.push({ error: String(err?.message ?? err) });
    }
  }
  const indices = (await table.listIndices()).map((i) => ({ name: i.name, columns: i.columns, type: i.indexType }));
  return { results, indices };
});
