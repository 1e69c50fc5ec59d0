// embed-huggingface.mjs {db, table, model, ndims} -> {metadata}
// Creates an empty table whose schema LanceDB's own `huggingface` (transformers.js) function describes:
// the embedding_functions metadata is written by LanceDB's registry from the function instance. The
// function is constructed directly (its model loads only in init()), with `ndims` so no model is needed for
// the schema. embed-transformers.mjs runs the function itself on a local model folder.
import { main, connect, required, metadataJson, arrow } from './lib/common.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { LanceSchema } = require('@lancedb/lancedb/embedding');
const { TransformersEmbeddingFunction } = require('@lancedb/lancedb/embedding/transformers');

main(async (args) => {
  const func = new TransformersEmbeddingFunction({ model: required(args, 'model', 'string'), ndims: required(args, 'ndims', 'number') });
  const schema = LanceSchema({ id: new arrow.Int64(), text: func.sourceField(new arrow.Utf8()), vector: func.vectorField() });
  const conn = await connect(required(args, 'db', 'string'));
  const table = await conn.createEmptyTable(required(args, 'table', 'string'), schema, { mode: 'overwrite' });
  return { metadata: metadataJson((await table.schema()).metadata) };
});
