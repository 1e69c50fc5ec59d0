// bench-embed.mjs: LanceDB's side of the "ingest texts, embedding included" benchmark.
//   {modelDir, texts, db, table, function?: "minilm"|"huggingface", warmup?: 32, check?: {texts, vectors}}
//   -> {rows, seconds, rowsPerSecond, method, function, model, warmupRows, check?: {cosines, min}}
//
// The model is all-MiniLM-L6-v2 run by transformers.js (@huggingface/transformers, LanceDB's optional
// dependency) from a local folder only: nothing is downloaded. `modelDir` holds
// <modelDir>/all-MiniLM-L6-v2/onnx/model.onnx and <modelDir>/all-MiniLM-L6-v2/vocab.txt (BERT uncased
// WordPiece); config.json, tokenizer.json and tokenizer_config.json are written next to them from the
// vocabulary when absent. `texts` is a JSON file holding an array of strings.
//
// Ingest goes through LanceDB's own embedding-function path: a registered embedding function, a
// schema built with LanceSchema (text = sourceField, vector = vectorField), createEmptyTable, then
// add([{id, text}]) — LanceDB computes every vector on the way in. One warm-up table with `warmup`
// rows is written first (model load and first inference excluded); then createEmptyTable + add of
// all texts is timed.
//
// `function`:
//   "minilm" (default): registered here as "minilm-local"; transformers.js feature-extraction pipeline
//     with {pooling: "mean", normalize: true} — the sentence-transformers result (mask-aware mean
//     pooling, unit length), equivalent to Lance.Orm.Embeddings.MiniLm.
//   "huggingface": LanceDB's built-in TransformersEmbeddingFunction pointed at the same local model, for
//     diagnosis only: as of 0.31 it takes the model's FIRST output, which in this ONNX export is the
//     pooler output ("924", [B,384]) rather than last_hidden_state, so its vectors are wrong (near zero);
//     even on last_hidden_state it would average over padding and not normalize.
// `check`: texts with our vectors; the same texts are embedded by the function and the cosines returned.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import * as lancedb from '@lancedb/lancedb';
import { main, connect, required, arrow } from './lib/common.mjs';

const MODEL = 'all-MiniLM-L6-v2';
const { embedding } = lancedb;

/** Writes the Hugging Face files transformers.js reads (config and tokenizer) from vocab.txt. */
function writeModelFiles(modelPath) {
  const vocabLines = readFileSync(join(modelPath, 'vocab.txt'), 'utf8').split(/\r?\n/);
  if (vocabLines.at(-1) === '') vocabLines.pop();
  const vocab = {};
  vocabLines.forEach((token, id) => { if (!(token in vocab)) vocab[token] = id; });
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  for (const token of special) if (!(token in vocab)) throw new Error(`vocab.txt has no ${token}`);

  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    hidden_size: 384,
    num_hidden_layers: 6,
    num_attention_heads: 12,
    intermediate_size: 1536,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    vocab_size: vocabLines.length,
    pad_token_id: vocab['[PAD]'],
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    strip_accents: null,
    tokenize_chinese_chars: true,
    clean_up_tokenization_spaces: true,
    model_max_length: 256, // sentence-transformers' max_seq_length for this model
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
  };
  const specialToken = (id, type_id = 0) => ({ SpecialToken: { id, type_id } });
  const tokenizer = {
    version: '1.0',
    truncation: { direction: 'Right', max_length: 256, strategy: 'LongestFirst', stride: 0 },
    padding: null,
    added_tokens: special.map((content) => ({
      id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    // BERT uncased: lowercase and strip accents (strip_accents null follows lowercase).
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]')],
      pair: [specialToken('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, specialToken('[SEP]'),
        { Sequence: { id: 'B', type_id: 1 } }, specialToken('[SEP]', 1)],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  const write = (name, value) => {
    const path = join(modelPath, name);
    if (!existsSync(path)) writeFileSync(path, JSON.stringify(value));
  };
  write('config.json', config);
  write('tokenizer_config.json', tokenizerConfig);
  write('tokenizer.json', tokenizer);
}

/** transformers.js, configured to load models from `modelDir` only. */
async function loadTransformers(modelDir) {
  let transformers;
  try {
    transformers = await import('@huggingface/transformers');
  } catch (e) {
    throw new Error(`@huggingface/transformers (LanceDB's optional dependency) is not installed: ${e.message}`);
  }
  const { env } = transformers;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelDir.endsWith('/') ? modelDir : modelDir + '/';
  env.useBrowserCache = false;
  env.useFSCache = false;
  return transformers;
}

/** "minilm-local": sentence-transformers embeddings (mask-aware mean pooling + normalize) through transformers.js. */
function registerMiniLm(transformers) {
  class MiniLmLocal extends embedding.TextEmbeddingFunction {
    #extractor;
    #model;
    constructor(options = {}) {
      super();
      this.#model = options.model ?? MODEL;
    }
    toJSON() { return { model: this.#model }; }
    async init() {
      this.#extractor = await transformers.pipeline('feature-extraction', this.#model, { dtype: 'fp32' });
    }
    ndims() { return 384; }
    embeddingDataType() { return new arrow.Float32(); }
    async generateEmbeddings(texts) {
      const output = await this.#extractor(texts, { pooling: 'mean', normalize: true });
      const [n, d] = output.dims;
      const data = output.data;
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = data.subarray(i * d, (i + 1) * d);
      return out;
    }
  }
  const registry = embedding.getRegistry();
  if (!registry.get('minilm-local')) registry.register('minilm-local')(MiniLmLocal);
}

function cosine(a, b) {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return dot / Math.sqrt(na * nb);
}

main(async (args) => {
  const modelDirArg = required(args, 'modelDir', 'string');
  const modelDir = isAbsolute(modelDirArg) ? modelDirArg : resolve(modelDirArg);
  const modelPath = join(modelDir, MODEL);
  if (!existsSync(join(modelPath, 'onnx', 'model.onnx'))) throw new Error(`no ${MODEL}/onnx/model.onnx under modelDir`);
  writeModelFiles(modelPath);
  const texts = JSON.parse(readFileSync(required(args, 'texts', 'string'), 'utf8'));
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw new Error('texts must be a JSON file holding an array of strings');
  const name = required(args, 'table', 'string');
  const which = args.function ?? 'minilm';
  const warmupRows = Math.min(args.warmup ?? 32, texts.length);

  const transformers = await loadTransformers(modelDir);
  let alias;
  if (which === 'minilm') {
    registerMiniLm(transformers);
    alias = 'minilm-local';
  } else if (which === 'huggingface') {
    createRequire(import.meta.url)('@lancedb/lancedb/embedding/transformers'); // registers "huggingface"
    alias = 'huggingface';
  } else {
    throw new Error(`unknown function "${which}"`);
  }
  const func = await embedding.getRegistry().get(alias).create({ model: MODEL });
  const schema = embedding.LanceSchema({
    id: new arrow.Int64(),
    text: func.sourceField(new arrow.Utf8()),
    vector: func.vectorField(),
  });
  const conn = await connect(required(args, 'db', 'string'));
  const rowsOf = (list) => list.map((text, i) => ({ id: BigInt(i), text }));

  // Warm-up: model load and first inference, on a table of its own.
  const warm = await conn.createEmptyTable(`${name}-warmup`, schema, { mode: 'overwrite' });
  await warm.add(rowsOf(texts.slice(0, warmupRows)));
  await warm.countRows();

  const data = rowsOf(texts);
  const start = process.hrtime.bigint();
  const table = await conn.createEmptyTable(name, schema, { mode: 'overwrite' });
  await table.add(data);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rows = await table.countRows();

  let check;
  if (args.check) {
    const checkTexts = required(args.check, 'texts', 'array');
    const ours = required(args.check, 'vectors', 'array');
    const theirs = await func.computeSourceEmbeddings(checkTexts);
    const cosines = checkTexts.map((_, i) => cosine(theirs[i], ours[i]));
    const norms = theirs.map((v) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0)));
    check = { cosines, min: Math.min(...cosines), norms };
  }

  return {
    rows,
    seconds,
    rowsPerSecond: rows / seconds,
    method: `LanceDB embedding function "${alias}" (createEmptyTable + add, vectors computed by LanceDB on the way in)`,
    function: which,
    model: MODEL,
    warmupRows,
    ...(check ? { check } : {}),
  };
});
