// versions.mjs {db, table} -> {current, versions:[{version, timestamp, metadata}]}
import { main, openTable } from './lib/common.mjs';

main(async (args) => {
  const table = await openTable({ ...args, version: undefined });
  const versions = await table.listVersions();
  return {
    current: await table.version(),
    versions: versions.map((v) => ({
      version: Number(v.version),
      timestamp: v.timestamp instanceof Date ? v.timestamp.toISOString() : String(v.timestamp),
      metadata: Object.fromEntries(Object.entries(v.metadata ?? {})),
    })),
  };
});
