// count.mjs {db, table, filter?, version?} -> {count}
import { main, openTable } from './lib/common.mjs';

main(async (args) => {
  const table = await openTable(args);
  return { count: await table.countRows(args.filter ?? undefined) };
});
