// scan.mjs {db, table, columns?, filter?, limit?, version?, withRowId?}
//   -> {version, rowCount, schema:[{name,type,nullable}], metadata:{k:v}, rows:[{col:value}]}
import { main, openTable, fieldsJson, metadataJson, rowsJson } from './lib/common.mjs';

main(async (args) => {
  const table = await openTable(args);
  const schema = await table.schema();
  let query = table.query();
  if (args.filter) query = query.where(args.filter);
  if (args.columns) query = query.select(args.columns);
  if (args.withRowId) query = query.withRowId();
  if (args.limit !== undefined && args.limit !== null) query = query.limit(args.limit);
  const result = await query.toArrow();
  return {
    version: await table.version(),
    rowCount: result.numRows,
    schema: fieldsJson(schema),
    metadata: metadataJson(schema.metadata),
    rows: rowsJson(result),
  };
});
