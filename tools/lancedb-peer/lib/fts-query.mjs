// LanceDB full-text query objects from their JSON description, shared by fts.mjs and fts-twin.mjs.
// A query is {type:"match", text, column, operator?, fuzziness?, prefixLength?, maxExpansions?, boost?},
// {type:"phrase", text, column, slop?}, {type:"multi", text, columns, boosts?, operator?},
// {type:"boolean", clauses:[["must"|"should"|"must_not", query]]} or {type:"boost", positive, negative, negativeBoost?}.
import { MatchQuery, PhraseQuery, MultiMatchQuery, BooleanQuery, BoostQuery, Occur, Operator } from '@lancedb/lancedb';

/** The LanceDB query object `q` describes. */
export function toQuery(q) {
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
