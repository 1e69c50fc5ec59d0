// table-ops.mjs {db, table, steps: [step, ...]} -> {version, results: [result, ...]}
// LanceDB's turns on a small id/name/n table (id int64 not null, name utf8, n int64), one step
// after another, each result in order:
//   {op: "create", start, rows, stableRowIds?, storageVersion?} -> {version}
//       rows start..start+rows-1 (name "r<id>", n = id), mode overwrite; stableRowIds sets the
//       storage option new_table_enable_stable_row_ids ("true").
//   {op: "add", start, rows}                  -> {version}
//   {op: "delete", where}                     -> {version}
//   {op: "update", where, valuesSql: {col: "SQL"}} -> {version}
//   {op: "optimize"}                          -> {version} (compaction, then index upkeep)
//   {op: "rows", filter?}                     -> {version, rows: [{id, name, n, _rowid}]} scan with withRowId()
//   {op: "count", filter?}                    -> {count}
//   {op: "signal", file}                      -> {} writes an empty file (tells the test a step is done)
//   {op: "waitFor", file, timeoutMs?: 60000}  -> {} waits until the file exists (the test's go-ahead)
// The table handle is opened once and kept: after a waitFor, LanceDB writes from the version it read
// before, so it must rebase over whatever was committed meanwhile (reading those transactions).
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { main, connect, required } from './lib/common.mjs';
import { tableRows } from './lib/peer-table.mjs';

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  const results = [];
  let table = null;
  const open = async () => (table ??= await conn.openTable(name));
  for (const step of required(args, 'steps', 'array')) {
    switch (step.op) {
      case 'create': {
        const storageOptions = {};
        if (step.stableRowIds) storageOptions.new_table_enable_stable_row_ids = 'true';
        if (step.storageVersion) storageOptions.new_table_data_storage_version = step.storageVersion;
        table = await conn.createTable(name, tableRows(step.start ?? 0, step.rows), { mode: 'overwrite', storageOptions });
        results.push({ version: await table.version() });
        break;
      }
      case 'add':
        await (await open()).add(tableRows(step.start, step.rows));
        results.push({ version: await table.version() });
        break;
      case 'delete':
        await (await open()).delete(step.where);
        results.push({ version: await table.version() });
        break;
      case 'update':
        await (await open()).update({ where: step.where, valuesSql: step.valuesSql });
        results.push({ version: await table.version() });
        break;
      case 'optimize':
        await (await open()).optimize();
        results.push({ version: await table.version() });
        break;
      case 'rows': {
        let query = (await open()).query().withRowId();
        if (step.filter) query = query.where(step.filter);
        const rows = (await query.toArray()).map((r) => ({
          id: String(r.id), name: r.name, n: r.n === null ? null : String(r.n), _rowid: String(r._rowid),
        }));
        results.push({ version: await table.version(), rows });
        break;
      }
      case 'count':
        results.push({ count: await (await open()).countRows(step.filter) });
        break;
      case 'signal':
        writeFileSync(required(step, 'file', 'string'), '');
        results.push({});
        break;
      case 'waitFor': {
        const file = required(step, 'file', 'string');
        const deadline = Date.now() + (step.timeoutMs ?? 60000);
        while (!existsSync(file)) {
          if (Date.now() > deadline) throw new Error(`waited too long for ${file}`);
          await sleep(20);
        }
        results.push({});
        break;
      }
      default:
        throw new Error(`unknown step op ${JSON.stringify(step.op)}`);
    }
  }
  return { version: table ? await table.version() : null, results };
});
