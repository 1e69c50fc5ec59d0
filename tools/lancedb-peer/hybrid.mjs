// hybrid.mjs {db, table, rows?, index?: [{column, options?}], queries: [{text, vector, column?, limit?, offset?, k?, filter?, select?}],
//             halves?: bool}
//   -> {results: [[{id, relevance, distance, score}], ...], vector?: [[{id, distance}], ...], fts?: [[{id, score}], ...]}
// Creates the table from `rows` (a `vector` column becomes fixed_size_list<float32>) when given, or opens it, builds LanceDB
// full-text indexes, then runs LanceDB's hybrid query for each entry:
// query().fullTextSearch(text).nearestTo(vector).rerank(RRFReranker(k)).where(filter).select(select).limit(limit).offset(offset),
// ids as numbers. (LanceDB's hybrid output keeps the full-text list's column names: `_score` holds the normalised value of
// whichever list a row came from first, and there is no `_distance`.) With `halves`, each query's vector search and full-text
// search also run alone, with the same filter, limit and offset: the two lists the hybrid query fuses.
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
  const vector = [];
  const fts = [];
  const shape = (query, q) => {
    if (q.filter) query = query.where(q.filter);
    query = query.limit(q.limit ?? 10);
    return q.offset ? query.offset(q.offset) : query;
  };
  for (const q of required(args, 'queries', 'array')) {
    const reranker = await rerankers.RRFReranker.create(q.k ?? 60);
    let query = table.query()
      .fullTextSearch(q.column ? new MatchQuery(q.text, q.column) : q.text)
      .nearestTo(Float32Array.from(q.vector))
      .rerank(reranker);
    if (q.filter) query = query.where(q.filter);
    if (q.select) query = query.select(q.select);
    query = query.limit(q.limit ?? 10);
    if (q.offset) query = query.offset(q.offset);
    const rows = await query.toArray();
    results.push(rows.map((r) => ({
      id: Number(r.id),
      relevance: r._relevance_score,
      distance: r._distance ?? null,
      score: r._score ?? null,
    })));
    if (args.halves) {
      const v = await shape(table.query().nearestTo(Float32Array.from(q.vector)), q).toArray();
      vector.push(v.map((r) => ({ id: Number(r.id), distance: r._distance })));
      const f = await shape(table.query().fullTextSearch(q.column ? new MatchQuery(q.text, q.column) : q.text), q).toArray();
      fts.push(f.map((r) => ({ id: Number(r.id), score: r._score })));
    }
  }
  return args.halves ? { results, vector, fts } : { results };
});
