// shared-writer.mjs {db, table, ops?: 100, seed?: 1, owned: [id], idBase, readyFile?, goFile?}
//   -> {alive: [[id, n]], log: [string], errors: [string]}
// LanceDB's side of the shared-writers test: `ops` operations on a table of table-ops.mjs's shape
// (id, name, n) while another process writes to it too. The writer owns the ids in `owned` (rows
// already in the table) and those it appends (idBase, idBase + 1, ...), and only ever changes
// those, so the final table is known from the two writers' logs. Operation i (random choices from
// `seed`) is by i % 4: an append of 3 rows; a delete of one owned row; an update n = n + 1 of one;
// an update n = n + 10 of two at once. Each runs through LanceDB's own retry/rebase; an operation
// that still fails is recorded in `errors` (and changes nothing in `alive`). With readyFile/goFile
// the writer opens the table, writes readyFile, and waits for goFile before the first operation.
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { main, connect, required } from './lib/common.mjs';
import { tableRows } from './lib/peer-table.mjs';

main(async (args) => {
  const conn = await connect(required(args, 'db', 'string'));
  const table = await conn.openTable(required(args, 'table', 'string'));
  const ops = args.ops ?? 100;
  const idBase = required(args, 'idBase', 'number');
  const alive = new Map(required(args, 'owned', 'array').map((id) => [id, id]));
  let seed = (args.seed ?? 1) >>> 0 || 1;
  const random = (n) => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const pick = () => [...alive.keys()][random(alive.size)];
  await table.countRows();
  if (args.readyFile) writeFileSync(args.readyFile, '');
  if (args.goFile) {
    const deadline = Date.now() + 60000;
    while (!existsSync(args.goFile)) {
      if (Date.now() > deadline) throw new Error(`waited too long for ${args.goFile}`);
      await sleep(10);
    }
  }

  const log = [];
  const errors = [];
  let next = idBase;
  for (let i = 0; i < ops; i++) {
    let description = '';
    try {
      switch (i % 4) {
        case 0: {
          const start = next;
          description = `add ${start}..${start + 2}`;
          await table.add(tableRows(start, 3));
          next += 3;
          for (let id = start; id < start + 3; id++) alive.set(id, id);
          break;
        }
        case 1: {
          const id = pick();
          description = `delete ${id}`;
          await table.delete(`id = ${id}`);
          alive.delete(id);
          break;
        }
        case 2: {
          const id = pick();
          description = `update ${id} +1`;
          await table.update({ where: `id = ${id}`, valuesSql: { n: 'n + 1' } });
          alive.set(id, alive.get(id) + 1);
          break;
        }
        default: {
          const a = pick();
          let b = pick();
          if (b === a) b = [...alive.keys()].find((k) => k !== a) ?? a;
          description = `update ${a}, ${b} +10`;
          await table.update({ where: `id IN (${a}, ${b})`, valuesSql: { n: 'n + 10' } });
          for (const id of new Set([a, b])) alive.set(id, alive.get(id) + 10);
          break;
        }
      }
      log.push(description);
    } catch (err) {
      errors.push(`${description}: ${String(err?.message ?? err).split('\n')[0]}`);
    }
  }
  return { alive: [...alive.entries()], log, errors };
});
