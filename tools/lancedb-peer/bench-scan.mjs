// bench-scan.mjs {db, table, column?: "vector", warmup?: 2, repeats?: 7}
//   -> {rows, column, bytes, secondsMedian, secondsMin, seconds: [..], gbPerSecondMedian}
// Times LanceDB's full scan of one column: table.query().select([column]).toArrow(), which decodes
// the column in LanceDB and hands it to JS as Arrow. The file should already be in the page cache
// (the warmup runs ensure it). Each timed run is measured alone.
import { main, openTable } from './lib/common.mjs';

main(async (args) => {
  const table = await openTable(args);
  const column = args.column ?? 'vector';
  const warmup = args.warmup ?? 2;
  const repeats = args.repeats ?? 7;
  let result = null;
  for (let i = 0; i < warmup; i++) result = await table.query().select([column]).toArrow();
  const seconds = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    result = await table.query().select([column]).toArrow();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const vector = result.getChildAt(0);
  let bytes = 0;
  for (const data of vector.data) {
    const values = data.children?.[0]?.values ?? data.values;
    bytes += values.byteLength;
  }
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    rows: result.numRows,
    column,
    bytes,
    secondsMedian: median,
    secondsMin: sorted[0],
    seconds,
    gbPerSecondMedian: bytes / median / 1e9,
  };
});
