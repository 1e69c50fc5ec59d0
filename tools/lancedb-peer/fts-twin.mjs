// fts-twin.mjs: two tables over the same rows, one with LanceDB's full-text index, one for another library's.
//   {db, phase: "create", rows, options?}  -> {indices}
//     creates tables "theirs" (LanceDB's FTS index on `text`, Index.fts(options)) and "ours" (no index).
//   {db, phase: "query", add?, delete?, queries: [q], limit?} -> {theirs: [[{id, score}]], ours: [...], indices: {theirs, ours}}
//     applies the same append/delete to both tables, then runs every query with LanceDB's search on both.
//   A query is a string (LanceDB's plain full-text search), {type: "match", text, operator?, fuzziness?, prefixLength?, boost?}
//   or {type: "phrase", text, slop?}, always on column `text`.
import { Index, MatchQuery, PhraseQuery, Operator } from '@lancedb/lancedb';
import { connect, main, required } from './lib/common.mjs';

function toQuery(q) {
  if (typeof q === 'string') return q;
  if (q.type === 'phrase') return new PhraseQuery(q.text, 'text', { slop: q.slop ?? 0 });
  return new MatchQuery(q.text, 'text', {
    operator: q.operator === 'AND' ? Operator.And : Operator.Or,
    fuzziness: q.fuzziness ?? 0,
    prefixLength: q.prefixLength ?? 0,
    boost: q.boost ?? 1.0,
  });
}

async function run(table, queries, limit) {
  const results = [];
  for (const q of queries) {
    try {
      const rows = await table.search(toQuery(q), 'fts').select(['id', '_score']).limit(q.limit ?? limit).toArray();
      results.push(rows.map((r) => ({ id: Number(r.id), score: r._score })));
    } catch (err) {
      results.push({ error: String(err?.message ?? err) });
    }
  }
  return results;
}

async function indices(table) {
  return (await table.listIndices()).map((i) => ({ name: i.name, columns: i.columns, type: i.indexType, details: i.indexDetails }));
}

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  if (args.phase === 'create') {
    const rows = required(args, 'rows', 'array');
    const theirs = await conn.createTable('theirs', rows, { mode: 'overwrite' });
    await theirs.createIndex('text', { config: Index.fts(args.options ?? {}) });
    await conn.createTable('ours', rows, { mode: 'overwrite' });
    return { indices: await indices(theirs) };
  }
  const tables = { theirs: await conn.openTable('theirs'), ours: await conn.openTable('ours') };
  const out = { indices: {} };
  for (const [name, table] of Object.entries(tables)) {
    if (args.add) await table.add(args.add);
    if (args.delete) await table.delete(args.delete);
    out[name] = await run(table, required(args, 'queries', 'array'), args.limit ?? 10);
    out.indices[name] = await indices(table);
  }
  return out;
});
