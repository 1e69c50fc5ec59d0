// bench-add.mjs: LanceDB's side of the serializer benchmark: `table.add(rows)` of plain JS objects.
//   {db, rows, dim?, repeats?} -> {rows, dim, convertSeconds[], addSeconds[]}
// The rows are generated here with the same formulas as bench/Lance.Bench/SerializerData.cs:
//   id=i, name="row-"+i, score=i*0.5, count=i%1000, flag=i%2==0, vector[d]=((i*31+d*17)%1000)/1000.
// convertSeconds times makeArrowTable(rows) alone (JS objects -> Arrow, what our ToRecordBatch does);
// addSeconds times table.add(rows) into a fresh table (conversion + Lance write).
import { makeArrowTable } from '@lancedb/lancedb';
import { main, connect, required } from './lib/common.mjs';

function makeRows(count, dim) {
  const rows = new Array(count);
  for (let i = 0; i < count; i++) {
    const row = { id: i, name: `row-${i}`, score: i * 0.5, count: i % 1000, flag: i % 2 === 0 };
    if (dim > 0) {
      const vector = new Array(dim);
      for (let d = 0; d < dim; d++) vector[d] = ((i * 31 + d * 17) % 1000) / 1000;
      row.vector = vector;
    }
    rows[i] = row;
  }
  return rows;
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

main(async (args) => {
  const count = required(args, 'rows', 'number');
  const dim = args.dim ?? 0;
  const repeats = args.repeats ?? 3;
  const db = await connect(required(args, 'db', 'string'));
  const rows = makeRows(count, dim);
  const convertSeconds = [];
  const addSeconds = [];
  for (let r = 0; r < repeats; r++) {
    let start = process.hrtime.bigint();
    makeArrowTable(rows);
    convertSeconds.push(seconds(start));

    const table = await db.createTable(`bench_${r}`, rows.slice(0, 1), { mode: 'overwrite' });
    start = process.hrtime.bigint();
    await table.add(rows);
    addSeconds.push(seconds(start));
  }
  return { rows: count, dim, convertSeconds, addSeconds };
});
