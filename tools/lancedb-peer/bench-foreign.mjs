// bench-foreign.mjs: LanceDB's side of the foreign-dataset benchmark, on a table it wrote itself.
//   {db, table, queries: [[...]], k?, runs?}
//   -> {rows, scanSeconds:[...], scanVectorSeconds:[...], searchSeconds:[...], firstIds:[...]}
// Scans: query().toArrow() of every column, then of the vector column only, `runs` times each (one
// warm-up first, so the files are in the page cache). Search: exact (bypassVectorIndex) L2 search
// of each query vector, k nearest, timed one by one.
import { main, connect, required } from './lib/common.mjs';

function seconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const table = await conn.openTable(required(args, 'table', 'string'));
  const queries = required(args, 'queries', 'array').map((q) => Float32Array.from(q));
  const k = args.k ?? 10;
  const runs = args.runs ?? 3;
  const rows = await table.countRows();
  const scan = async (columns) => {
    let query = table.query();
    if (columns) query = query.select(columns);
    const start = process.hrtime.bigint();
    const result = await query.toArrow();
    const elapsed = seconds(start);
    if (result.numRows !== rows) throw new Error(`scan returned ${result.numRows} rows, expected ${rows}`);
    return elapsed;
  };
  await scan(null);
  const scanSeconds = [];
  const scanVectorSeconds = [];
  for (let r = 0; r < runs; r++) scanSeconds.push(await scan(null));
  for (let r = 0; r < runs; r++) scanVectorSeconds.push(await scan(['vector']));
  const searchSeconds = [];
  let firstIds = null;
  for (const q of queries) {
    const start = process.hrtime.bigint();
    const result = await table.vectorSearch(q).distanceType('l2').bypassVectorIndex().select(['id', '_distance']).limit(k).toArray();
    searchSeconds.push(seconds(start));
    if (firstIds === null) firstIds = result.map((r) => String(r.id));
  }
  return { rows, scanSeconds, scanVectorSeconds, searchSeconds, firstIds };
});
