// hybrid.mjs {db, table, rows?, index?: [{column, options?}], queries: [{text, vector, column?, limit?, k?, filter?}]}
//   -> {results: [[{id, relevance, distance, score}], ...]}
// Creates the table from `rows` (a `vector` column becomes fixed_size_list<float32>) when given, builds LanceDB
// full-text indexes, then runs LanceDB's hybrid query for each entry:
// query().fullTextSearch(text).nearestTo(vector).rerank(RRFReranker(k)).limit(limit), ids as numbers.
import { Index, MatchQuery, rerankers } from '@lancedb/lancedb';
import { connect, main, required } from './lib/common.mjs';

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  const table = args.rows ? await conn.createTable(name, args.rows, { mode: 'overwrite' }) : await conn.openTable(name);
  for (const spec of args.index ?? []) {
    await table.createIndex(spec.column, { config: Index.fts(spec.options ?? {}), replace: true });
  }
  const results = [];
  for (const q of required(args, 'queries', 'array')) {
    const reranker = await rerankers.RRFReranker.create(q.k ?? 60);
    let query = table.query()
      .fullTextSearch(q.column ? new MatchQuery(q.text, q.column) : q.text)
      .nearestTo(Float32Array.from(q.vector))
      .rerank(reranker);
    if (q.filter) query = query.where(q.filter);
    const rows = await query.limit(q.limit ?? 10).toArray();
    results.push(rows.map((r) => ({
      id: Number(r.id),
      relevance: r._relevance_score,
      distance: r._distance ?? null,
      score: r._score ?? null,
    })));
  }
  return { results };
});
