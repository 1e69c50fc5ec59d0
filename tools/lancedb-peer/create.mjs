// create.mjs {db, table, ipc, mode?:"create"|"overwrite", storageVersion?} -> {table, rows, version}
// Writes a table with LanceDB from an Arrow IPC file (file or stream format), so our reader can be
// checked against datasets that the real LanceDB wrote.
import { readFileSync } from 'node:fs';
import { main, connect, required, arrow } from './lib/common.mjs';

const { tableFromIPC } = arrow;

main(async (args) => {
  const data = tableFromIPC(readFileSync(required(args, 'ipc', 'string')));
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  // storageVersion ("legacy", "2.0", "2.1", "2.2") as the storage option new_table_data_storage_version.
  const storageOptions = args.storageVersion ? { new_table_data_storage_version: String(args.storageVersion) } : undefined;
  const table = await conn.createTable(name, data, { mode: args.mode ?? 'create', storageOptions });
  return { table: name, rows: await table.countRows(), version: await table.version() };
});
