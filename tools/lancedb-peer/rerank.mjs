// rerank.mjs {cases:[{k?, query?, vector:[{rowId, distance}], fts:[{rowId, score}]}]}
//   -> {results:[{columns:[...], rows:[{rowId, relevance}]}]}
// Runs LanceDB's own RRFReranker.rerankHybrid over each case's two result lists, as its hybrid
// query does after the two searches, and returns the fused order. Row ids travel as decimal
// strings (they are uint64).
import { arrow, main, required } from './lib/common.mjs';
import { rerankers } from '@lancedb/lancedb';

function batch(rows, scoreColumn, scoreKey) {
  const table = arrow.tableFromArrays({
    [scoreColumn]: Float32Array.from(rows.map((r) => r[scoreKey])),
    _rowid: BigUint64Array.from(rows.map((r) => BigInt(r.rowId))),
  });
  return table.batches[0] ?? new arrow.RecordBatch(table.schema);
}

main(async (args) => {
  const cases = required(args, 'cases', 'array');
  const results = [];
  for (const c of cases) {
    const reranker = await rerankers.RRFReranker.create(c.k ?? 60);
    const result = await reranker.rerankHybrid(c.query ?? '', batch(c.vector, '_distance', 'distance'), batch(c.fts, '_score', 'score'));
    const ids = result.getChild('_rowid');
    const relevance = result.getChild('_relevance_score');
    const rows = [];
    for (let i = 0; i < result.numRows; i++) {
      rows.push({ rowId: ids.get(i).toString(), relevance: relevance.get(i) });
    }
    results.push({ columns: result.schema.fields.map((f) => f.name), rows });
  }
  return { results };
});
