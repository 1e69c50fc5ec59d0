// fts-twin.mjs: two tables over the same rows, one with LanceDB's full-text index, one for another library's.
//   {db, phase: "create", rows, options?, index?}  -> {indices}
//     creates tables "theirs" (LanceDB's FTS index on `text`, Index.fts(options); or one index per entry of
//     `index: [{column, options?}]`) and "ours" (no index).
//   {db, phase: "query", add?, delete?, queries: [q], limit?} -> {theirs: [[{id, score}]], ours: [...], indices: {theirs, ours}}
//     applies the same append/delete to both tables, then runs every query with LanceDB's search on both.
//   With `pairs: [{name, options?, index?}]` (create) or `pairs: [{name, queries}]` (query): one pair of tables per entry,
//   named theirs<name>/ours<name>, answered as {pairs: [...]}.
//   A query is a string (LanceDB's plain full-text search on `text`), a query object of lib/fts-query.mjs (its column
//   defaulting to `text`), or an entry {query, filter?, limit?, offset?} holding such an object, as fts.mjs takes.
import { Index } from '@lancedb/lancedb';
import { connect, main, required } from './lib/common.mjs';
import { toQuery } from './lib/fts-query.mjs';

function withColumn(q) {
  if (q.type === 'boolean') return { ...q, clauses: q.clauses.map(([occur, sub]) => [occur, withColumn(sub)]) };
  if (q.type === 'boost') return { ...q, positive: withColumn(q.positive), negative: withColumn(q.negative) };
  return q.type === 'multi' ? q : { ...q, column: q.column ?? 'text' };
}

async function run(table, queries, limit) {
  const results = [];
  for (const q of queries) {
    const entry = typeof q === 'object' && q.query !== undefined ? q : { query: q };
    try {
      let query = typeof entry.query === 'string'
        ? table.search(entry.query, 'fts')
        : table.search(toQuery(withColumn(entry.query)));
      if (entry.filter) query = query.where(entry.filter);
      query = query.select(['id', '_score']).limit(entry.limit ?? limit);
      if (entry.offset) query = query.offset(entry.offset);
      const rows = await query.toArray();
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

// One pair of tables per entry of `pairs` ({name, options, index} to create, {name, queries} to query), named
// theirs<name> and ours<name>; without `pairs`, one pair named "" with the top-level options/index/queries, answered at the top level.
main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const single = !args.pairs;
  const pairs = args.pairs ?? [{ name: '', options: args.options, index: args.index, queries: args.queries }];
  const answers = [];
  for (const pair of pairs) {
    const theirsName = `theirs${pair.name}`;
    const oursName = `ours${pair.name}`;
    if (args.phase === 'create') {
      const rows = required(args, 'rows', 'array');
      const theirs = await conn.createTable(theirsName, rows, { mode: 'overwrite' });
      for (const spec of pair.index ?? [{ column: 'text', options: pair.options }]) {
        await theirs.createIndex(spec.column, { config: Index.fts(spec.options ?? {}) });
      }
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
