// embed-openai.mjs: LanceDB's own `openai` embedding function, pointed at an OpenAI-compatible server.
//   {mode:"search", db, table, baseUrl, vars:{NAME:value}, query, k}
//     -> {functions:[{name, model}], rows:[...]}  opens the table, recreates its functions from the
//        stored metadata through LanceDB's registry, and searches by text (LanceDB embeds the query)
//   {mode:"create", db, table, baseUrl, vars, model, apiKey:"$var:NAME", texts:[...]}
//     -> {rows, metadata}  creates a table whose rows LanceDB embeds with its openai function
// The openai client reads its base URL from OPENAI_BASE_URL, as it does for any LanceDB user.
import { main, connect, required, rowsJson, metadataJson, arrow } from './lib/common.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { getRegistry, LanceSchema } = require('@lancedb/lancedb/embedding');
// LanceDB Node registers `openai` only when its module is loaded, as its users import it.
require('@lancedb/lancedb/embedding/openai');
const { Utf8 } = arrow;

main(async (args) => {
  process.env.OPENAI_BASE_URL = required(args, 'baseUrl', 'string');
  const registry = getRegistry();
  for (const [name, value] of Object.entries(args.vars ?? {})) registry.setVar(name, value);
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  if (args.mode === 'search') {
    const table = await conn.openTable(name);
    const functions = JSON.parse((await table.schema()).metadata.get('embedding_functions') ?? '[]');
    const result = await table.search(required(args, 'query', 'string')).limit(args.k ?? 3).select(['id', 'text', '_distance']).toArrow();
    return { functions: functions.map((f) => ({ name: f.name, model: f.model })), rows: rowsJson(result) };
  }
  if (args.mode === 'create') {
    const func = registry.get('openai').create({ model: required(args, 'model', 'string'), apiKey: required(args, 'apiKey', 'string') });
    const schema = LanceSchema({ text: func.sourceField(new Utf8()), vector: func.vectorField() });
    const texts = required(args, 'texts', 'array');
    const table = await conn.createEmptyTable(name, schema, { mode: 'overwrite' });
    await table.add(texts.map((text) => ({ text })));
    return { rows: await table.countRows(), metadata: metadataJson((await table.schema()).metadata) };
  }
  throw new Error(`unknown mode "${args.mode}"`);
});
