// bench-ops.mjs: LanceDB's side of the table-operation benchmarks.
//   {ipc, db, table, runs?, deleteFilter?, deleteFilter2?, mergeIpc?}
//   -> {rows, ingestSeconds:[...], scanSeconds:[...], scanVectorSeconds:[...], deleteSeconds, deleted,
//       compactSeconds, compactStats, mergeSeconds?, rowsAfterMerge?}
// Ingest: createTable(table, <rows of ipc>, {mode:"overwrite"}), `runs` times. Scan: query().toArrow()
// of every column, then of the vector column only, `runs` times each on the last table (the files are
// in the page cache after the first). Delete: table.delete(deleteFilter). Compact: table.optimize().
// Merge: mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(<rows of mergeIpc>).
import { readFileSync } from 'node:fs';
import { main, connect, required, arrow } from './lib/common.mjs';

const { tableFromIPC } = arrow;

function seconds(startNs) {
  return Number(process.hrtime.bigint() - startNs) / 1e9;
}

main(async (args) => {
  const name = required(args, 'table', 'string');
  const runs = args.runs ?? 3;
  const conn = await connect(required(args, 'db', 'string'));
  const data = tableFromIPC(readFileSync(required(args, 'ipc', 'string')));

  const ingestSeconds = [];
  let table;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    table = await conn.createTable(name, data, { mode: 'overwrite' });
    ingestSeconds.push(seconds(start));
  }
  const rows = await table.countRows();

  const scan = async (columns) => {
    let query = table.query();
    if (columns) query = query.select(columns);
    const start = process.hrtime.bigint();
    const result = await query.toArrow();
    const s = seconds(start);
    if (result.numRows !== rows) throw new Error(`scan returned ${result.numRows} rows, expected ${rows}`);
    return s;
  };
  const scanSeconds = [];
  const scanVectorSeconds = [];
  await scan(null);
  for (let r = 0; r < runs; r++) scanSeconds.push(await scan(null));
  for (let r = 0; r < runs; r++) scanVectorSeconds.push(await scan(['vector']));

  const filter = args.deleteFilter ?? 'id % 10 = 0';
  let start = process.hrtime.bigint();
  await table.delete(filter);
  const deleteSeconds = seconds(start);
  const deleted = rows - (await table.countRows());
  let deleteSeconds2 = null;
  if (args.deleteFilter2) {
    start = process.hrtime.bigint();
    await table.delete(args.deleteFilter2);
    deleteSeconds2 = seconds(start);
  }

  start = process.hrtime.bigint();
  const stats = await table.optimize();
  const compactSeconds = seconds(start);

  let mergeSeconds = null;
  let rowsAfterMerge = null;
  if (args.mergeIpc) {
    const source = tableFromIPC(readFileSync(args.mergeIpc));
    start = process.hrtime.bigint();
    await table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(source);
    mergeSeconds = seconds(start);
    rowsAfterMerge = await table.countRows();
  }

  return { rows, ingestSeconds, scanSeconds, scanVectorSeconds, deleteSeconds, deleteSeconds2, deleted, compactSeconds, compactStats: stats?.compaction ?? null, mergeSeconds, rowsAfterMerge };
});
