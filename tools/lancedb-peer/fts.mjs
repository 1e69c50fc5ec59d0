// fts.mjs {db, table, rows?, schema?: "id-text", index?: [{column, options}], add?: [rows], delete?: sql,
//          queries: [{query, filter?, limit?, offset?}], limit?}
//   -> {results: [[{id, score}], ...], indices: [...]}
// Builds (or opens) a table, creates LanceDB full-text indexes, appends/deletes rows, then runs full-text
// queries. A query is {type:"match", text, column, operator?, fuzziness?, prefixLength?, maxExpansions?, boost?},
// {type:"phrase", text, column, slop?}, {type:"multi", text, columns, boosts?, operator?},
// {type:"boolean", clauses:[["must"|"should"|"must_not", query]]} or {type:"boost", positive, negative, negativeBoost?}.
import * as lancedb from '@lancedb/lancedb';
import { Index, MatchQuery, PhraseQuery, MultiMatchQuery, BooleanQuery, BoostQuery, Occur, Operator } from '@lancedb/lancedb';
import { connect, main, required } from './lib/common.mjs';

function toQuery(q) {
  switch (q.type) {
    case 'match':
      return new MatchQuery(q.text, q.column, {
        operator: q.operator === 'AND' ? Operator.And : Operator.Or,
        fuzziness: q.fuzziness ?? 0,
        prefixLength: q.prefixLength ?? 0,
        maxExpansions: q.maxExpansions ?? 50,
        boost: q.boost ?? 1.0,
      });
    case 'phrase':
      return new PhraseQuery(q.text, q.column, { slop: q.slop ?? 0 });
    case 'multi':
      return new MultiMatchQuery(q.text, q.columns, {
        boosts: q.boosts, operator: q.operator === 'AND' ? Operator.And : Operator.Or,
      });
    case 'boolean':
      return new BooleanQuery(q.clauses.map(([occur, sub]) => [
        occur === 'must' ? Occur.Must : occur === 'must_not' ? Occur.MustNot : Occur.Should, toQuery(sub)]));
    case 'boost':
      return new BoostQuery(toQuery(q.positive), toQuery(q.negative), { negativeBoost: q.negativeBoost ?? 0.5 });
    default:
      throw new Error(`unknown query type ${q.type}`);
  }
}

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  const table = args.rows ? await conn.createTable(name, args.rows, { mode: 'overwrite' }) : await conn.openTable(name);
  for (const spec of args.index ?? []) {
    await table.createIndex(spec.column, { config: Index.fts(spec.options ?? {}), replace: spec.replace ?? true });
  }
  if (args.add) await table.add(args.add);
  if (args.delete) await table.delete(args.delete);
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
