/* npm run restore -- DIR: a backup made by `npm run backup` into an empty DATA_DIR (checksums verified). */
import path from 'node:path';
import {
  BackupError,
  pgRestoreCommand,
  resolveDataPaths,
  restoreDataDir,
} from '../apps/server/src/adapters/store/data-dir-backup.ts';

async function main(): Promise<number> {
  const from = process.argv[2];
  if (!from || from.startsWith('-')) {
    console.error('usage: npm run restore -- DIR   (into DATA_DIR, which must be empty or missing)');
    return 2;
  }
  const paths = resolveDataPaths(process.env);
  const manifest = await restoreDataDir({ backupDir: from, paths });
  console.log(
    `restored ${manifest.files.count} files (${(manifest.files.bytes / 1e6).toFixed(1)} MB) into ${paths.dataDir}`,
  );
  if (manifest.database.kind === 'sqlite' && paths.database.kind === 'sqlite') {
    console.log(`database: ${paths.database.file} (schema v${manifest.database.schemaVersion}, checksum verified)`);
  } else {
    console.log(`database: PostgreSQL; restore the dump with:\n  ${pgRestoreCommand(path.resolve(from))}`);
  }
  console.log(`backup taken ${manifest.createdAt} by MediaGen ${manifest.mediagenVersion}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof BackupError ? `restore failed: ${err.message}` : err);
    process.exit(1);
  },
);
