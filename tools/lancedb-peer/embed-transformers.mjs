// embed-transformers.mjs: LanceDB's own `huggingface` embedding function (transformers.js, run by
// @huggingface/transformers 3.0.2 on onnxruntime-node) against a local model folder, fully offline.
//   {modelDir, db, table, create?: {model, rows: [{id, text}]}, queries: [text], k?: 3, embed?: [text]}
//     -> {metadata, functions: [{name, model}],
//         results: [{query, vector, rows: [{id, _distance}]}], embedded?: [[number]]}
//
// transformers.js is told to read models from `modelDir` only (env.allowRemoteModels = false,
// env.localModelPath = modelDir): a model named "Org/name" is the folder <modelDir>/Org/name holding
// config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx. Nothing is downloaded; a
// missing file is an error.
//
// `create`: a table whose rows LanceDB embeds itself: registry.get("huggingface").create({model}),
//   LanceSchema (id Int64, text = sourceField, vector = vectorField), createEmptyTable (overwrite),
//   then one add() of all rows — LanceDB computes their vectors as one batch.
// Then the table is opened and searched by text for each query, as a LanceDB user does:
//   table.search(query).distanceType("l2").limit(k) — LanceDB recreates the function from the table's
//   embedding_functions metadata through its registry and embeds the query. `vector` is the query's
//   vector from that recreated function; `embedded` are source vectors of the `embed` texts, each
//   computed on its own (a batch of one, so no padding enters LanceDB's mean).
import { isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { main, connect, required, rowsJson, metadataJson, arrow } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const { getRegistry, LanceSchema } = require('@lancedb/lancedb/embedding');
// LanceDB Node registers `huggingface` only when its module is loaded, as its users import it.
require('@lancedb/lancedb/embedding/transformers');

main(async (args) => {
  const modelDirArg = required(args, 'modelDir', 'string');
  const modelDir = isAbsolute(modelDirArg) ? modelDirArg : resolve(modelDirArg);
  if (!existsSync(modelDir)) throw new Error(`modelDir ${modelDir} does not exist`);
  // The same module instance LanceDB imports in its function's init().
  const { env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelDir.endsWith('/') ? modelDir : `${modelDir}/`;
  env.useBrowserCache = false;
  env.useFSCache = false;

  const registry = getRegistry();
  const conn = await connect(required(args, 'db', 'string'));
  const name = required(args, 'table', 'string');
  if (args.create) {
    const func = await registry.get('huggingface').create({ model: required(args.create, 'model', 'string') });
    const schema = LanceSchema({ id: new arrow.Int64(), text: func.sourceField(new arrow.Utf8()), vector: func.vectorField() });
    const table = await conn.createEmptyTable(name, schema, { mode: 'overwrite' });
    await table.add(required(args.create, 'rows', 'array').map((r) => ({ id: BigInt(r.id), text: r.text })));
  }

  const table = await conn.openTable(name);
  const metadata = (await table.schema()).metadata;
  const stored = JSON.parse(metadata.get('embedding_functions') ?? '[]');
  const recreated = [...(await registry.parseFunctions(metadata)).values()];
  if (recreated.length !== 1) throw new Error(`expected one embedding function, the table has ${recreated.length}`);
  const func = recreated[0].function;
  const k = args.k ?? 3;
  const results = [];
  for (const query of required(args, 'queries', 'array')) {
    const found = await table.search(query).distanceType('l2').limit(k).select(['id', '_distance']).toArrow();
    results.push({ query, vector: Array.from(await func.computeQueryEmbeddings(query)), rows: rowsJson(found) });
  }
  const result = { metadata: metadataJson(metadata), functions: stored.map((f) => ({ name: f.name, model: f.model })), results };
  if (args.embed) {
    result.embedded = [];
    for (const text of args.embed) result.embedded.push(Array.from((await func.computeSourceEmbeddings([text]))[0]));
  }
  return result;
});
