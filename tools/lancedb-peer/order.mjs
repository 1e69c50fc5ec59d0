// order.mjs {db, table, orderBy: [{columnName, ascending?, nullsFirst?}], filter?, offset?, limit?, key?}
//   -> {keys: [...]}: the `key` column (default "id") of a plain query sorted with LanceDB's orderBy.
import { main, openTable, required } from './lib/common.mjs';

main(async (args) => {
  const table = await openTable(args);
  const orderBy = required(args, 'orderBy', 'array');
  const key = args.key ?? 'id';
  // No select(): LanceDB 0.31 fails to plan orderBy + where + a projection without the row id
  // ("TakeExec requires the input plan to have a column named '_rowaddr' or '_rowid'").
  let query = table.query().orderBy(orderBy);
  if (args.filter) query = query.where(args.filter);
  if (args.offset) query = query.offset(args.offset);
  if (args.limit) query = query.limit(args.limit);
  const rows = await query.toArray();
  return { keys: rows.map((row) => (typeof row[key] === 'bigint' ? Number(row[key]) : row[key])) };
});
