// tables.mjs {db} -> {tables:[name...]}
import { main, connect, required } from './lib/common.mjs';

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  return { tables: await conn.tableNames() };
});
