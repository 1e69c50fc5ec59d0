// fts-twin.mjs: two tables over the same rows, one with LanceDB's full-text index, one for another library's.
//   {db, phase: "create", rows, options?}  -> {indices}
//     creates tables "theirs" (LanceDB's FTS index on `text`, Index.fts(options)) and "ours" (no index).
//   {db, phase: "query", add?, delete?, queries: [q], limit?} -> {theirs: [[{id, score}]], ours: [...], indices: {theirs, ours}}
//     applies the same append/delete to both tables, then runs every query with LanceDB's search on both.
//   With `pairs: [{name, options}]` (create) or `pairs: [{name, queries}]` (query): one pair of tables per entry, named
//   theirs<name>/ours<name>, answered as {pairs: [...]}.
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

// One pair of tables per entry of `pairs` ({name, options} to create, {name, queries} to query), named
// theirs<name> and ours<name>; without `pairs`, one pair named "" with the top-level options/queries, answered at the top level.
main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const single = !args.pairs;
  const pairs = args.pairs ?? [{ name: '', options: args.options, queries: args.queries }];
  const answers = [];
  for (const pair of pairs) {
    const theirsName = `theirs${pair.name}`;
    const oursName = `ours${pair.name}`;
    if (args.phase === 'create') {
      const rows = required(args, 'rows', 'array');
      const theirs = await conn.createTable(theirsName, rows, { mode: 'overwrite' });
      await theirs.createIndex('text', { config: Index.fts(pair.options ?? {}) });
      await conn.createTable(oursName, rows, { mode: 'overwrite' });
      answers.push({ indices: await indices(theirs) });
      continue;
    }
    const tables = { theirs: await conn.openTable(theirsName), ours: await conn.openTable(oursName) };
    const out = { indices: {} };
    for (const [name, table] of Object.entries(tables)) {
      if (args.add) await table.add(args.add);
      if (args.delete) await table.delete(args.delete);
      out[name] = await run(table, required(pair, 'queries', 'array'), args.limit ?? 10);
      out.indices[name] = await indices(table);
    }
    answers.push(out);
  }
  return single ? answers[0] : { pairs: answers };
});
