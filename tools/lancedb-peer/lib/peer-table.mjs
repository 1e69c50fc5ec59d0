// The id/name/n table of table-ops.mjs and shared-writer.mjs: row k has id k (int64, not null),
// name "r<k>" (utf8) and n k (int64).
import { arrow as A } from './common.mjs';

/** The table's schema. */
export const schema = new A.Schema([
  new A.Field('id', new A.Int64(), false),
  new A.Field('name', new A.Utf8(), true),
  new A.Field('n', new A.Int64(), true),
]);

/** Rows start..start+count-1 as an Arrow table of the schema above. */
export function tableRows(start, count) {
  const ids = BigInt64Array.from({ length: count }, (_, k) => BigInt(start + k));
  const data = A.makeData({
    type: new A.Struct(schema.fields),
    length: count,
    nullCount: 0,
    children: [
      A.vectorFromArray(ids, new A.Int64()).data[0],
      A.vectorFromArray(Array.from({ length: count }, (_, k) => `r${start + k}`), new A.Utf8()).data[0],
      A.vectorFromArray(ids, new A.Int64()).data[0],
    ],
  });
  return new A.Table([new A.RecordBatch(schema, data)]);
}
